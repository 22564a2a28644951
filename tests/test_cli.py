import json
import os

from conftest import ROOT, SAMPLE_FEEDS, read_jsonl, run_cli

GOLDEN = ROOT / "tests" / "golden"


def _check_golden(name, text):
    path = GOLDEN / name
    if os.environ.get("UPDATE_GOLDEN"):
        path.write_text(text, encoding="utf-8")
    assert text == path.read_text(encoding="utf-8"), f"{name} changed; rerun with UPDATE_GOLDEN=1 if intended"


def test_clean_on_samples_matches_golden(tmp_path):
    out = tmp_path / "clean.jsonl"
    res = run_cli("clean", *SAMPLE_FEEDS, "-o", out, "--report", tmp_path / "r.json")
    assert res.exit_code == 0, res.output
    assert res.stdout == ""  # data goes to the file, the summary to stderr
    assert "records read       12" in res.stderr
    _check_golden("clean.jsonl", out.read_text(encoding="utf-8"))
    rows = read_jsonl(out)
    assert {"story_id", "members", "feeds", "repair", "completed_by", "kicker"} <= set(rows[0])
    report = json.loads((tmp_path / "r.json").read_text())
    assert report["records_read"] == sum(len(r["members"]) for r in rows) + report["records_rejected"]


def test_annotate_on_samples_matches_golden():
    res = run_cli("annotate", *SAMPLE_FEEDS, "--quiet")
    assert res.exit_code == 0 and res.stderr == ""
    _check_golden("annotate.jsonl", res.stdout)
    rows = [json.loads(line) for line in res.stdout.splitlines()]
    fields = {"story_id", "canonical", "duplicate_of", "truncated", "completed_by", "repaired_text",
              "kicker", "reasons"}
    assert all(fields <= set(r) for r in rows)
    assert sum(r["canonical"] for r in rows) == len({r["story_id"] for r in rows})


def test_help_names_config_defaults():
    res = run_cli("clean", "--help")
    assert res.exit_code == 0 and "--orphans" in res.stdout and "--jaccard-threshold" in res.stdout


def test_the_command_ends_with_its_exit_code_and_every_byte_written(tmp_path):
    # `dedupe` ends its process at once after the app (cli.main): stdout and stderr must be
    # flushed first, and each exit code kept.
    import subprocess
    import sys

    def command(*args):
        return subprocess.run([sys.executable, "-m", "dedupe.cli", *map(str, args)], capture_output=True, cwd=ROOT)

    to_stdout = command("annotate", *SAMPLE_FEEDS, "-q")
    assert to_stdout.returncode == 0, to_stdout.stderr
    assert to_stdout.stdout == (ROOT / "tests" / "golden" / "annotate.jsonl").read_bytes()
    summary = command("clean", *SAMPLE_FEEDS, "-o", tmp_path / "c.jsonl")
    assert summary.returncode == 0 and b"records read" in summary.stderr and summary.stdout == b""
    missing = command("clean", tmp_path / "nope.jsonl")
    assert missing.returncode == 2 and b"no such file" in missing.stderr
    bad = tmp_path / "bad.jsonl"
    bad.write_text('{"id": "a", "text": "Fine."}\n{oops\n')
    assert command("clean", bad, "--strict", "-q").returncode == 1
    assert command("no-such-command").returncode == 2
