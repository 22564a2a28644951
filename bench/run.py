"""Benchmarks dedupe against datasketch (and rensa when installed), side by side.

    make bench                      # 20k documents
    BENCH_SIZES=20000,200000 make bench

Each measurement runs in its own process (`/usr/bin/time`-style peak RSS from `resource`), three times;
the median docs/s is reported. Results go to bench/RESULTS.md.
"""

from __future__ import annotations

import json
import os
import platform
import statistics
import subprocess
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(HERE))

from corpus import write  # noqa: E402

WORKERS = {
    # Signature stage only: the same shingles (dedupe's), signed by each library.
    "datasketch MinHash.bulk (affine32)": "sig_datasketch",
    "rensa RMinHash": "sig_rensa",
    "dedupe features + signatures": "sig_dedupe",
    # Full pass from the JSONL file to the annotated output.
    "datasketch MinHashLSH full pass (sign, LSH, verify)": "full_datasketch",
    "dedupe annotate (CLI)": "full_dedupe",
}


def worker(kind: str, path: str) -> None:
    """Runs one measurement in this process and prints a JSON line."""
    import resource
    import time

    import numpy as np

    from dedupe import DedupeConfig, read_records
    from dedupe.shingles import shingle_hashes
    from dedupe.text import compact

    cfg = DedupeConfig()
    docs = [json.loads(line) for line in open(path, encoding="utf-8")]
    t0 = time.perf_counter()
    if kind.startswith("sig_"):
        shingles = [shingle_hashes(compact(d["text"]), cfg.shingle_size) for d in docs]
        t0 = time.perf_counter()  # time the signing alone, after shingling
        if kind == "sig_datasketch":
            from datasketch import MinHash
            MinHash.bulk([s.tolist() for s in shingles], num_perm=cfg.num_perm, hashfunc=int)
        elif kind == "sig_rensa":
            from rensa import RMinHash
            for s in shingles:
                m = RMinHash(num_perm=cfg.num_perm, seed=cfg.seed)
                m.update([str(x) for x in s.tolist()])
        else:
            from dedupe import sketch
            list(sketch.minhash_generator(shingles, cfg.num_perm, cfg.seed))
    elif kind == "full_datasketch":
        from datasketch import MinHash, MinHashLSH
        lsh = MinHashLSH(threshold=0.5, num_perm=cfg.num_perm)
        sets = []
        for i, d in enumerate(docs):
            s = shingle_hashes(compact(d["text"]), cfg.shingle_size)
            m = MinHash(num_perm=cfg.num_perm, hashfunc=int)
            m.update_batch(s.tolist())
            for j in lsh.query(m):
                np.intersect1d(s, sets[j]).size  # verify
            lsh.insert(i, m)
            sets.append(s)
    else:
        out = ROOT / "bench" / "out" / "annotated.jsonl"
        subprocess.run([sys.executable, "-m", "dedupe.cli", "annotate", path, "-o", str(out), "-q"], check=True)
        rss_child = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
        print(json.dumps({"seconds": time.perf_counter() - t0, "docs": len(docs), "rss_kb": rss_child}))
        return
    del read_records
    print(json.dumps({"seconds": time.perf_counter() - t0, "docs": len(docs),
                      "rss_kb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss}))


def measure(kind: str, path: Path, runs: int = 3) -> dict | None:
    results = []
    for _ in range(runs):
        proc = subprocess.run([sys.executable, __file__, "--worker", kind, str(path)],
                              capture_output=True, text=True)
        if proc.returncode != 0:
            return None  # e.g. rensa not installed
        results.append(json.loads(proc.stdout.strip().splitlines()[-1]))
    rates = [r["docs"] / r["seconds"] for r in results]
    return {"docs_per_s": statistics.median(rates), "rss_mb": max(r["rss_kb"] for r in results) / 1024}


def main() -> None:
    sizes = [int(s) for s in os.environ.get("BENCH_SIZES", "20000").split(",")]
    lines = ["# Benchmark results", "",
             f"Machine: {platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}, "
             f"{platform.system()} {platform.release()}", "",
             "Median of 3 runs, each in its own process. Corpus: bench/corpus.py (Zipf vocabulary, "
             "300-1,000-word documents, planted reprints and teasers).", ""]
    for n in sizes:
        path = write(n, HERE / "out" / f"corpus-{n}.jsonl")
        lines += [f"## {n:,} documents", "", "| what | docs/s | peak RSS MB |", "|---|---:|---:|"]
        for label, kind in WORKERS.items():
            res = measure(kind, path)
            row = (f"| {label} | {res['docs_per_s']:,.0f} | {res['rss_mb']:,.0f} |" if res
                   else f"| {label} | not installed | |")
            print(row, flush=True)
            lines.append(row)
        lines.append("")
    (HERE / "RESULTS.md").write_text("\n".join(lines), encoding="utf-8")
    print(f"written {HERE / 'RESULTS.md'}")


if __name__ == "__main__":
    if len(sys.argv) == 4 and sys.argv[1] == "--worker":
        worker(sys.argv[2], sys.argv[3])
    else:
        main()
