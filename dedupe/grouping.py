"""Candidate pairs, pair verification and story grouping with a chain guard."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import overload

import numpy as np

from . import kernels, sketch
from .config import DedupeConfig
from .features import Features, headline_key
from .parallel import map_ranges
from .report import Report
from .shingles import overlap, shingle_hashes
from .similarity import lead_alignment, names_shared, shared_run, text_score, title_score
from .store import TextsOnDisk, prefetch
from .text import compact


@dataclass(frozen=True)
class Edge:
    """A verified link between two records, with the rule that made it."""

    a: int
    b: int
    strength: float
    reason: str

    def __reduce__(self) -> tuple:
        # Edges come back from the workers by the hundred thousand: plain values pickle faster.
        return Edge, (self.a, self.b, self.strength, self.reason)


class Verifier:
    """Checks candidate pairs on exact shingle overlap, lead alignment and titles (cached).

    Example:
        >>> from dedupe.features import extract_features
        >>> from dedupe.records import records_from_objects
        >>> recs = records_from_objects(["Rain fell on the town all day long.", "Rain fell on the town all day."])
        >>> v = Verifier([extract_features(r, {}, DedupeConfig()) for r in recs], DedupeConfig())
        >>> v(0, 1).reason
        'near_duplicate:0.81'
    """

    def __init__(self, feats: list[Features], config: DedupeConfig) -> None:
        self.feats, self.config = feats, config
        # Keyed by the pair's code `i * len(feats) + j` (i < j): an int costs a third of a tuple,
        # and a million records have a million pairs.
        self.cache: dict[int, Edge | None] = {}
        self.shared: dict[int, int] = {}

    def __call__(self, i: int, j: int) -> Edge | None:
        key = self.key(i, j)
        if key not in self.cache:
            self.cache[key] = self._verify(min(i, j), max(i, j))
        return self.cache[key]

    def key(self, i: int, j: int) -> int:
        """The caches' key of a pair, either way round: the code `i * len(feats) + j` with i < j."""
        return i * len(self.feats) + j if i < j else j * len(self.feats) + i

    def verify_all(self, pairs: Sequence[tuple[int, int]], jobs: int = 1) -> Iterator[Edge | None]:
        """`self(i, j)` for every pair, in order, checked by `jobs` worker processes; results are cached here.

        Example:
            >>> from dedupe.features import extract_features
            >>> from dedupe.records import records_from_objects
            >>> recs = records_from_objects(["Rain fell on the town all day long.", "Rain fell on the town all day."])
            >>> v = Verifier([extract_features(r, {}, DedupeConfig()) for r in recs], DedupeConfig())
            >>> [e.reason for e in v.verify_all([(0, 1)])]
            ['near_duplicate:0.81']
        """
        # Reading a record's features bumps reference counts, which makes a forked worker copy the
        # page they lie on: a worker lives for 100 ranges (200,000 pairs), not for a million pairs.
        for keys, edges, shared in map_ranges(_verify_range, (self, pairs), len(pairs), jobs, 2000,
                                              tasks_per_worker=100):
            # A million pairs: what this process does per pair is the serial part of verification.
            self.cache.update(zip(keys.tolist(), edges))
            counted = shared >= 0
            self.shared.update(zip(keys[counted].tolist(), shared[counted].tolist()))
            yield from edges

    def supports(self, i: int, j: int) -> bool:
        """Whether two records back each other inside one story (the chain guard's test).

        Weaker than a match: two noisy copies (two OCR scans, two abridgements) may share
        less than a match needs yet still plainly tell one story.
        """
        if self(i, j) is not None:
            return True
        fi, fj = self.feats[i], self.feats[j]
        if not fi.n_shingles or not fj.n_shingles or not _names_agree(fi, fj, self.config):
            return False
        return self.shared_shingles(i, j) >= self.config.support_containment * min(fi.n_shingles, fj.n_shingles)

    def shared_shingles(self, i: int, j: int) -> int:
        """How many shingles two records share (cached)."""
        key = self.key(i, j)
        if key not in self.shared:
            self.shared[key] = overlap(self.feats[i].shingles, self.feats[j].shingles)
        return self.shared[key]

    def _verify(self, i: int, j: int) -> Edge | None:
        fi, fj = self.feats[i], self.feats[j]
        if not fi.n_shingles or not fj.n_shingles:
            return None
        shared = self.shared_shingles(i, j)
        found = self._text_match(fi, fj, shared) or self._headline_match(fi, fj, shared)
        return None if found is None else Edge(i, j, *found)

    def _text_match(self, fi: Features, fj: Features, shared: int) -> tuple[float, str] | None:
        cfg = self.config
        # Names are read last: disagreeing names veto every rule below, and most pairs that
        # reach here (LSH pairs of unrelated texts) fail the rules on their shingles alone.
        jac = shared / (fi.n_shingles + fj.n_shingles - shared)
        if jac >= cfg.jaccard_threshold:
            return (jac, f"near_duplicate:{jac:.2f}") if _names_agree(fi, fj, cfg) else None
        cont = shared / min(fi.n_shingles, fj.n_shingles)
        if cont >= cfg.containment_threshold and shared >= cfg.min_shared_shingles:
            return (cont, f"contained:{cont:.2f}") if _names_agree(fi, fj, cfg) else None
        short, long_ = (fi, fj) if fi.body_len <= fj.body_len else (fj, fi)
        # Align only pairs with some evidence (shared lead key, or a third of the text shared):
        # a non-matching alignment is the costly case. The opening is enough to tie a lead.
        if short.body_len >= cfg.lead_min_chars and (cont >= 0.3 or overlap(short.lead_keys, long_.lead_keys)) \
                and _names_agree(fi, fj, cfg):
            score = lead_alignment(short.body[:300], long_.body, cfg.lead_match_score).score
            if score >= cfg.lead_match_score:
                return score / 100, f"lead_match:{score:.0f}"
        return None

    def _headline_match(self, fi: Features, fj: Features, shared: int) -> tuple[float, str] | None:
        # Short feed items describe one wire story in different words: the headline decides,
        # backed by the texts when both have one.
        cfg = self.config
        if fi.headline_key and fi.headline_key == fj.headline_key and headline_key(fi.title) == headline_key(fj.title):
            # One side says nothing else, or the headline is long enough that two outlets
            # printing it word for word are carrying one syndicated story.
            distinctive = fi.feed != fj.feed and len(fi.title.split()) >= cfg.distinctive_headline_words
            if fi.title_only or fj.title_only or (distinctive and _names_agree(fi, fj, cfg, numbers_only=True)):
                return 0.9, "same_headline"
        if max(fi.body_len, fj.body_len) >= cfg.short_text_chars or not (fi.title and fj.title):
            return None
        if not _names_agree(fi, fj, cfg, numbers_only=True) or not _headline_names_agree(fi, fj, cfg):
            return None  # two outlets' words differ, their figures and headline names do not
        ts = title_score(fi.title.lower(), fj.title.lower())
        if ts < cfg.title_match_score:
            return None
        xs = text_score(fi.body, fj.body) if fi.body and fj.body else 0.0
        # Outlets rewording one wire story still tend to keep one of its phrases verbatim.
        if xs >= cfg.short_text_score or _text_containment(fi, fj, cfg) >= cfg.support_containment or \
                shared_run(fi.body, fj.body) >= cfg.shared_run_words:
            return min(ts, xs) / 100 * 0.9, f"title_match:{ts:.0f}"
        return None


