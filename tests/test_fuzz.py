"""Nasty inputs: every case ends in a clean result or a one-line message, never a traceback,
and every record read is accounted for (read = written + rejected)."""

import gzip
import json
import subprocess
import sys

import pytest
from conftest import read_jsonl, run_cli, write
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from dedupe import DedupeConfig, InputError, Report, annotate, read_records

STORY = ("The Northport harbour bridge will close to all traffic for six weeks from Monday while engineers "
         "replace corroded steel cables, the city council said on Thursday.")
CSV_STORY = b'"' + STORY.encode() + b'"'
OK = json.dumps({"id": "ok", "text": STORY}) + "\n"


def _line(obj):
    return (json.dumps(obj) + "\n").encode()


# name -> (file name, bytes, expected rejects by reason)
CORPUS = {
    "bad_utf8": ("f.jsonl", OK.encode() + b'{"id": "x", "text": "caf\xe9 \xff"}\n', {"undecodable_bytes": 1}),
    "latin1_line_in_utf8_file": ("f.txt", b"Caf\xc3\xa9 one.\n\nCaf\xe9 two.\n", {"undecodable_bytes": 1}),
    "utf8_bom_jsonl": ("f.jsonl", b"\xef\xbb\xbf" + OK.encode(), {}),
    "utf8_bom_csv": ("f.csv", b"\xef\xbb\xbfid,text\r\nok," + CSV_STORY + b"\r\n", {}),
    "utf16_file": ("f.jsonl", OK.encode("utf-16"), None),
    "nul_in_json_string": ("f.jsonl", OK.encode() + b'{"id": "n", "text": "a\x00b"}\n', {"bad_json": 1}),
    "nul_escaped": ("f.jsonl", OK.encode() + _line({"id": "n", "text": "Story\u0000 with a NUL."}), {}),
    "nul_in_txt": ("f.txt", b"A story \x00 with a NUL byte.\n", {}),
    "deep_json_line": ("f.jsonl", OK.encode() + b"[" * 100_000 + b"]" * 100_000 + b"\n", {"bad_json": 1}),
    "deep_text_field": ("f.jsonl", OK.encode() + _line({"text": {"a": {"b": [1, [2, [3]]]}}}),
                        {"text_not_a_string": 1}),
    "number_text": ("f.jsonl", OK.encode() + _line({"text": 5}), {"text_not_a_string": 1}),
    "array_text": ("f.jsonl", OK.encode() + _line({"text": ["a", "b"]}), {"text_not_a_string": 1}),
    "null_text_and_title": ("f.jsonl", OK.encode() + _line({"id": "z", "text": None, "title": None}),
                            {"no_text": 1}),
    "bare_values": ("f.jsonl", OK.encode() + b"5\nnull\ntrue\n[1,2]\n", {"not_an_object": 4}),
    "nan_and_huge_numbers": ("f.jsonl", OK.encode() + b'{"text": "x y z.", "score": NaN}\n'
                             b'{"text": "x y z.", "score": 1e400}\n', {"bad_json": 2}),
    "lone_surrogate": ("f.jsonl", OK.encode() + b'{"id": "s", "text": "bad \\ud800 escape."}\n'
                       b'{"id": "t", "text": "fine.", "note": "\\udfff"}\n', {"invalid_unicode": 1}),
    "csv_newlines_quotes_crlf": ("f.csv", b'id,title,text\r\na,"He said ""hi""","Line one,\r\nline two."\r\n'
                                 b'b,plain,' + CSV_STORY + b"\r\n", {}),
    "csv_unbalanced_quote": ("f.csv", b'id,text\nok,' + CSV_STORY + b'\nbad,"never closed\n',
                             {"bad_csv": 1}),
    "crlf_jsonl": ("f.jsonl", OK.replace("\n", "\r\n").encode() * 2, {}),
    "crlf_txt": ("f.txt", b"One story here.\r\n\r\nAnother story there.\r\n", {}),
    "duplicate_ids": ("f.jsonl", OK.encode() * 3, {}),
    "empty_lines_100k": ("f.jsonl", b"\n" * 100_000 + OK.encode() + b"\r\n" * 1000, {}),
    "empty_lines_txt": ("f.txt", b"\n" * 100_000 + b"Only story.\n" + b"\n" * 100, {}),
    "whitespace_only": ("f.jsonl", b"   \n\t\n", {}),
    "empty_file": ("f.csv", b"", {}),
    "punctuation_only_text": ("f.jsonl", _line({"text": "... !!! ???"}) + _line({"text": "—"}), {}),
    "no_spaces_50k": ("f.jsonl", _line({"text": "x" * 50_000}) * 2, {}),
    "json_array_with_junk": ("f.json", json.dumps([{"text": STORY}, 5, None, {"text": 7}]).encode(),
                             {"not_an_object": 2, "text_not_a_string": 1}),
}


@pytest.mark.parametrize("name", list(CORPUS))
def test_nasty_input_ends_in_a_clean_result(tmp_path, name):
    file_name, data, expected = CORPUS[name]
    p = write(tmp_path / file_name, data, "wb")
    out, rep, rej = tmp_path / "out.jsonl", tmp_path / "r.json", tmp_path / "rejects"
    res = run_cli("annotate", p, "-o", out, "--report", rep, "--rejects", rej)
    assert res.exception is None or isinstance(res.exception, SystemExit), res.exception
    assert "Traceback" not in res.stderr
    assert res.exit_code == 0, res.stderr
    report = json.loads(rep.read_text())
    rows = read_jsonl(out)
    assert report["records_read"] == len(rows) + report["records_rejected"]
    if expected is not None:
        assert {k: v for k, v in report["rejected_by_reason"].items()} == {k: v for k, v in expected.items() if v}
    assert rej.read_bytes().count(b"\n") == report["records_rejected"]
    assert len({r["id"] for r in rows}) == len(rows)  # ids stay unique, repeated ones renamed


