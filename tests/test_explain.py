import json

from conftest import SAMPLE_FEEDS, run_cli

from dedupe import explain
from dedupe.explain import explain_lines


def test_explain_one_record_names_story_canonical_and_the_edge_with_scores():
    res = run_cli("explain", *SAMPLE_FEEDS, "--id", "wire-102", "--json")
    assert res.exit_code == 0, res.output
    out = json.loads(res.stdout)
    assert out["story"] == {"members": ["wire-102", "samples/rss_dump.txt:3"], "canonical": "samples/rss_dump.txt:3"}
    assert out["decision"]["repair"] == "completed" and "cut:ellipsis" in out["decision"]["reasons"]
    (edge,) = out["path_to_canonical"]
    assert edge["rule"].startswith("contained:") and edge["joined"] == "joined two groups"
    assert edge["containment"] >= 0.8 > edge["jaccard"]
    assert abs(edge["estimated_jaccard"] - edge["jaccard"]) < 0.1
    assert edge["lead_alignment"]["score"] == 100.0 and edge["lead_alignment"]["offset"] == 0
    plain = run_cli("explain", *SAMPLE_FEEDS, "--id", "wire-102")
    assert plain.exit_code == 0
    assert "path to the canonical:" in plain.stdout and "lead alignment 100.0 at offset 0-" in plain.stdout
    assert plain.stderr == ""


def test_explain_pair_in_one_story_and_pair_never_compared():
    same = json.loads(run_cli("explain", *SAMPLE_FEEDS, "--id", "wire-101", "--id", "samples/rss_dump.txt:1",
                              "--json").stdout)
    assert same["same_story"] and same["verdict"].startswith("one story")
    assert same["path"] and same["path"][0]["a"] in ("wire-101", "metro-1", "samples/rss_dump.txt:1")
    apart = json.loads(run_cli("explain", *SAMPLE_FEEDS, "--id", "wire-104", "--id", "metro-3", "--json").stdout)
    assert not apart["same_story"] and apart["path"] == []
    assert apart["verdict"].startswith("two stories: never a candidate pair")
    assert apart["pair"]["candidate"] is False and apart["pair"]["rule"] is None


def test_explain_says_when_the_chain_guard_refused_a_match():
    a = " ".join(f"alpha{i}" for i in range(60))
    b = " ".join(f"beta{i}" for i in range(60))
    bridge = a + " " + b
    texts = [a, a + " extra", b, b + " more", bridge]
    bridge_edges = explain(texts, ["<input>:5"])["edges"]
    refused = [e for e in bridge_edges if e["joined"] == "refused by the chain guard"]
    assert refused and all(e["containment"] >= 0.8 for e in refused)
    other = refused[0]["a"] if refused[0]["b"] == "<input>:5" else refused[0]["b"]
    pair = explain(texts, ["<input>:5", other])
    assert pair["verdict"] == "two stories: the pair matched, but the chain guard refused to join their stories"
    assert pair["pair"]["rule"] and any("chain guard" in line for line in explain_lines(pair))


def test_explain_unknown_id_and_too_many_ids():
    res = run_cli("explain", *SAMPLE_FEEDS, "--id", "nope")
    assert res.exit_code == 1
    assert res.stderr.startswith("error: id 'nope' is not among the 12 records read") and res.stderr.count("\n") == 1
    assert run_cli("explain", *SAMPLE_FEEDS, "--id", "a", "--id", "b", "--id", "c").exit_code == 2
