import gzip
import json
import os

import pytest
from conftest import SAMPLE_FEEDS, read_jsonl, run_cli, write

from dedupe import DedupeConfig, FieldKeys, InputError, Report, read_records
from dedupe.records import atomic_writer

STORY = "Storm Ida brought down trees across the county on Tuesday. Power was cut to 4,000 homes."


def ids(path, **kw):
    return [r.id for r in read_records([path], **kw)]


def test_every_input_format(tmp_path):
    rec = {"id": "a", "text": STORY, "title": "Storm"}
    write(tmp_path / "f.jsonl", json.dumps(rec) + "\n")
    write(tmp_path / "f.ndjson", json.dumps(rec) + "\n")
    write(tmp_path / "f.json", json.dumps([rec]))
    write(tmp_path / "f.csv", f'id,text,title\na,"{STORY}",Storm\n')
    write(tmp_path / "f.tsv", f"id\ttext\ttitle\na\t{STORY}\tStorm\n")
    (tmp_path / "f.jsonl.gz").write_bytes(gzip.compress((json.dumps(rec) + "\n").encode()))
    for name in ("f.jsonl", "f.ndjson", "f.json", "f.csv", "f.tsv", "f.jsonl.gz"):
        recs = list(read_records([str(tmp_path / name)]))
        assert [(r.id, r.text, r.title) for r in recs] == [("a", STORY, "Storm")], name
    write(tmp_path / "d.txt", f"{STORY}\n\nSecond story here.\nIts second line.\n")
    assert [r.text for r in read_records([str(tmp_path / "d.txt")])] == [
        STORY, "Second story here.\nIts second line."]
    cfg = DedupeConfig(split="line")
    assert len(list(read_records([str(tmp_path / "d.txt")], cfg))) == 3


def test_field_detection_and_overrides(tmp_path):
    p = write(tmp_path / "f.jsonl", json.dumps({"guid": "g1", "description": STORY, "headline": "H",
                                                 "site": "Site", "pubDate": "2026-01-01", "x": "alt"}) + "\n")
    r = next(read_records([p]))
    assert (r.id, r.text, r.title, r.feed, r.date) == ("g1", STORY, "H", "Site", "2026-01-01")
    r = next(read_records([p], keys=FieldKeys(text="x", id="site")))
    assert (r.id, r.text) == ("Site", "alt")
    p2 = write(tmp_path / "nofeed.jsonl", json.dumps({"text": STORY}) + "\n")
    r = next(read_records([p2]))
    assert (r.id, r.feed) == (f"{p2}:1", "nofeed.jsonl")


def test_headline_only_records_take_part(tmp_path):
    p = write(tmp_path / "f.jsonl", json.dumps({"id": "h", "title": "Storm Ida hits the county", "text": ""}) + "\n")
    assert ids(p) == ["h"]


BAD_CASES = [
    ("bad_json", "f.jsonl", b'{"id": "ok", "text": "Fine text."}\n{"id": "x", "text": \n'),
    ("undecodable_bytes", "f.jsonl", b'{"id": "ok", "text": "Fine text."}\n{"id": "x", "text": "\xff\xfe"}\n'),
    ("no_text", "f.jsonl", b'{"id": "ok", "text": "Fine text."}\n{"id": "x", "text": ""}\n'),
    ("text_not_a_string", "f.jsonl", b'{"id": "ok", "text": "Fine text."}\n{"id": "x", "text": 42}\n'),
    ("not_an_object", "f.jsonl", b'{"id": "ok", "text": "Fine text."}\n[1, 2]\n'),
    ("wrong_field_count", "f.csv", b'id,text\nok,Fine text.\nx,two,three\n'),
]


@pytest.mark.parametrize("reason, name, data", BAD_CASES, ids=[c[0] for c in BAD_CASES])
def test_bad_input_is_skipped_counted_and_kept_verbatim(tmp_path, reason, name, data):
    p = write(tmp_path / name, data, "wb")
    rejects, out = tmp_path / "rejects.txt", tmp_path / "out.jsonl"
    res = run_cli("annotate", p, "-o", out, "--rejects", rejects, "--report", tmp_path / "r.json")
    assert res.exit_code == 0, res.output
    assert f"skipped {p}:{len(data.splitlines())}: {reason}" in res.stderr
    report = json.loads((tmp_path / "r.json").read_text())
    assert report["rejected_by_reason"] == {reason: 1}
    assert report["records_read"] == report["records_out"] + report["records_rejected"] == 2
    assert [r["id"] for r in read_jsonl(out)] == ["ok"]
    raw_line = data.splitlines()[-1]
    assert rejects.read_bytes().rstrip(b"\n") == raw_line  # byte for byte, undecodable bytes too