def test_repeated_ids_are_renamed_and_counted(tmp_path):
    p = write(tmp_path / "f.jsonl", OK * 3)
    rep = tmp_path / "r.json"
    rows = read_jsonl_cli(p, rep)
    assert [(r["id"], r.get("source_id")) for r in rows] == [("ok", None), ("ok#2", "ok"), ("ok#3", "ok")]
    assert json.loads(rep.read_text())["duplicate_ids"] == 2


def read_jsonl_cli(p, rep):
    res = run_cli("annotate", p, "--report", rep, "-q")
    return [json.loads(line) for line in res.stdout.splitlines()]


def test_a_whole_file_error_is_one_line_naming_the_file(tmp_path):
    cases = {
        "deep.json": b"[" * 100_000 + b"]" * 100_000,
        "cut.json": b'[{"text": "a"},',
        "cut.jsonl.gz": gzip.compress(OK.encode() * 50)[:-20],
        "head.csv": b'id,"text\n',
    }
    for name, data in cases.items():
        p = write(tmp_path / name, data, "wb")
        res = run_cli("annotate", p, "-o", tmp_path / "out.jsonl")
        assert res.exit_code == 1, (name, res.stderr)
        assert res.stderr.startswith(f"error: {p}") and res.stderr.count("\n") == 1, res.stderr
        assert not (tmp_path / "out.jsonl").exists()


# Runs the CLI and prints its own peak RSS (VmHWM is per process image: a fork's parent pages do not count).
_MEASURED_CLI = """
import atexit, sys
atexit.register(lambda: sys.stderr.write(next(l for l in open("/proc/self/status") if l.startswith("VmHWM"))))
from dedupe.cli import app
app(sys.argv[1:])
"""


def test_a_50mb_line_is_rejected_verbatim_with_bounded_memory(tmp_path):
    p = tmp_path / "big.jsonl"
    head, chunk, tail = b'{"id": "big", "text": "', b"word " * 200_000, b'"}\n'
    with open(p, "wb") as fh:
        fh.write(OK.encode() + head)
        for _ in range(50):  # 50 MB without holding it in this process
            fh.write(chunk)
        fh.write(tail + OK.replace('"ok"', '"ok2"').encode())
    out, rej, rep = tmp_path / "out.jsonl", tmp_path / "rejects.jsonl", tmp_path / "r.json"
    def peak_kb(*args):
        run = subprocess.run([sys.executable, "-c", _MEASURED_CLI, "annotate", *map(str, args), "-q"],
                             capture_output=True, text=True)
        assert run.returncode == 0, run.stderr
        return int(run.stderr.split()[-2])

    baseline = peak_kb(write(tmp_path / "small.jsonl", OK), "-o", tmp_path / "small.out")
    peak = peak_kb(p, "-o", out, "--rejects", rej, "--report", rep)
    assert rej.stat().st_size == len(head) + 50 * len(chunk) + len(tail)
    with open(rej, "rb") as fh:
        assert fh.read(len(head)) == head and fh.read(len(chunk)) == chunk
    report = json.loads(rep.read_text())
    assert report["rejected_by_reason"] == {"record_too_large": 1} and report["records_out"] == 2
    # The line is 50 MB; reading it whole (bytes, then str) would add 100+ MB to the start-up's peak.
    assert peak - baseline < 40_000, f"peak RSS {peak} KB against {baseline} KB for a one-line file"


def test_record_limit_is_a_flag(tmp_path):
    p = write(tmp_path / "f.jsonl", OK * 2)
    res = run_cli("annotate", p, "--max-record-bytes", "100", "--strict")
    assert res.exit_code == 1
    assert res.stderr == f"error: {p}:1: line is over 100 bytes ({len(OK)}): raise --max-record-bytes\n"


JSON_VALUES = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False, allow_infinity=False) | st.text(),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.sampled_from(["text", "title", "id", "x"]),
                                                                 inner, max_size=4),
    max_leaves=8)


@settings(max_examples=60, deadline=None, derandomize=True, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.lists(st.one_of(JSON_VALUES.map(lambda v: json.dumps(v).encode()), st.binary(max_size=80)), max_size=12),
       st.sampled_from(["f.jsonl", "f.csv", "f.txt", "f.tsv"]))
def test_random_lines_never_crash_and_every_record_is_counted(tmp_path, lines, name):
    p = write(tmp_path / name, b"\n".join(lines), "wb")
    report = Report()
    try:
        rows = list(annotate(read_records([p], report=report), report=report))
    except InputError as e:
        assert str(e).startswith(p) and "\n" not in str(e)
        return
    assert report.records_read == len(rows) + report.records_rejected


@settings(max_examples=40, deadline=None, derandomize=True)
@given(st.lists(st.text(min_size=1, max_size=300), min_size=1, max_size=8))
def test_any_unicode_text_comes_back_unchanged(texts):
    report = Report()
    rows = list(annotate([{"id": str(i), "text": t} for i, t in enumerate(texts)], DedupeConfig(), report=report))
    kept = [r for r in rows]
    assert len(kept) + report.records_rejected == len(texts)
    by_id = {r["id"]: r for r in kept}
    for i, t in enumerate(texts):
        if str(i) in by_id:
            assert by_id[str(i)]["text"] == t
            json.dumps(by_id[str(i)], ensure_ascii=False).encode("utf-8")
