"""Benchmarks dedupe against datasketch and rensa, side by side, in one process tree.

    make bench                                   # 20,000 documents, 3 runs each, and the Jaccard error
    BENCH_SIZES=20000,200000 BENCH_RUNS=3 make bench
    BENCH_SIZES=200000,1000000 BENCH_ONLY=full_dedupe_2 BENCH_ACCURACY= make bench   # growth

Each measurement runs in a fresh process (a child of this one); the median docs/s of the runs is
reported with the peak memory of that process and its workers (proportional set size, so pages a
forked worker shares with its parent count once; sampled every second). The runs go in rounds,
every size and kind once a round, so dedupe and its peers meet the machine's drift (a shared host
whose speed moves by the quarter hour) together; a ratio to a peer is the median of the rounds'
ratios. A kind whose first run takes over BENCH_LONG_SECONDS (default 120) runs once; the peers
run up to BENCH_PEERS_UPTO documents (default 200,000).
Every measurement is kept in bench/results.json (a new one replaces the same size and kind);
bench/RESULTS.md is rendered from it.
"""

from __future__ import annotations

import json
import os
import platform
import statistics
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from corpus import write  # noqa: E402

SHINGLE_WORDS = 5  # the peers' usual shingles: word 5-grams

# kind -> (label, processes)
WORKERS = {
    "sig_datasketch": ("signatures, shingle hashes given: datasketch MinHash.bulk (affine32)", 1),
    "sig_rensa": ("signatures, shingle hashes given: rensa RMinHash from one flat uint64 buffer", 1),
    "sig_rensa_lists": ("signatures, shingle hashes given: rensa RMinHash from Python lists", 1),
    "sig_dedupe_1": ("signatures, shingle hashes given: dedupe sketch.signatures", 1),
    "sig_dedupe_2": ("signatures, shingle hashes given: dedupe sketch.signatures", 2),
    "text_datasketch": ("signatures from text: datasketch bulk, word 5-grams", 1),
    "text_rensa": ("signatures from text: rensa RMinHash, word 5-grams", 1),
    "text_dedupe_1": ("signatures from text: dedupe, char 7-grams of compacted text", 1),
    "text_dedupe_2": ("signatures from text: dedupe, char 7-grams of compacted text", 2),
    "full_datasketch": ("full pass: datasketch MinHashLSH insert + query + exact verify", 1),
    "full_rensa": ("full pass: rensa RMinHashLSH insert + query + exact verify", 1),
    "full_dedupe_1": ("full pass: dedupe annotate (CLI: read, sign, candidates, verify, teasers, repair, write)", 1),
    "full_dedupe_2": ("full pass: dedupe annotate (CLI: read, sign, candidates, verify, teasers, repair, write)", 2),
}


# The one-process rows of rensa run on one thread (its full pass keeps its thread pool, beside
# dedupe's two processes). On this machine its pool made the flat-buffer signing slower, not faster.
ONE_THREAD = {"sig_rensa", "sig_rensa_lists", "text_rensa"}


def _texts(path: str) -> list[str]:
    return [json.loads(line)["text"] for line in open(path, encoding="utf-8")]


def _word_shingles(text: str) -> list[str]:
    words = text.lower().split()
    return [" ".join(words[i:i + SHINGLE_WORDS]) for i in range(max(1, len(words) - SHINGLE_WORDS + 1))]


def _char_shingles(texts: list[str]) -> list:
    from dedupe import DedupeConfig
    from dedupe.shingles import shingle_hashes
    from dedupe.text import compact
    cfg = DedupeConfig()
    return [shingle_hashes(compact(t), cfg.shingle_size) for t in texts]


def _timed_passes(stage: Callable[[], object], budget: float = 1.0, most: int = 9) -> float:
    """Median seconds of `stage`, run again until `budget` seconds have passed (once at least,
    `most` times at most): a stage of a fraction of a second is otherwise at the mercy of one
    descheduling of this process on a shared host."""
    times: list[float] = []
    while not times or (sum(times) < budget and len(times) < most):
        t0 = time.perf_counter()
        stage()
        times.append(time.perf_counter() - t0)
    return statistics.median(times)


