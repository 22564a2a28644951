"""Worker processes, spilling to disk and the compiled paths change speed and memory, never the output."""

import datetime
import io
import json
import os
import subprocess
import sys
import tempfile
import time

import numpy as np
import pytest
from conftest import ROOT, SAMPLE_FEEDS, run_cli
from hypothesis import given, settings
from hypothesis import strategies as st

from dedupe import DedupeConfig, Record, Report, annotate, clean, read_records, sketch
from dedupe.pipeline import annotate_jsonl, write_annotated_jsonl
from dedupe.records import write_rows
from dedupe.shingles import shingle_hashes, window_hashes
from dedupe.store import RecordStore, Scratch

sys.path.insert(0, str(ROOT / "bench"))
from corpus import generate  # noqa: E402

CORPUS = generate(1100, seed=3)  # more than two chunks of 500: the worker pool really runs


def _bytes(job, items, cfg):
    buf = io.StringIO()
    write_rows(job(items, cfg, report=Report()), buf)
    return buf.getvalue()


def test_jobs_and_spill_give_the_same_bytes():
    plain = DedupeConfig()
    variants = [plain.with_(jobs=2, parallel_min_records=1),
                plain.with_(spill_records=1),
                plain.with_(jobs=2, parallel_min_records=1, spill_records=50),
                plain.with_(jobs=2, parallel_min_records=1, spill_records=700)]  # spills while reading
    for job, items in ((annotate, CORPUS), (clean, CORPUS[:300]),
                       (annotate, list(read_records(SAMPLE_FEEDS + ["samples/seed_dump.txt"])))):
        expected = _bytes(job, items, plain)
        assert expected.count("\n") > 5
        for cfg in variants:
            assert _bytes(job, items, cfg) == expected, (job.__name__, cfg)
            if job is annotate:  # the workers' JSONL blocks are the same bytes
                assert b"".join(annotate_jsonl(items, cfg)) == expected.encode("utf-8"), cfg
                # and so are the blocks they write to scratch files, copied into a file or written to a buffer
                buffer = io.BytesIO()
                write_annotated_jsonl(items, buffer, cfg)
                with tempfile.TemporaryDirectory() as d:
                    with open(os.path.join(d, "out.jsonl"), "wb") as fh:  # a plain file: copy_file_range
                        fh.write(b"head\n")
                        write_annotated_jsonl(items, fh, cfg)
                    with open(os.path.join(d, "out.jsonl"), "rb") as fh:
                        written = fh.read()
                assert written == b"head\n" + buffer.getvalue() == b"head\n" + expected.encode("utf-8"), cfg


def test_cli_jobs_flag_keeps_the_output(tmp_path):
    outs = []
    for jobs in ("1", "2"):
        out = tmp_path / f"o{jobs}.jsonl"
        assert run_cli("annotate", *SAMPLE_FEEDS, "-o", out, "-q", "--jobs", jobs).exit_code == 0
        outs.append(out.read_bytes())
    assert outs[0] == outs[1]
    assert run_cli("annotate", *SAMPLE_FEEDS, "--jobs", "-1").exit_code == 2


def test_temporary_files_are_removed(tmp_path):
    cfg = DedupeConfig(spill_records=1, temp_dir=str(tmp_path))
    rows = annotate(CORPUS[:50], cfg)
    next(rows)
    assert os.listdir(tmp_path)  # spilled while the rows are read
    rows.close()
    assert os.listdir(tmp_path) == []
    list(clean(CORPUS[:50], cfg))
    assert os.listdir(tmp_path) == []


def test_record_store_round_trip_and_values_json_would_change():
    scratch = Scratch()
    try:
        recs = [Record(i, f"r{i}", f"Text {i}.", "T", "f", None, f"x:{i}", {"text": f"Text {i}.", "n": [i]})
                for i in range(5)]
        odd = Record(5, "r5", "Dated.", "", "f", None, "x:5", {"text": "Dated.", "when": datetime.date(2024, 1, 2)})
        store = RecordStore(scratch, spill_at=3)
        store.extend([*recs, odd])
        store.seal()
        assert store.spilled and len(store) == 6 and store.ids == [f"r{i}" for i in range(6)]
        assert list(store) == [*recs, odd] and store[5] is odd and store[-2] == recs[4]
        assert store[1:3] == recs[1:3] and store[2:6] == [*recs[2:5], odd] and store[4:2] == []
    finally:
        scratch.close()