def _verify_range(shared: tuple[Verifier, Sequence[tuple[int, int]]], lo: int,
                  hi: int) -> tuple[np.ndarray, list[Edge | None], np.ndarray]:
    """(pair keys, edges, shared shingle counts or -1 where none were counted) of pairs[lo:hi]."""
    verify, pairs = shared
    part = pairs[lo:hi]
    records = {k for pair in part for k in pair}
    prefetch(t for k in records if isinstance(t := verify.feats[k].texts, TextsOnDisk))
    keys = np.empty(len(part), dtype=np.int64)
    counted = np.full(len(part), -1, dtype=np.int64)
    edges = []
    for n, (i, j) in enumerate(part):
        key = keys[n] = verify.key(i, j)
        edges.append(verify(i, j))
        counted[n] = verify.shared.pop(key, -1)
        # `verify_all` caches what comes back; a worker holding its copy too would grow by
        # its share of every pair (a few hundred MB a worker on a million records).
        del verify.cache[key]
    return keys, edges, counted


def _names_agree(fi: Features, fj: Features, cfg: DedupeConfig, numbers_only: bool = False) -> bool:
    # Short items written from one template (briefs, results, appointments) share most of
    # their words; their names and numbers tell them apart. Long texts have enough else.
    short, long_ = (fi, fj) if fi.body_len <= fj.body_len else (fj, fi)
    if short.body_len >= cfg.short_text_chars:
        return True
    numbers = {n for n in short.names if n[0].isdigit()}
    other_numbers = {n for n in long_.names if n[0].isdigit()}
    # Different figures in one frame ("fell 1.18 cents" / "rose 0.19 cents") are different items.
    # A longer copy may spell a figure out ("5%" -> "five per cent"); a brief's figures are its story.
    brief = numbers_only or short.body_len < cfg.short_text_chars / 2
    if numbers and other_numbers and len(numbers & other_numbers) < (0.75 if brief else 0.5) * len(numbers):
        return False
    if numbers_only or len(short.names) < 2:
        return True
    return names_shared(short.names, long_.names) >= cfg.names_agree_share * len(short.names)


