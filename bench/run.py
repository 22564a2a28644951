"""Benchmarks dedupe against datasketch (and rensa when installed), side by side.

    make bench                      # 5k documents, about two minutes
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
    # Signature stage: every peer signs the same shingle hashes (dedupe's), already in memory.
    "signatures: datasketch MinHash.bulk (affine32)": "sig_datasketch",
    "signatures: rensa RMinHash batch (hashes given)": "sig_rensa",
    "signatures: dedupe sketch.signatures (numpy, = datasketch)": "sig_dedupe",
    # Full pass: read the JSONL, sign, find and verify candidates.
    "full pass: datasketch MinHashLSH insert + query + verify": "full_datasketch",
    "full pass: dedupe annotate (CLI, 1 process)": "full_dedupe",
}


def worker(kind: str, path: str) -> None:
    """Runs one measurement in this process and prints a JSON line: seconds, docs, peak RSS."""
    import resource
    import time

    from dedupe import DedupeConfig
    from dedupe.shingles import overlap, shingle_hashes
    from dedupe.text import compact

    cfg = DedupeConfig()
    t0 = time.perf_counter()
    if kind == "full_dedupe":
        out = HERE / "out" / "annotated.jsonl"
        subprocess.run([sys.executable, "-m", "dedupe.cli", "annotate", path, "-o", str(out), "-q"], check=True)
        docs = sum(1 for _ in open(path, encoding="utf-8"))
        rss = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
        print(json.dumps({"seconds": time.perf_counter() - t0, "docs": docs, "rss_kb": rss}))
        return
    texts = [json.loads(line)["text"] for line in open(path, encoding="utf-8")]
    if kind == "full_datasketch":
        from datasketch import MinHash, MinHashLSH
        lsh = MinHashLSH(threshold=0.5, num_perm=cfg.num_perm)
        sets = []
        for i, text in enumerate(texts):
            s = shingle_hashes(compact(text), cfg.shingle_size)
            m = MinHash(num_perm=cfg.num_perm, hashfunc=int)
            m.update_batch(s.tolist())
            verified = [j for j in lsh.query(m) if overlap(s, sets[j]) >= 0.5 * min(len(s), len(sets[j]))]
            del verified
            lsh.insert(i, m)
            sets.append(s)
    else:
        shingles = [shingle_hashes(compact(t), cfg.shingle_size) for t in texts]
        t0 = time.perf_counter()  # time the signing alone, after shingling
        if kind == "sig_datasketch":
            from datasketch import MinHash
            MinHash.bulk([s.tolist() for s in shingles], num_perm=cfg.num_perm, hashfunc=int)
        elif kind == "sig_rensa":
            from rensa import RMinHash
            RMinHash.digest_matrix_from_token_hash_sets([s.tolist() for s in shingles], num_perm=cfg.num_perm,
                                                        seed=cfg.seed)
        else:
            from dedupe import sketch
            sketch.signatures(shingles, cfg.num_perm, cfg.seed)
    print(json.dumps({"seconds": time.perf_counter() - t0, "docs": len(texts),
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
    sizes = [int(s) for s in os.environ.get("BENCH_SIZES", "5000").split(",")]
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