@settings(max_examples=40, deadline=None, derandomize=True)
@given(st.lists(st.lists(st.integers(0, 3), min_size=12, max_size=12), min_size=2, max_size=40),
       st.sampled_from([0.3, 0.5, 0.8]))
def test_lsh_pairs_equal_datasketch_minhash_lsh(rows, threshold):
    from datasketch import MinHash, MinHashLSH
    sigs = np.array(rows, dtype=np.uint32)  # few distinct values: many band collisions
    lsh, expected = MinHashLSH(threshold=threshold, num_perm=12), set()
    for j, row in enumerate(sigs):
        m = MinHash(num_perm=12, hashvalues=row.astype(np.uint64), scheme="affine32")
        expected.update((i, j) for i in lsh.query(m))
        lsh.insert(j, m)
    ours = sketch.candidate_pairs(sigs, threshold, 12).tolist()
    assert ours == sorted(ours) and {tuple(p) for p in ours} == expected


@pytest.mark.parametrize("num_perm", [8, 16, 64, 100, 128, 256])
def test_lsh_bands_and_permutations_equal_datasketch(num_perm):
    from datasketch import MinHash, MinHashLSH
    for threshold in [0.05, 0.1, 0.2, 0.25, 0.3, 0.33, 0.4, 0.5, 0.6, 0.7, 0.77, 0.8, 0.9, 0.95]:
        sketch.lsh_bands.cache_clear()
        try:
            lsh = MinHashLSH(threshold=threshold, num_perm=num_perm)
        except ValueError:  # one band
            with pytest.raises(ValueError, match="one band"):
                sketch.lsh_bands(threshold, num_perm)
            continue
        assert sketch.lsh_bands(threshold, num_perm) == (lsh.b, lsh.r), threshold
    for seed in (1, 2, 12345):
        a, b = MinHash(num_perm=num_perm, seed=seed, scheme="affine32").permutations
        ours = sketch._permutations(num_perm, seed)
        assert ours[0].dtype == ours[1].dtype == np.uint32
        assert np.array_equal(ours[0], a) and np.array_equal(ours[1], b)