def _text_containment(fi: Features, fj: Features, cfg: DedupeConfig) -> float:
    # Short texts carry their headline in their shingles; here only the texts may count.
    a, b = (shingle_hashes(compact(f.body), cfg.shingle_size) for f in (fi, fj))
    if not len(a) or not len(b):
        return 0.0
    return overlap(a, b) / min(len(a), len(b))


def _headline_names_agree(fi: Features, fj: Features, cfg: DedupeConfig) -> bool:
    # "Fenwick Foods names new boss" / "Fenwick Properties names new boss": one frame, two stories.
    if fi.title_names is None or fj.title_names is None:
        return True
    small, large = sorted((fi.title_names, fj.title_names), key=len)
    return len(small) < 2 or len(small & large) >= cfg.names_agree_share * len(small)


class PairCodes(Sequence[tuple[int, int]]):
    """Sorted pairs (i, j), i < j, of `n` records, kept as the codes `i * n + j` in one numpy array.

    A million pairs as tuples cost ~200 MB, and each worker that reads them would copy the
    pages it touches; as codes they cost 8 MB and are read in place.

    Example:
        >>> pairs = PairCodes(np.array([1, 6]), 4)
        >>> list(pairs), (1, 2) in pairs, (0, 2) in pairs, pairs[1:]
        ([(0, 1), (1, 2)], True, False, [(1, 2)])
    """

    def __init__(self, codes: np.ndarray, n: int) -> None:
        self.codes, self.n = codes, max(n, 1)

    def __len__(self) -> int:
        return len(self.codes)

    @overload
    def __getitem__(self, k: int) -> tuple[int, int]: ...

    @overload
    def __getitem__(self, k: slice) -> list[tuple[int, int]]: ...

    def __getitem__(self, k: int | slice) -> tuple[int, int] | list[tuple[int, int]]:
        if isinstance(k, slice):
            codes = self.codes[k]
            return list(zip((codes // self.n).tolist(), (codes % self.n).tolist()))
        code = int(self.codes[k])
        return code // self.n, code % self.n

    def __contains__(self, pair: object) -> bool:
        if not (isinstance(pair, tuple) and len(pair) == 2 and 0 <= pair[0] < pair[1] < self.n):
            return False
        code = pair[0] * self.n + pair[1]
        at = int(np.searchsorted(self.codes, code))
        return at < len(self.codes) and int(self.codes[at]) == code

    def __iter__(self) -> Iterator[tuple[int, int]]:
        for lo in range(0, len(self.codes), 65536):
            yield from self[lo: lo + 65536]


def candidate_pairs(feats: list[Features], sigs: np.ndarray, config: DedupeConfig,
                    jobs: int = 1, report: Report | None = None) -> PairCodes:
    """Candidate pairs from whole-text LSH (`sigs`: a signature row per record) and shared lead keys,
    each pair once, sorted; `jobs` threads sort the LSH bands.

    An LSH pair whose signatures agree on less than `lsh_min_agreement` of their rows is left
    out (counted in `report.chance_lsh_pairs`) unless it shares a lead key or headline too.

    Example:
        >>> from dedupe.features import extract_features
        >>> from dedupe.records import Record
        >>> cfg = DedupeConfig()
        >>> texts = ["The cat sat on the mat all day long.", "The cat sat on the mat all day long!"]
        >>> fs = [extract_features(Record(i, str(i), t, "", "f", None, ""), {}, cfg)
        ...       for i, t in enumerate(texts)]
        >>> sigs = sketch.signature_matrix([f.shingles for f in fs])
        >>> list(candidate_pairs(fs, sigs, cfg))
        [(0, 1)]
    """
    present = np.array([f.n_shingles > 0 for f in feats], dtype=bool)
    n = max(len(feats), 1)
    lsh = sketch.candidate_pairs(sigs, config.lsh_threshold, config.num_perm, present, as_codes=True, jobs=jobs)
    by_chance = sketch.signature_agreement(sigs, lsh) < config.lsh_min_agreement
    # Records sharing a lead key or a whole headline: the keys of all records sorted at once.
    # Headline keys have the top bit set: apart from the 32-bit lead keys.
    heads = [(i, f.headline_key) for i, f in enumerate(feats) if f.headline_key]
    owner = np.concatenate([np.repeat(np.arange(len(feats)), [len(f.lead_key_bytes) // 4 for f in feats]),
                            np.array([i for i, _ in heads], dtype=np.int64)])
    flat = np.concatenate([np.frombuffer(b"".join(f.lead_key_bytes for f in feats), dtype=np.uint32).astype(np.uint64),
                           np.array([key for _, key in heads], dtype=np.uint64)])
    order = kernels.radix_argsort64(flat)
    starts, ends = sketch.equal_runs(flat[order][:, None], 2, config.lead_key_max_records)
    keyed = sketch.distinct_codes([kernels.pairs_in_runs(owner[order], starts, ends, n)])
    if report is not None:
        # Sorted once here, the keyed pairs are searched; np.isin sorted (or hashed) them again
        # with the chance pairs: 0.35 s of 200,000 records' 1M keyed pairs.
        chance = lsh[by_chance]
        at = np.minimum(np.searchsorted(keyed, chance), max(len(keyed) - 1, 0))
        report.chance_lsh_pairs = len(chance) if not len(keyed) else int(np.count_nonzero(keyed[at] != chance))
    return PairCodes(sketch.distinct_codes([lsh[~by_chance], keyed]), n)


def group_stories(n: int, edges: list[Edge], verify: Verifier, config: DedupeConfig,
                  report: Report, log: list[tuple[Edge, bool]] | None = None) -> list[int]:
    """Story label (smallest member index) per record, joining along verified edges.

    Chain guard: two groups join only when `join_fraction` of the pairs between them
    (up to `join_sample` members a side) support each other (`Verifier.supports`), so one record sharing a
    template or a background paragraph cannot pull unrelated stories together. `log`, when
    given, receives every edge that met two groups and whether it joined them.

    Example:
        >>> class V:
        ...     def supports(self, i, j): return {i, j} != {0, 2}
        >>> group_stories(3, [Edge(0, 1, 1.0, "x"), Edge(1, 2, 0.9, "x")], V(), DedupeConfig(), Report())
        [0, 0, 0]
    """
    parent = list(range(n))
    # Members of each group of two records or more, by root; a record alone is its own group
    # (a million one-record lists cost 2.7 s to make, and most records never meet an edge).
    members: dict[int, list[int]] = {}

    def find(x: int) -> int:
        while parent[x] != x:
            parent[x] = parent[parent[x]]
            x = parent[x]
        return x

    for e in sorted(edges, key=lambda e: (-e.strength, e.a, e.b)):
        ra, rb = find(e.a), find(e.b)
        if ra == rb:
            continue
        left = members.get(ra, [ra])[: config.join_sample]
        right = members.get(rb, [rb])[: config.join_sample]
        if len(left) * len(right) > 1:
            ok = sum(1 for x in left for y in right if verify.supports(x, y))
            if ok < config.join_fraction * len(left) * len(right):
                report.joins_refused += 1
                if log is not None:
                    log.append((e, False))
                continue
        if log is not None:
            log.append((e, True))
        root, other = (ra, rb) if ra < rb else (rb, ra)
        parent[other] = root
        members[root] = sorted(members.get(root, [root]) + members.pop(other, [other]))
    return [find(i) for i in range(n)]


