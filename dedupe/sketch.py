"""MinHash signatures and LSH candidate pairs: the only module that imports datasketch."""

from __future__ import annotations

from collections.abc import Iterable, Iterator

import numpy as np
from datasketch import MinHash, MinHashLSH


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


def minhash_generator(hash_sets: Iterable[np.ndarray], num_perm: int = 128,
                      seed: int = 1) -> Iterator[MinHash]:
    """Stream MinHashes sharing one set of permutations (datasketch's `generator` twin).

    Example:
        >>> import numpy as np
        >>> sigs = list(minhash_generator([np.array([1], dtype=np.uint32)], num_perm=8))
        >>> len(sigs[0].hashvalues)
        8
    """
    template = MinHash(num_perm=num_perm, seed=seed, hashfunc=_identity, scheme="affine32")
    for hashes in hash_sets:
        m = MinHash(num_perm=num_perm, seed=seed, hashfunc=_identity, scheme="affine32",
                    permutations=template.permutations)
        if len(hashes):
            m.update_batch(hashes.tolist())
        yield m


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