def test_a_run_does_not_import_datasketch():
    # datasketch loads scipy: a third of a second at every start for what sketch computes itself.
    code = ("import sys, dedupe; dedupe.annotate(['Rain fell on the town all day.', 'Rain fell on the town.']); "
            "print('datasketch' in sys.modules, 'scipy.integrate' in sys.modules)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.split() == ["False", "False"]


@settings(max_examples=30, deadline=None, derandomize=True)
@given(st.text(max_size=300))
def test_signing_every_window_equals_signing_distinct_shingles(text):
    a = sketch.signature_matrix([window_hashes(text, 7)])
    b = sketch.signature_matrix([shingle_hashes(text, 7)])
    assert np.array_equal(a, b)
    assert np.array_equal(b[0], sketch.minhash(shingle_hashes(text, 7)).hashvalues)


def test_spilled_texts_come_back_equal():
    from dedupe.features import extract_all, learn_boilerplate
    recs = list(read_records(SAMPLE_FEEDS))
    cfg = DedupeConfig()
    bp = learn_boilerplate(recs, cfg)
    with tempfile.TemporaryDirectory() as d:
        mem = [f for part, _ in extract_all(recs, bp, cfg) for f in part]
        disk = [f for part, _ in extract_all(recs, bp, cfg, spill_dir=d) for f in part]
        for a, b in zip(mem, disk):
            assert isinstance(b.texts, type(disk[0].texts)) and not isinstance(b.texts, tuple)
            assert (a.body, a.names_text, a.names) == (b.body, b.names_text, b.names)
            assert np.array_equal(a.shingles, b.shingles)
    assert json.dumps([f.body_len for f in mem]) == json.dumps([len(f.body) for f in mem])


def test_missing_directories_are_usage_errors(tmp_path):
    res = run_cli("clean", *SAMPLE_FEEDS, "--temp-dir", tmp_path / "nope", "-q")
    assert res.exit_code == 2 and "--temp-dir" in res.stderr and res.stderr.count("\n") == 1
    res = run_cli("clean", *SAMPLE_FEEDS, "-o", tmp_path / "nope" / "out.jsonl", "-q")
    assert res.exit_code == 2 and res.stderr.startswith("error: -o ") and res.stderr.count("\n") == 1
    res = run_cli("clean", *SAMPLE_FEEDS, "--temp-dir", tmp_path, "-o", tmp_path / "out.jsonl", "-q")
    assert res.exit_code == 0 and os.listdir(tmp_path) == ["out.jsonl"]


@settings(max_examples=60, deadline=None, derandomize=True)
@given(st.integers(1, 5), st.lists(st.sampled_from([0, 1, 2, 2 ** 31, 2 ** 32 - 1]), min_size=5, max_size=200))
def test_packed_band_keys_order_rows_as_lexsort_does(columns, values):
    block = np.array(values[: len(values) // columns * columns] or [0] * columns, dtype=np.uint32).reshape(-1, columns)
    assert sketch._row_order(block).tolist() == np.lexsort(block.T[::-1]).tolist()


@settings(max_examples=100, deadline=None, derandomize=True)
@given(st.integers(1, 4), st.lists(st.integers(0, 3), max_size=120), st.booleans())
def test_hashed_band_rows_group_equal_rows(columns, values, collide):
    # Runs of equal rows as the row hashes find them; with every hash equal, the rows are sorted instead.
    block = np.array(values[: len(values) // columns * columns] or [0] * columns, dtype=np.uint32).reshape(-1, columns)
    mix = sketch._MIX
    try:
        sketch._MIX = np.uint64(0) if collide else mix
        order, starts, ends = sketch._equal_row_runs(block, np.arange(len(block)), 0, columns)
    finally:
        sketch._MIX = mix
    groups = {frozenset(order[a:b].tolist()) for a, b in zip(starts, ends)}
    rows = [tuple(r) for r in block.tolist()]
    expected = {frozenset(i for i, r in enumerate(rows) if r == row) for row in set(rows) if rows.count(row) > 1}
    assert groups == expected


def test_bands_sorted_by_threads_give_the_same_pairs():
    rng = np.random.default_rng(7)
    values = np.array([*range(15), 2 ** 31, 2 ** 32 - 1], dtype=np.uint32)  # top bits: the packed keys' high half
    sigs = rng.choice(values, size=(12_000, 12))  # past the thread floor
    present = rng.random(12_000) > 0.1
    one = sketch.candidate_pairs(sigs, 0.5, 12, present, as_codes=True, jobs=1)
    assert len(one) and np.array_equal(sketch.candidate_pairs(sigs, 0.5, 12, present, as_codes=True, jobs=2), one)


def test_features_read_before_the_input_spills_go_to_disk_too():
    from dedupe.features import learn_and_extract_chunks, record_chunks
    from dedupe.store import TextsOnDisk
    recs = list(read_records(SAMPLE_FEEDS))
    scratch = Scratch()
    try:
        half = len(recs) // 2
        chunks = [(0, recs[:half], None), *((lo + half, part, scratch.directory)
                                            for lo, part, _ in record_chunks(recs[half:]))]
        _, feats, sigs = learn_and_extract_chunks(chunks, recs, DedupeConfig())
        assert len(feats) == len(recs) == len(sigs) and all(isinstance(f.texts, TextsOnDisk) for f in feats)
        _, in_memory, _ = learn_and_extract_chunks(record_chunks(recs), recs, DedupeConfig())
        assert [f.body for f in feats] == [f.body for f in in_memory]
    finally:
        scratch.close()


def test_spilled_rows_written_from_their_stored_json_are_the_rows_encoded_anew():
    from dedupe.pipeline import VERDICT_FIELDS, splice_kind
    from dedupe.records import records_from_objects
    article = ("Storms hit the coast on Monday and power was cut to thousands of homes across the region. "
               "Crews worked through the night to restore it, officials said.")
    rows = [
        {"id": "a1", "text": "Rain fell on the hills all week and rivers rose to record levels.", "score": 0.1},
        {"text": "Rain fell on the hills all week and rivers rose to record levels!", "n": 1.5e300},  # no id
        {"id": "big", "text": "An integer orjson refuses. Another line.", "n": 2 ** 70},
        {"id": 7, "text": "Rain fell on the hills all week and rivers", "tags": ["a", {"b": None}]},
        {"id": "a1", "text": "A repeated id is renamed. It stays here."},
        {"id": "k", "text": "VERDICT FIELDS: the input has its own.", "kicker": "x", "story_id": "y"},
        {"id": "t", "text": "Storms hit the coast on Monday and power was cut to thousands of homes across the"},
        {"guid": "g\ud800", "text": article},  # orjson refuses its id, so the teaser's verdict too
        {"id": "e", "title": "Café", "text": 'Ünïcode, "quoted"\tand tabbed. \u2028 Done.', "empty": {}},
        {"id": "f", "text": ""},
    ]
    kinds = [splice_kind(r) for r in records_from_objects(rows)]
    assert set(kinds) == {0, 1, 2}
    plain = b"".join(annotate_jsonl(rows, DedupeConfig()))
    assert b"".join(annotate_jsonl(rows, DedupeConfig(spill_records=1))) == plain
    out = [json.loads(line) for line in plain.splitlines()]
    assert out[6]["completed_by"] == "g\ud800" and out[6]["repaired_text"] == article
    assert set(out[0]) == {"id", "text", "score"} | VERDICT_FIELDS and out[5]["kicker"] == "VERDICT FIELDS"


def test_bench_rounds_pair_each_kind_with_its_peers(tmp_path):
    import run as bench_run  # bench/run.py
    path = bench_run.write(60, tmp_path)
    ours, theirs = (60, path, "sig_dedupe_1"), (60, path, "sig_datasketch")
    res = bench_run.measure_rounds([ours, theirs], runs=2, long_seconds=1e9)
    assert [len(r["rounds"]) for r in res.values()] == [2, 2]
    assert all(x > 0 for r in res.values() for x in r["rounds"])
    assert res[ours]["batch"] == res[theirs]["batch"]
    # A kind whose first run is long runs once; its other rounds hold None, and ratios pair the rest.
    once = bench_run.measure_rounds([ours], runs=2, long_seconds=0)
    assert once[ours]["rounds"][1] is None and once[ours]["runs"] == 1
    a = {"docs_per_s": 10, "rounds": [10, 40, None], "batch": "x"}
    b = {"docs_per_s": 5, "rounds": [5, 10, 3], "batch": "x"}
    assert bench_run.paired_ratio(a, b) == 3.0  # rounds 1 and 2: 2x and 4x
    assert bench_run.paired_ratio(a, {**b, "batch": "y"}) == 2.0  # other rounds: medians
    page = bench_run.render({"200": {"full_dedupe_2": {"docs_per_s": 100, "rss_mb": 1, "runs": 1}},
                             "1000": {"full_dedupe_2": {"docs_per_s": 50, "rss_mb": 1, "runs": 1}}})
    assert "20.0 s, 10.00x the time of 200 documents" in page
    assert "signatures" not in page.split("## 1,000 documents")[1]  # stages not measured are left out


def test_bench_keeps_figures_of_different_processors_apart():
    import run as bench_run  # bench/run.py
    here, there = bench_run.cpu_model(), "Another CPU @ 9GHz"
    assert bench_run.paired_ratio({"docs_per_s": 4, "cpu": here}, {"docs_per_s": 2, "cpu": here}) == 2.0
    assert bench_run.paired_ratio({"docs_per_s": 4, "cpu": here}, {"docs_per_s": 2, "cpu": there}) is None
    row = {"docs_per_s": 100, "rss_mb": 1, "runs": 1, "date": "d"}
    page = bench_run.render({"200": {"full_dedupe_2": {**row, "cpu": there},
                                     "full_datasketch": {**row, "docs_per_s": 10, "cpu": here}},
                             "1000": {"full_dedupe_2": {**row, "cpu": here}}})
    assert f"Machine: {here}," in page and f"| d, {there} |" in page and "| d |" in page
    assert "vs datasketch" not in page and "the time of 200" not in page  # no ratio across processors


def test_bench_times_a_short_stage_over_passes():
    import run as bench_run  # bench/run.py
    calls = []
    assert bench_run._timed_passes(lambda: calls.append(1), budget=1.0, most=5) < 0.5
    assert len(calls) == 5  # short: run again, up to `most` times
    calls.clear()
    bench_run._timed_passes(lambda: calls.append(time.sleep(0.02)), budget=0.01)
    assert len(calls) == 1  # over the budget at once: one pass
