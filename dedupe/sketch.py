"""MinHash signatures and LSH candidate pairs: the only module that imports datasketch.

datasketch is imported only where one of its objects is asked for: importing it loads
scipy (a third of a second at every start). The permutations and the LSH bands it would
pick are computed here the way it computes them (tests/test_scale.py checks they are equal).
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from concurrent.futures import ThreadPoolExecutor
from functools import lru_cache
from typing import TYPE_CHECKING

import numpy as np

from . import kernels

if TYPE_CHECKING:
    from datasketch import MinHash


def _identity(value: int) -> int:
    # Shingles arrive already hashed (see shingles.shingle_hash): datasketch only permutes them.
    return value


def minhash(hashes: np.ndarray, num_perm: int = 128, seed: int = 1) -> MinHash:
    """A datasketch MinHash (affine32 scheme) of pre-hashed shingles.

    Example:
        >>> import numpy as np
        >>> m = minhash(np.array([1, 2, 3], dtype=np.uint32), num_perm=16)
        >>> m.jaccard(minhash(np.array([1, 2, 3], dtype=np.uint32), num_perm=16))
        1.0
    """
    from datasketch import MinHash

    m = MinHash(num_perm=num_perm, seed=seed, hashfunc=_identity, scheme="affine32")
    if len(hashes):
        m.update_batch(hashes.tolist())
    return m


_BATCH = 256  # documents signed into one matrix before its rows are handed out


def signature_generator(hash_sets: Iterable[np.ndarray], num_perm: int = 128,
                        seed: int = 1) -> Iterator[np.ndarray]:
    """Stream MinHash hash values, computed exactly as datasketch's affine32 does.

    Each result equals `minhash(hashes).hashvalues`: datasketch's permutations, its
    MurmurHash3 pre-mix and `a * h + b mod 2**32`, in a compiled loop over each document's
    hashes (repeated hashes may be given: the minimum does not change).

    Example:
        >>> import numpy as np
        >>> h = np.array([5, 9, 12], dtype=np.uint32)
        >>> bool((next(signature_generator([h], 16)) == minhash(h, 16).hashvalues).all())
        True
    """
    batch: list[np.ndarray] = []
    for hashes in hash_sets:
        batch.append(hashes)
        if len(batch) == _BATCH:
            yield from signature_matrix(batch, num_perm, seed)
            batch = []
    if batch:
        yield from signature_matrix(batch, num_perm, seed)


def signatures(hash_sets: Iterable[np.ndarray], num_perm: int = 128, seed: int = 1) -> list[np.ndarray]:
    """List twin of `signature_generator`.

    Example:
        >>> import numpy as np
        >>> len(signatures([np.array([1], dtype=np.uint32)] * 3, num_perm=8))
        3
    """
    return list(signature_generator(hash_sets, num_perm, seed))


def signature_matrix(hash_sets: list[np.ndarray], num_perm: int = 128, seed: int = 1) -> np.ndarray:
    """One row of hash values per set, each signed by one compiled call.

    Example:
        >>> import numpy as np
        >>> signature_matrix([np.array([1, 2], dtype=np.uint32), np.zeros(0, dtype=np.uint32)], 4).shape
        (2, 4)
    """
    a, b = _permutations(num_perm, seed)
    out = np.empty((len(hash_sets), num_perm), dtype=np.uint32)
    for d, hashes in enumerate(hash_sets):
        if not (type(hashes) is np.ndarray and hashes.dtype == np.uint32):
            hashes = np.asarray(hashes).astype(np.uint32, copy=False)  # as 32-bit hashes, wrapped
        kernels.minhash_row(hashes, a, b, out, d)
    return out


@lru_cache(maxsize=8)
def _permutations(num_perm: int, seed: int) -> tuple[np.ndarray, np.ndarray]:
    # datasketch 2.x MinHash._init_permutations, scheme affine32: odd multipliers a, offsets b.
    gen = np.random.RandomState(seed)
    a = gen.randint(0, 1 << 31, num_perm, dtype=np.uint32) * np.uint32(2) + np.uint32(1)
    b = gen.randint(0, 1 << 32, num_perm, dtype=np.uint32)
    return a, b


def minhash_generator(hash_sets: Iterable[np.ndarray], num_perm: int = 128,
                      seed: int = 1) -> Iterator[MinHash]:
    """Stream datasketch MinHash objects (for its LSH, storage or `jaccard`), one per set.

    Example:
        >>> import numpy as np
        >>> sigs = list(minhash_generator([np.array([1], dtype=np.uint32)], num_perm=8))
        >>> len(sigs[0].hashvalues)
        8
    """
    from datasketch import MinHash

    template = MinHash(num_perm=num_perm, seed=seed, hashfunc=_identity, scheme="affine32")
    for values in signature_generator(hash_sets, num_perm, seed):
        yield MinHash(num_perm=num_perm, seed=seed, hashfunc=_identity, scheme="affine32",
                      hashvalues=values, permutations=template.permutations)


def equal_runs(ordered: np.ndarray, min_size: int = 2, max_size: int | None = None) -> tuple[np.ndarray, np.ndarray]:
    """(starts, ends) of the runs of equal rows in a sorted 2-D array, runs of min..max rows only.

    Example:
        >>> import numpy as np
        >>> equal_runs(np.array([[1], [1], [2], [3], [3], [3]]))
        (array([0, 3]), array([2, 6]))
    """
    same = np.all(ordered[1:] == ordered[:-1], axis=1)
    # A run starts where a row differs from the one before.
    edges = np.flatnonzero(np.diff(np.concatenate(([False], same, [False])).astype(np.int8)))
    starts, ends = edges[0::2], edges[1::2] + 1
    sizes = ends - starts
    keep = (sizes >= min_size) & (sizes <= max_size if max_size is not None else True)
    return starts[keep], ends[keep]


@lru_cache(maxsize=8)
def lsh_bands(threshold: float, num_perm: int = 128) -> tuple[int, int]:
    """(bands, rows per band) that datasketch's MinHashLSH picks for this threshold.

    Example:
        >>> lsh_bands(0.3, 128)
        (37, 3)
    """
    # datasketch's _optimal_param: the (b, r) with the least false positive plus false negative
    # area (weights 0.5 each). Its integrands are polynomials of degree b * r <= num_perm, which
    # Gauss-Legendre with more than num_perm / 2 nodes integrates exactly (it uses scipy's quad).
    nodes, weights = np.polynomial.legendre.leggauss(num_perm // 2 + 2)
    below = (nodes + 1) * threshold / 2  # nodes mapped onto [0, threshold] and [threshold, 1]
    above = threshold + (nodes + 1) * (1 - threshold) / 2
    best, least = (0, 0), float("inf")
    for b in range(1, num_perm + 1):
        for r in range(1, num_perm // b + 1):
            fp = float(weights @ (1 - (1 - below ** r) ** b)) * threshold / 2
            fn = float(weights @ (1 - above ** r) ** b) * (1 - threshold) / 2
            error = fp * 0.5 + fn * 0.5
            if error < least:
                best, least = (b, r), error
    if best[0] < 2:  # as datasketch: one band is no LSH
        raise ValueError(f"lsh_threshold={threshold} with num_perm={num_perm} leaves one band: lower the "
                         "threshold or raise num_perm")
    return best


def candidate_pairs(sigs: np.ndarray, threshold: float, num_perm: int = 128,
                    present: np.ndarray | None = None, as_codes: bool = False, jobs: int = 1) -> np.ndarray:
    """Pairs (i, j), i < j, whose signature rows agree on a whole LSH band, sorted, as an (n, 2) array.

    The same pairs datasketch's MinHashLSH returns (same bands and rows), found by sorting
    each band's rows instead of a dict insert and query per record. Rows where `present`
    is False (empty records) take no part. `as_codes` gives them as sorted codes `i * len(sigs) + j`.
    `jobs` threads sort bands side by side (numpy's sorts and the pairing kernel let go of the GIL).

    Example:
        >>> import numpy as np
        >>> sigs = signature_matrix([np.arange(50, dtype=np.uint32), np.arange(1, 51, dtype=np.uint32)])
        >>> candidate_pairs(sigs, 0.5).tolist()
        [[0, 1]]
    """
    bands, rows = lsh_bands(threshold, num_perm)
    index = np.arange(len(sigs)) if present is None else np.flatnonzero(present)

    def band_codes(band: int) -> np.ndarray:
        order, starts, ends = _equal_row_runs(sigs, index, band * rows, (band + 1) * rows)
        return kernels.pairs_in_runs(index[order], starts, ends, len(sigs)) if len(starts) else _NO_CODES

    if jobs > 1 and len(index) > 10_000:
        with ThreadPoolExecutor(jobs) as pool:
            codes = list(pool.map(band_codes, range(bands)))
    else:
        codes = [band_codes(band) for band in range(bands)]
    # A pair of near-copies comes back from most bands: ~20M codes for a million records.
    found = distinct_codes(codes)
    if as_codes:
        return found
    return np.stack([found // max(len(sigs), 1), found % max(len(sigs), 1)], axis=1)


_NO_CODES = np.zeros(0, dtype=np.int64)


def distinct_codes(parts: list[np.ndarray]) -> np.ndarray:
    """The distinct pair codes (non-negative int64) of some arrays, sorted.

    By sorting: numpy 2's `np.unique` hashes, which took 4.7 s on the ~20M LSH pair codes of a
    million records.

    Example:
        >>> import numpy as np
        >>> distinct_codes([np.array([5, 3]), np.array([3, 0])]).tolist()
        [0, 3, 5]
    """
    return kernels.sorted_distinct64(np.concatenate([_NO_CODES, *parts]).view(np.uint64)).view(np.int64)


def signature_agreement(sigs: np.ndarray, codes: np.ndarray) -> np.ndarray:
    """The share of signature rows on which each pair agrees (MinHash's Jaccard estimate, as
    datasketch's `MinHash.jaccard`); pairs given as codes `i * len(sigs) + j`.

    Example:
        >>> import numpy as np
        >>> sigs = signature_matrix([np.arange(50, dtype=np.uint32), np.arange(1, 51, dtype=np.uint32)])
        >>> round(float(signature_agreement(sigs, np.array([1]))[0]), 2)
        0.96
    """
    same = kernels.agreeing_columns(sigs, np.asarray(codes, dtype=np.int64), max(len(sigs), 1))
    return same / max(sigs.shape[1], 1)


def _equal_row_runs(sigs: np.ndarray, index: np.ndarray, lo: int, hi: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(order, starts, ends): an order of the rows `index` of a uint32 array (columns lo..hi) that
    puts equal rows side by side, and the runs (2 rows or more) of equal rows in it."""
    # One sort of a 64-bit hash of each row instead of a stable sort per pair of columns (3x
    # faster), both compiled (a million rows: 55 ms a band where numpy took 120). Rows with one
    # hash must be one row: where two differ (never yet seen), the rows themselves are sorted.
    keys = kernels.row_keys(sigs, index, lo, hi, _MIX)
    order = kernels.radix_argsort64(keys)
    ordered = keys[order]
    same = np.flatnonzero(ordered[1:] == ordered[:-1])
    if not kernels.equal_neighbours(sigs, index, order, same, lo, hi):
        block = sigs[index, lo:hi]
        order = _row_order(block)
        return (order, *equal_runs(block[order]))
    return (order, *equal_runs(ordered[:, None]))


_MIX = np.uint64(0x9E3779B97F4A7C15)


def _row_order(block: np.ndarray) -> np.ndarray:
    """The order `np.lexsort` gives the rows of a uint32 block (first column first), with two
    columns packed into one uint64 key: one stable sort fewer per pair of columns."""
    keys = [block[:, c].astype(np.uint64) << np.uint64(32) | block[:, c + 1] for c in range(0, block.shape[1] - 1, 2)]
    if block.shape[1] % 2:
        keys.append(block[:, -1])
    return np.lexsort(keys[::-1])