@pytest.mark.parametrize("reason, name, data", BAD_CASES, ids=[c[0] for c in BAD_CASES])
def test_strict_stops_with_file_and_line(tmp_path, reason, name, data):
    p = write(tmp_path / name, data, "wb")
    res = run_cli("annotate", p, "--strict", "-o", tmp_path / "out.jsonl")
    assert res.exit_code == 1
    assert res.stderr.startswith(f"error: {p}:")
    assert len(res.stderr.strip().splitlines()) == 1
    assert not (tmp_path / "out.jsonl").exists()


def test_missing_text_field_lists_the_keys_found(tmp_path):
    p = write(tmp_path / "f.jsonl", json.dumps({"id": 1, "words": "x", "lede": "y"}) + "\n")
    with pytest.raises(InputError, match="keys found: id, lede, words"):
        list(read_records([p]))
    res = run_cli("clean", p)
    assert res.exit_code == 1 and "--text-key" in res.stderr


def test_empty_input_gives_empty_output(tmp_path):
    p = write(tmp_path / "empty.jsonl", "")
    res = run_cli("clean", p, "-o", tmp_path / "out.jsonl")
    assert res.exit_code == 0
    assert (tmp_path / "out.jsonl").read_text() == ""


def test_usage_errors_exit_2(tmp_path):
    assert run_cli("clean", tmp_path / "missing.jsonl").exit_code == 2
    assert run_cli("clean", "samples/wire.jsonl", "--jaccard-threshold", "1.5").exit_code == 2
    assert run_cli("clean", "samples/wire.jsonl", "--lsh-min-agreement", "-0.1").exit_code == 2
    assert run_cli("clean", "samples/wire.jsonl", "--orphans", "burn").exit_code == 2


def test_read_equals_output_plus_rejected(tmp_path):
    lines = [json.dumps({"id": str(i), "text": f"Story number {i} is here. It rained."}) for i in range(30)]
    lines[5], lines[17] = "{broken", json.dumps({"id": "e", "text": None})
    p = write(tmp_path / "f.jsonl", "\n".join(lines) + "\n")
    report = Report()
    from dedupe import annotate
    out = list(annotate(read_records([p], report=report), report=report))
    assert report.records_read == 30 == len(out) + report.records_rejected
    assert dict(report.rejected) == {"bad_json": 1, "no_text": 1}


def test_atomic_writer_leaves_nothing_on_failure(tmp_path):
    target = tmp_path / "out.jsonl"
    with pytest.raises(RuntimeError):
        with atomic_writer(str(target)) as fh:
            fh.write("half a line")
            raise RuntimeError("interrupted")
    assert os.listdir(tmp_path) == []


@pytest.mark.parametrize("binary", [True, False])
def test_atomic_writer_gzips_and_leaves_nothing_on_failure(tmp_path, binary):
    target, line = tmp_path / "out.jsonl.gz", b"{}\n" if binary else "{}\n"
    with atomic_writer(str(target), binary=binary) as fh:
        fh.write(line)
    assert gzip.decompress(target.read_bytes()) == b"{}\n" and os.listdir(tmp_path) == ["out.jsonl.gz"]
    with pytest.raises(RuntimeError):
        with atomic_writer(str(tmp_path / "half.csv.gz"), binary=binary) as fh:
            fh.write(line)
            raise RuntimeError("interrupted")
    assert os.listdir(tmp_path) == ["out.jsonl.gz"]


def test_gzipped_output_holds_the_same_lines(tmp_path):
    # The JSONL output's blocks (copied by the kernel into a plain file) go through gzip the plain way.
    for name in ("o.jsonl", "o.jsonl.gz"):
        res = run_cli("annotate", *SAMPLE_FEEDS, "-o", tmp_path / name, "-q", "--jobs", "2")
        assert res.exit_code == 0, res.output
    assert gzip.decompress((tmp_path / "o.jsonl.gz").read_bytes()) == (tmp_path / "o.jsonl").read_bytes()


def test_stdin_and_csv_output(tmp_path):
    data = "".join(json.dumps({"id": str(i), "text": STORY}) + "\n" for i in range(2))
    res = run_cli("clean", "-", "-o", tmp_path / "o.csv", input=data)
    assert res.exit_code == 0, res.output
    text = (tmp_path / "o.csv").read_text()
    assert text.splitlines()[0].startswith("id,text,story_id,members")
    assert '"[""0"",""1""]"' in text  # list fields as compact JSON


