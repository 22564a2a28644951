"""MinHash signatures and LSH candidate pairs: the only module that imports datasketch."""

from __future__ import annotations

from collections.abc import Iterable, Iterator

import numpy as np
from datasketch import MinHash, MinHashLSH

from .shingles import fmix32


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
    m = MinHash(num_perm=num_perm, seed=seed, hashfunc=_identity, scheme="affine32")
    if len(hashes):
        m.update_batch(hashes.tolist())
    return m


_CHUNK = 512  # shingles permuted at once: keeps the (chunk x num_perm) scratch in L2 cache (4x faster than 4096)


def signature_generator(hash_sets: Iterable[np.ndarray], num_perm: int = 128,
                        seed: int = 1) -> Iterator[np.ndarray]:
    """Stream MinHash hash values, computed in numpy exactly as datasketch's affine32 does.

    Each result equals `minhash(hashes).hashvalues`: datasketch's permutations, its
    MurmurHash3 pre-mix and `a * h + b mod 2**32`, without a Python call per shingle.

    Example:
        >>> import numpy as np
        >>> h = np.array([5, 9, 12], dtype=np.uint32)
        >>> bool((next(signature_generator([h], 16)) == minhash(h, 16).hashvalues).all())
        True
    """
    a, b = _permutations(num_perm, seed)
    empty = np.full(num_perm, np.iinfo(np.uint32).max, dtype=np.uint32)
    for hashes in hash_sets:
        sig = empty.copy()
        with np.errstate(over="ignore"):
            for start in range(0, len(hashes), _CHUNK):
                mixed = fmix32(hashes[start: start + _CHUNK].astype(np.uint32, copy=False))
                np.minimum(sig, (mixed[:, None] * a + b).min(axis=0), out=sig)
        yield sig


def signatures(hash_sets: Iterable[np.ndarray], num_perm: int = 128, seed: int = 1) -> list[np.ndarray]:
    """List twin of `signature_generator`.

    Example:
        >>> import numpy as np
        >>> len(signatures([np.array([1], dtype=np.uint32)] * 3, num_perm=8))
        3
    """
    return list(signature_generator(hash_sets, num_perm, seed))


def _permutations(num_perm: int, seed: int) -> tuple[np.ndarray, np.ndarray]:
    a, b = MinHash(num_perm=num_perm, seed=seed, scheme="affine32").permutations
    return a.astype(np.uint32), b.astype(np.uint32)


def minhash_generator(hash_sets: Iterable[np.ndarray], num_perm: int = 128,
                      seed: int = 1) -> Iterator[MinHash]:
    """Stream datasketch MinHash objects (for its LSH, storage or `jaccard`), one per set.

    Example:
        >>> import numpy as np
        >>> sigs = list(minhash_generator([np.array([1], dtype=np.uint32)], num_perm=8))
        >>> len(sigs[0].hashvalues)
        8
    """
    template = MinHash(num_perm=num_perm, seed=seed, hashfunc=_identity, scheme="affine32")
    for values in signature_generator(hash_sets, num_perm, seed):
        yield MinHash(num_perm=num_perm, seed=seed, hashfunc=_identity, scheme="affine32",
                      hashvalues=values, permutations=template.permutations)


def candidate_pairs(signatures: Iterable[MinHash | None], threshold: float,
                    num_perm: int = 128) -> Iterator[tuple[int, int]]:
    """Pairs (i, j), i < j, whose signatures collide in an LSH band, in a stable order.

    Records are inserted in order and each queries the ones before it, so a pair is
    found whichever record came first. `None` (an empty record) takes no part.

    Example:
        >>> import numpy as np
        >>> sigs = [minhash(np.arange(50, dtype=np.uint32)), minhash(np.arange(1, 51, dtype=np.uint32))]
        >>> list(candidate_pairs(sigs, 0.5))
        [(0, 1)]
    """
    lsh = MinHashLSH(threshold=threshold, num_perm=num_perm)
    for j, sig in enumerate(signatures):
        if sig is None:
            continue
        for i in sorted(lsh.query(sig)):
            yield i, j
        lsh.insert(j, sig, check_duplication=False)