def _dedupe_signing(texts: list[str], from_text: bool) -> Callable[[], object]:
    """dedupe's signature stage over `texts`: from text (shingling included) or from their hashes."""
    from dedupe import DedupeConfig, sketch
    from dedupe.shingles import window_hashes
    from dedupe.text import compact
    cfg = DedupeConfig()
    if from_text:
        return lambda: sketch.signatures(window_hashes(compact(t), cfg.shingle_size) for t in texts)
    hashes = _char_shingles(texts)
    return lambda: sketch.signatures(hashes, cfg.num_perm, cfg.seed)  # in batches, as the pipeline signs


def _sign_half(args: tuple[str, int, int, bool]) -> float:
    """One worker's share of the signature stage (from text, or from given hashes): its seconds a pass."""
    path, lo, hi, from_text = args
    return _timed_passes(_dedupe_signing(_texts(path)[lo:hi], from_text))


def worker(kind: str, path: str) -> None:
    """Runs one measurement in this process and prints a JSON line: seconds and docs."""

    from dedupe import DedupeConfig
    cfg = DedupeConfig()
    docs = sum(1 for _ in open(path, encoding="utf-8"))
    if kind.startswith("full_dedupe"):
        out = HERE / "out" / f"annotated-{docs}.jsonl"  # kept by size, to be compared after a sequence
        t0 = time.perf_counter()
        subprocess.run([sys.executable, "-m", "dedupe.cli", "annotate", path, "-o", str(out), "-q",
                        "--jobs", kind[-1]], check=True)
        print(json.dumps({"seconds": time.perf_counter() - t0, "docs": docs}))
        return
    if "dedupe" in kind:
        from dedupe import sketch  # load the compiled kernels (cached on disk) before timing, once a process
        from dedupe.shingles import window_hashes
        sketch.signature_matrix([window_hashes("load the kernels", 7)], cfg.num_perm, cfg.seed)
    if kind in ("sig_dedupe_2", "text_dedupe_2"):
        import multiprocessing
        halves = [(path, 0, docs // 2, kind.startswith("text")), (path, docs // 2, docs, kind.startswith("text"))]
        with multiprocessing.get_context("fork").Pool(2) as pool:
            # Both workers read and shingle first; the stage's time a pass is the slower worker's.
            seconds = max(pool.map(_sign_half, halves))
        print(json.dumps({"seconds": seconds, "docs": docs}))
        return
    if kind.startswith("full_"):
        _full_peer(kind, path, cfg)
        return
    texts = _texts(path)
    if kind.startswith("sig_"):
        hashes = _char_shingles(texts) if "dedupe" not in kind else []  # dedupe's stage makes its own
        # datasketch takes Python lists (about 36 bytes a hash: 20 GB at 200,000 documents); rensa
        # takes them too, or, its fastest, one flat buffer of 64-bit hashes and the rows' offsets.
        lists = [h.tolist() for h in hashes] if kind in ("sig_datasketch", "sig_rensa_lists") else []
        if kind == "sig_datasketch":
            from datasketch import MinHash
            seconds = _timed_passes(lambda: MinHash.bulk(lists, num_perm=cfg.num_perm, hashfunc=int,
                                                         scheme="affine32"))
        elif kind == "sig_rensa":
            import numpy as np
            from rensa import RMinHash
            flat = np.concatenate(hashes).astype(np.uint64)
            offsets = np.zeros(len(hashes) + 1, dtype=np.uint64)
            np.cumsum([len(h) for h in hashes], out=offsets[1:])
            seconds = _timed_passes(lambda: RMinHash.digest_matrix_from_flat_token_hashes(
                flat, offsets, num_perm=cfg.num_perm, seed=cfg.seed))
        elif kind == "sig_rensa_lists":
            from rensa import RMinHash
            seconds = _timed_passes(lambda: RMinHash.digest_matrix_from_token_hash_sets(
                lists, num_perm=cfg.num_perm, seed=cfg.seed))
        else:
            seconds = _timed_passes(_dedupe_signing(texts, from_text=False))
    elif kind == "text_datasketch":
        from datasketch import MinHash
        seconds = _timed_passes(lambda: MinHash.bulk([[s.encode() for s in _word_shingles(t)] for t in texts],
                                                     num_perm=cfg.num_perm, scheme="affine32"))
    elif kind == "text_rensa":
        from rensa import RMinHash

        def rensa_from_text() -> None:
            for t in texts:
                m = RMinHash(num_perm=cfg.num_perm, seed=cfg.seed)
                m.update(_word_shingles(t))
                m.digest()
        seconds = _timed_passes(rensa_from_text)
    else:
        seconds = _timed_passes(_dedupe_signing(texts, from_text=True))
    print(json.dumps({"seconds": seconds, "docs": len(texts)}))


def _full_peer(kind: str, path: str, cfg) -> None:
    """A peer's whole pass as its docs show it: word 5-gram MinHash, LSH insert + query, then
    the same exact verification dedupe does (shared char 7-grams) on every candidate."""
    from dedupe.shingles import overlap, shingle_hashes
    from dedupe.text import compact
    t0 = time.perf_counter()
    texts = _texts(path)  # reading is part of a full pass, as it is of dedupe's
    sets = [shingle_hashes(compact(t), cfg.shingle_size) for t in texts]

    def verify(i: int, j: int) -> bool:
        return overlap(sets[i], sets[j]) >= cfg.jaccard_threshold * min(len(sets[i]), len(sets[j]))

    if kind == "full_datasketch":
        from datasketch import MinHash, MinHashLSH
        lsh = MinHashLSH(threshold=cfg.lsh_threshold, num_perm=cfg.num_perm)
        for i, text in enumerate(texts):
            m = MinHash(num_perm=cfg.num_perm, scheme="affine32")
            m.update_batch([s.encode() for s in _word_shingles(text)])
            for j in lsh.query(m):
                verify(i, j)
            lsh.insert(i, m)
    else:
        from rensa import RMinHash, RMinHashLSH
        lsh = RMinHashLSH(threshold=cfg.lsh_threshold, num_perm=cfg.num_perm, num_bands=32)
        sigs = RMinHash.from_token_sets([_word_shingles(t) for t in texts], num_perm=cfg.num_perm, seed=cfg.seed)
        lsh.insert_many(sigs)
        for i, found in enumerate(lsh.query_all(sigs)):
            for j in found:
                if j < i:
                    verify(i, j)
    print(json.dumps({"seconds": time.perf_counter() - t0, "docs": len(texts)}))


def accuracy(path: Path, n_docs: int = 5000) -> dict:
    """Mean absolute error of the Jaccard estimates against the exact Jaccard of the same shingle sets,
    on the candidate pairs of the first `n_docs` documents (mostly the planted reprints and teasers)."""
    import numpy as np
    from rensa import RMinHash

    from dedupe import DedupeConfig, sketch
    from dedupe.shingles import overlap
    cfg = DedupeConfig()
    sets = _char_shingles(_texts(str(path))[:n_docs])
    ours = sketch.signature_matrix(sets, cfg.num_perm, cfg.seed)
    theirs = np.asarray(RMinHash.digest_matrix_from_token_hash_sets([s.tolist() for s in sets],
                                                                    num_perm=cfg.num_perm, seed=cfg.seed).to_rows())
    pairs = sketch.candidate_pairs(ours, cfg.lsh_threshold, cfg.num_perm).tolist()
    exact = np.array([overlap(sets[i], sets[j]) / (len(sets[i]) + len(sets[j]) - overlap(sets[i], sets[j]))
                      for i, j in pairs])
    est_ours = np.array([np.mean(ours[i] == ours[j]) for i, j in pairs])
    est_rensa = np.array([np.mean(theirs[i] == theirs[j]) for i, j in pairs])
    return {"pairs": len(pairs), "mean_exact": float(exact.mean()),
            "mae_dedupe": float(np.abs(est_ours - exact).mean()), "mae_rensa": float(np.abs(est_rensa - exact).mean())}


def cpu_model() -> str:
    """The processor's model name, as /proc/cpuinfo gives it (else what `platform` knows).

    Sessions land on different hosts (an AMD EPYC one day, an Intel Xeon the next, the same code
    1.6x apart): a figure means little without the processor it was measured on.

    Example:
        >>> isinstance(cpu_model(), str) and cpu_model() != ""
        True
    """
    try:
        with open("/proc/cpuinfo", encoding="utf-8") as fh:
            names = [line.split(":", 1)[1].strip() for line in fh if line.startswith("model name")]
    except OSError:
        names = []
    return names[0] if names else platform.processor() or platform.machine()


def _tree_rss_kb(pid: int) -> int:
    # Proportional set size: pages a forked worker shares with its parent count once, not twice.
    total, todo = 0, [pid]
    while todo:
        p = todo.pop()
        try:
            with open(f"/proc/{p}/smaps_rollup") as fh:
                total += next(int(line.split()[1]) for line in fh if line.startswith("Pss:"))
            # Every thread's children: a pool forks the workers that replace retired ones from its own thread.
            for task in os.listdir(f"/proc/{p}/task"):
                with open(f"/proc/{p}/task/{task}/children") as fh:
                    todo.extend(int(c) for c in fh.read().split())
        except (OSError, StopIteration):
            pass
    return total


def _sample_rss(proc: subprocess.Popen, peak: list[int]) -> None:
    # Once a second: reading a big process's page tables costs CPU that the measured run would lose.
    while proc.poll() is None:
        peak[0] = max(peak[0], _tree_rss_kb(proc.pid))
        time.sleep(1.0)


def run_once(kind: str, path: Path) -> tuple[float, int] | None:
    """(docs/s, peak memory KB) of one run of `kind` in a fresh process; None if it failed."""
    env = dict(os.environ)
    if kind in ONE_THREAD:
        env["RAYON_NUM_THREADS"] = "1"  # rensa's thread pool: one core, as dedupe's one process
    proc = subprocess.Popen([sys.executable, __file__, "--worker", kind, str(path)],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env)
    peak = [0]
    sampler = threading.Thread(target=_sample_rss, args=(proc, peak), daemon=True)
    sampler.start()
    out, err = proc.communicate()
    sampler.join()
    if proc.returncode != 0:
        print(f"  {kind} failed: {err.strip().splitlines()[-1:]}", file=sys.stderr)
        return None  # e.g. rensa not installed
    res = json.loads(out.strip().splitlines()[-1])
    return res["docs"] / res["seconds"], peak[0]


Slot = tuple[int, Path, str]  # documents, corpus file, kind


def measure_rounds(slots: list[Slot], runs: int, long_seconds: float) -> dict[Slot, dict]:
    """Every (documents, corpus, kind) slot once a round, `runs` rounds; a slot whose first run is
    long runs once.

    Returns slot -> median docs/s, peak memory MB, and the docs/s of each round (None where the
    slot did not run in that round), so ratios can pair runs made minutes apart, not an hour.
    """
    rates: dict[Slot, list[float | None]] = {s: [] for s in slots}
    peaks: dict[Slot, list[int]] = {s: [] for s in slots}
    done: set[Slot] = set()
    started = time.strftime("%Y-%m-%d %H:%M:%S UTC", time.gmtime())
    for _ in range(runs):
        for slot in slots:
            docs, path, kind = slot
            got = None if slot in done else run_once(kind, path)
            rates[slot].append(got and got[0])
            if got is None or docs / got[0] > long_seconds:
                done.add(slot)
            if got is not None:
                peaks[slot].append(got[1])
                print(f"{docs:,}", kind, f"{got[0]:,.0f} docs/s", f"{got[1] / 1024:,.0f} MB", flush=True)
    when = time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime())
    cpu = cpu_model()
    return {s: {"docs_per_s": statistics.median(r for r in rates[s] if r is not None),
                "rss_mb": max(peaks[s]) / 1024, "runs": len(peaks[s]), "rounds": rates[s],
                "batch": started, "date": when, "cpu": cpu}
            for s in slots if peaks[s]}


def paired_ratio(a: dict, b: dict) -> float | None:
    """a's docs/s over b's: the median of the rounds both ran in, else the ratio of their medians;
    None when the two were measured on different processors.

    Example:
        >>> paired_ratio({"docs_per_s": 3, "rounds": [2, 4, 3], "batch": "t"},
        ...              {"docs_per_s": 1, "rounds": [1, 1, None], "batch": "t"})
        3.0
    """
    if a.get("cpu") != b.get("cpu"):
        return None
    both = [x / y for x, y in zip(a.get("rounds", []), b.get("rounds", [])) if x and y]
    if both and a.get("batch") == b.get("batch"):
        return statistics.median(both)
    return a["docs_per_s"] / b["docs_per_s"]


def _ratio_lines(res: dict[str, dict]) -> list[str]:
    def r(a: str, b: str) -> str:
        ratio = paired_ratio(res[a], res[b]) if res.get(a) and res.get(b) else None
        return "n/a" if ratio is None else f"{ratio:.2f}x"
    lines = [
        f"- signatures (hashes given), dedupe 1 process vs datasketch bulk {r('sig_dedupe_1', 'sig_datasketch')}, "
        f"vs rensa {r('sig_dedupe_1', 'sig_rensa')} (from Python lists {r('sig_dedupe_1', 'sig_rensa_lists')}); "
        f"2 processes vs 1: {r('sig_dedupe_2', 'sig_dedupe_1')}",
        f"- signatures from text, dedupe 1 process vs datasketch {r('text_dedupe_1', 'text_datasketch')}, "
        f"vs rensa {r('text_dedupe_1', 'text_rensa')}; 2 processes vs 1: {r('text_dedupe_2', 'text_dedupe_1')}",
        f"- full pass, dedupe 2 processes vs datasketch {r('full_dedupe_2', 'full_datasketch')}, "
        f"vs rensa {r('full_dedupe_2', 'full_rensa')}; 2 processes vs 1: {r('full_dedupe_2', 'full_dedupe_1')}",
    ]
    return [line for line in lines if line.count("n/a") < 3]  # a stage not measured at this size


def main() -> None:
    sizes = [int(s) for s in os.environ.get("BENCH_SIZES", "20000").split(",")]
    runs = int(os.environ.get("BENCH_RUNS", "3"))
    only = [k for k in os.environ.get("BENCH_ONLY", "").split(",") if k]
    store = HERE / "results.json"  # every measurement kept, so sizes and peers can be run apart
    data = json.loads(store.read_text()) if store.exists() else {}
    long_seconds = float(os.environ.get("BENCH_LONG_SECONDS", "120"))
    peers_upto = int(os.environ.get("BENCH_PEERS_UPTO", "200000"))
    # Rounds go over every size too: a million documents' time is set beside 200,000's of the
    # same minutes. The peers stop at `peers_upto` (rensa's full pass holds 13 GB at 200,000).
    slots = [(n, write(n, HERE / "out"), kind) for n in sizes for kind in WORKERS
             if (not only or kind in only) and ("dedupe" in kind or n <= peers_upto)]
    for (n, _, kind), res in measure_rounds(slots, runs, long_seconds).items():
        data.setdefault(str(n), {})[kind] = res
    store.write_text(json.dumps(data, indent=1, sort_keys=True) + "\n", encoding="utf-8")
    if os.environ.get("BENCH_ACCURACY"):
        data["accuracy"] = accuracy(write(sizes[0], HERE / "out"))
        print("accuracy", data["accuracy"], flush=True)
        store.write_text(json.dumps(data, indent=1, sort_keys=True) + "\n", encoding="utf-8")
    (HERE / "RESULTS.md").write_text(render(data), encoding="utf-8")
    print(f"written {HERE / 'RESULTS.md'}")


def render(data: dict) -> str:
    """RESULTS.md from every measurement kept in results.json."""
    here = cpu_model()
    lines = ["# Benchmark results", "",
             f"Machine: {here}, {os.cpu_count()} cores, Python {platform.python_version()}, "
             f"{platform.system()} {platform.release()}. A row measured on another processor names it; "
             "ratios and growth lines only set rows of one processor side by side.", "",
             "Each measurement in its own process, side by side with the peers; corpus from bench/corpus.py "
             "(Zipf vocabulary, 300-1,000-word documents in paragraphs, ~30% edited reprints, ~10% teasers). "
             "docs/s is the median of the runs, made in rounds (every kind once a round) and a ratio to a peer the "
             "median of the rounds' ratios. Full-pass docs/s include start-up and reading; signature stages "
             "time the signing alone (\"from text\" includes shingling), the median of passes repeated in the "
             "run until a second has passed (once for a pass over a second). rensa's one-process rows run on one "
             "thread; given hashes, it signs from one flat uint64 buffer, its fastest call (its own sketch, not "
             "datasketch's values: see the README). Peak memory is the proportional set size "
             "summed over the process and its workers (shared pages counted once), sampled every second. This "
             "machine is a shared virtual one whose speed moves by the hour (on 2026-11-26 the same code ran 40-60% "
             "slower in the afternoon than in the morning): compare figures measured at about the same time.", ""]
    acc = data.get("accuracy")
    if acc:
        lines += [f"Jaccard estimates (128 permutations) on {acc['pairs']:,} candidate pairs of the first 5,000 "
                  f"documents (mean exact Jaccard {acc['mean_exact']:.2f}): mean absolute error dedupe "
                  f"{acc['mae_dedupe']:.4f} (equal to datasketch's: same values), rensa {acc['mae_rensa']:.4f}.", ""]
    for n in sorted((k for k in data if k.isdigit()), key=int):
        res = data[n]
        lines += [f"## {int(n):,} documents", "", "| what | processes | docs/s | peak memory MB | runs | measured |",
                  "|---|---:|---:|---:|---:|---|"]
        for kind, (label, procs) in WORKERS.items():
            if kind in res:
                r = res[kind]
                elsewhere = "" if r.get("cpu") == here else f", {r.get('cpu') or 'processor not recorded'}"
                lines.append(f"| {label} | {procs} | {r['docs_per_s']:,.0f} | {r['rss_mb']:,.0f} | {r['runs']} "
                             f"| {r.get('date', '')}{elsewhere} |")
        lines += ["", *_ratio_lines(res), *_growth_lines(data, n), ""]
    return "\n".join(lines)


def _growth_lines(data: dict, n: str, kind: str = "full_dedupe_2") -> list[str]:
    # The full pass's time against the next smaller size's: how its cost grows with the input.
    if kind not in data[n]:
        return []
    smaller = [m for m in data if m.isdigit() and int(m) < int(n) and kind in data[m]
               and data[m][kind].get("cpu") == data[n][kind].get("cpu")]
    if not smaller:
        return []
    m = max(smaller, key=int)
    t_n, t_m = int(n) / data[n][kind]["docs_per_s"], int(m) / data[m][kind]["docs_per_s"]
    return [f"- full pass, 2 processes: {t_n:,.1f} s, {t_n / t_m:.2f}x the time of {int(m):,} documents "
            f"({t_m:,.1f} s, {data[m][kind].get('date', '')}) for {int(n) / int(m):.0f}x the documents"]


if __name__ == "__main__":
    if len(sys.argv) == 4 and sys.argv[1] == "--worker":
        worker(sys.argv[2], sys.argv[3])
    else:
        main()