def test_clean_writes_the_repair_back_to_the_text_field_it_read(tmp_path):
    teaser = "Growers say the harvest is the largest in a decade. They now face a shortage of pickers and warn that"
    p = write(tmp_path / "f.jsonl", json.dumps({"id": "t", "lede": teaser, "text": "other field"}) + "\n")
    res = run_cli("clean", p, "--text-key", "lede", "-q")
    row = json.loads(res.stdout)
    assert row["lede"] == "Growers say the harvest is the largest in a decade." and row["text"] == "other field"
    assert row["repair"] == "trimmed"


def test_clean_accounts_for_every_record_when_orphans_are_dropped(tmp_path):
    lines = [json.dumps({"id": "a", "text": STORY}), json.dumps({"id": "b", "text": STORY}), "not json",
             json.dumps({"id": "o", "text": "Growers warn of a shortage of pickers and say that"})]
    p = write(tmp_path / "f.jsonl", "\n".join(lines) + "\n")
    res = run_cli("clean", p, "--orphans", "drop", "--report", tmp_path / "r.json", "-o", tmp_path / "o.jsonl")
    assert res.exit_code == 0
    report = json.loads((tmp_path / "r.json").read_text())
    members = sum(len(r["members"]) for r in read_jsonl(tmp_path / "o.jsonl"))
    assert report["records_read"] == 4 == members + report["records_rejected"] + report["orphans_dropped"]


def _catches_sigterm(pid):
    with open(f"/proc/{pid}/status") as fh:
        mask = next(int(line.split()[1], 16) for line in fh if line.startswith("SigCgt:"))
    return bool(mask & (1 << (15 - 1)))


@pytest.mark.parametrize("signame, code, message", [("SIGTERM", 143, "terminated: no output written"),
                                                     ("SIGINT", 130, "interrupted: no output written")])
def test_an_interrupt_leaves_no_output_file(tmp_path, signame, code, message):
    import signal
    import subprocess
    import sys
    import time

    out, scratch = tmp_path / "out.jsonl", tmp_path / "scratch"
    scratch.mkdir()
    # Ctrl-C's default action, whatever this process inherited: a shell runs a background job with
    # SIGINT ignored, and Python then sets no KeyboardInterrupt handler in the child.
    proc = subprocess.Popen([sys.executable, "-m", "dedupe.cli", "annotate", "-", "-o", str(out),
                             "--temp-dir", str(scratch)], stdin=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                            preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL))
    proc.stdin.write(json.dumps({"id": "a", "text": STORY}) + "\n")
    proc.stdin.flush()
    deadline = time.monotonic() + 60
    while not _catches_sigterm(proc.pid) and time.monotonic() < deadline:
        time.sleep(0.05)  # wait until start-up is over and the handler is set (it then blocks on stdin)
    proc.send_signal(getattr(signal, signame))
    _, err = proc.communicate(timeout=30)
    assert proc.returncode == code
    assert err.strip().splitlines() == [message]  # one line, no traceback
    assert os.listdir(tmp_path) == ["scratch"] and os.listdir(scratch) == []  # temporary files gone too


def test_json_wrapped_in_an_object(tmp_path):
    rec = {"id": "a", "text": STORY, "tags": ["x", "y"]}
    p1 = write(tmp_path / "w.json", json.dumps({"items": [rec], "count": 1}))
    p2 = write(tmp_path / "one.json", json.dumps(rec))
    assert ids(p1) == ["a"] and ids(p2) == ["a"]


def test_csv_multiline_fields_keep_file_line_numbers(tmp_path):
    data = 'id,text\nm,"First line.\nSecond line, with a comma."\nx,"a", b ,c\nz,Last one.\n'
    p = write(tmp_path / "f.csv", data)
    report = Report()
    recs = list(read_records([p], report=report))
    assert [(r.id, r.origin) for r in recs] == [("m", f"{p}:2"), ("z", f"{p}:5")]
    assert recs[0].text == "First line.\nSecond line, with a comma."
    assert report.rejects == [("wrong_field_count", f"{p}:4", 'x,"a", b ,c\n')]


def test_oversized_record_is_rejected_by_size(tmp_path):
    p = write(tmp_path / "f.jsonl", json.dumps({"id": "big", "text": "word " * 300}) + "\n")
    report = Report()
    assert list(read_records([p], DedupeConfig(max_record_bytes=1000), report=report)) == []
    assert dict(report.rejected) == {"record_too_large": 1}
