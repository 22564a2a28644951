"""Compiled inner loops (numba): shingle hashing, MinHash signatures, overlaps, LSH bands.

The only module that imports numba. Every function works on uint32 numpy arrays and wraps
arithmetic modulo 2**32 explicitly (numba would otherwise widen to 64 bits), so the results
equal the numpy reference and datasketch's affine32 scheme bit for bit.
"""

from __future__ import annotations

import numba as nb
import numpy as np

_FNV = np.uint32(0x01000193)
_MAX = np.uint32(0xFFFFFFFF)


@nb.njit(cache=True, inline="always")
def fmix32(h):  # pragma: no cover - compiled
    """MurmurHash3's 32-bit finaliser of one uint32."""
    h = np.uint32(h ^ (h >> np.uint32(16)))
    h = np.uint32(h * np.uint32(0x85EBCA6B))
    h = np.uint32(h ^ (h >> np.uint32(13)))
    h = np.uint32(h * np.uint32(0xC2B2AE35))
    return np.uint32(h ^ (h >> np.uint32(16)))


@nb.njit(cache=True, nogil=True)
def char_shingle_hashes(codepoints, k):  # pragma: no cover - compiled
    """Hashes of every k-codepoint window (one for a shorter text, none for an empty one), unsorted.

    The window's polynomial sum(c[i + j] * FNV**(k - 1 - j)) mod 2**32 is rolled along the text
    (one multiply in the chain instead of k), then mixed with fmix32.
    """
    m = codepoints.shape[0]
    if m == 0:
        return np.empty(0, dtype=np.uint32)
    n = m - k + 1
    if n <= 0:
        n, k = 1, m
    out = np.empty(n, dtype=np.uint32)
    top = np.uint32(1)  # FNV**k: the weight the leaving code point had, times FNV
    for _ in range(k):
        top = np.uint32(top * _FNV)
    # Two rolls side by side, from the start and from the middle: each step waits for the
    # previous one's multiply, so one roll alone leaves the multiplier idle most of the time.
    half = n // 2
    h1 = h2 = np.uint32(0)
    for j in range(k):
        h1 = np.uint32(np.uint32(h1 * _FNV) + np.uint32(codepoints[j]))
        h2 = np.uint32(np.uint32(h2 * _FNV) + np.uint32(codepoints[half + j]))
    out[0], out[half] = h1, h2
    # Unsigned indexes: the compiled code then has no negative index to test for (4.1 -> 3.1 us a text).
    back, ahead, half_u = np.uint64(1), np.uint64(k - 1), np.uint64(half)
    for i in range(1, half):
        at = np.uint64(i)
        h1 = _roll(h1, codepoints[at - back], codepoints[at + ahead], top)
        out[at] = h1
        h2 = _roll(h2, codepoints[half_u + at - back], codepoints[half_u + at + ahead], top)
        out[half_u + at] = h2
    for i in range(max(2 * half, 1), n):  # an odd count's last window
        h2 = _roll(h2, codepoints[i - 1], codepoints[i + k - 1], top)
        out[i] = h2
    for i in range(n):  # mixed apart: a loop of independent multiplies vectorises
        out[i] = fmix32(out[i])
    return out


@nb.njit(cache=True, inline="always")
def _roll(h, leaving, entering, top):  # pragma: no cover - compiled
    return np.uint32(np.uint32(np.uint32(h * _FNV) - np.uint32(np.uint32(leaving) * top)) + np.uint32(entering))


@nb.njit(cache=True, nogil=True)
def sorted_distinct(values):  # pragma: no cover - compiled
    """The distinct values of a uint32 array, ascending (an insertion sort for a few values, else an
    LSD radix sort, a byte a pass)."""
    n = values.shape[0]
    if n < _SMALL:
        return _small_sorted_distinct(values)
    counts = np.zeros((4, 257), dtype=np.int64)
    for v in values:
        for b in range(4):
            counts[b, np.uint64((v >> np.uint32(8 * b)) & np.uint32(255)) + np.uint64(1)] += 1
    src, dst = values.copy(), np.empty(n, dtype=np.uint32)
    for b in range(4):
        pos = counts[b]
        if pos[1:].max() == n:
            continue  # every value has the same byte here: the order stands
        for d in range(1, 257):
            pos[d] += pos[d - 1]
        shift = np.uint32(8 * b)
        for v in src:
            d = (v >> shift) & np.uint32(255)
            at = np.uint64(pos[d])  # unsigned: no test for a negative index on every value (7% faster)
            dst[at] = v
            pos[d] = at + np.uint64(1)
        src, dst = dst, src
    return _distinct_of_sorted(src)


_SMALL = 48  # below this many values an insertion sort beats a radix sort (12 values: 55 ns vs 620)


@nb.njit(cache=True, inline="always")
def _small_sorted_distinct(values):  # pragma: no cover - compiled
    out = values.copy()
    for i in range(1, out.shape[0]):
        v = out[i]
        j = i - 1
        while j >= 0 and out[j] > v:
            out[j + 1] = out[j]
            j -= 1
        out[j + 1] = v
    return _distinct_of_sorted(out)


@nb.njit(cache=True, nogil=True)
def distinct_of_sorted(out):  # pragma: no cover - compiled
    """The distinct values of a sorted array (compacted in place, then copied out)."""
    return _distinct_of_sorted(out)


@nb.njit(cache=True, inline="always")
def _distinct_of_sorted(out):  # pragma: no cover - compiled
    m = 0
    for i in range(out.shape[0]):
        if m == 0 or out[i] != out[m - 1]:
            out[m] = out[i]
            m += 1
    return out[:m].copy()


@nb.njit(cache=True, nogil=True)
def distinct_shingle_hashes(codepoints, k):  # pragma: no cover - compiled
    """sorted_distinct(char_shingle_hashes(codepoints, k)) in one call: each array a compiled
    function hands back to Python costs ~1 us, more than the call."""
    return sorted_distinct(char_shingle_hashes(codepoints, k))


@nb.njit(cache=True, nogil=True)
def sorted_distinct64(values):  # pragma: no cover - compiled
    """np.unique of a uint64 array, by sorting. numpy 2.x's np.unique hashes: 3.2 us for a record's
    sentence keys where this takes 1.1, and 13 s for the 20M LSH pair codes of 600,000 distinct
    pairs where this takes 1.7 s."""
    if values.shape[0] < _SMALL:
        return _small_sorted_distinct(values)
    # A radix sort for big arrays (the pair codes of a run): 1M codes in ~15 ms where np.sort takes ~70.
    return _distinct_of_sorted(radix_sort64(values) if values.shape[0] > 2048 else np.sort(values))


@nb.njit(cache=True, nogil=True)
def minhash_row(hashes, a, b, out, d):  # pragma: no cover - compiled
    """out[d] = min over a document's shingle hashes h of (a * fmix32(h) + b) mod 2**32.

    A call a document: joining a batch's hashes into one array first cost a copy of each
    (~2 us a document of 2,500 hashes, more than the call).
    """
    perms = a.shape[0]
    row = out[d]
    for p in range(perms):
        row[p] = _MAX
    i, end = 0, hashes.shape[0]
    # Four shingles per sweep over the permutations: the row is read and written a quarter
    # as often, and the vectorised inner loop does four times the work per load (3x faster).
    while i + 4 <= end:
        m0, m1, m2, m3 = fmix32(hashes[i]), fmix32(hashes[i + 1]), fmix32(hashes[i + 2]), fmix32(hashes[i + 3])
        for p in range(perms):
            ap, bp = a[p], b[p]
            v = min(min(np.uint32(np.uint32(ap * m0) + bp), np.uint32(np.uint32(ap * m1) + bp)),
                    min(np.uint32(np.uint32(ap * m2) + bp), np.uint32(np.uint32(ap * m3) + bp)))
            if v < row[p]:
                row[p] = v
        i += 4
    while i < end:
        m = fmix32(hashes[i])
        for p in range(perms):
            v = np.uint32(np.uint32(a[p] * m) + b[p])
            if v < row[p]:
                row[p] = v
        i += 1


@nb.njit(cache=True, nogil=True)
def overlap(a, b):  # pragma: no cover - compiled
    """How many values two sorted distinct uint32 arrays share (one merge pass)."""
    i = j = shared = 0
    n, m = a.shape[0], b.shape[0]
    # Counts moved by comparisons, not branches on them: a branch per step mispredicts on
    # hashes (half the time of the if/elif merge).
    while i < n and j < m:
        x, y = a[i], b[j]
        shared += x == y
        i += x <= y
        j += y <= x
    return shared


@nb.njit(cache=True, nogil=True)
def agreeing_columns(rows, codes, limit):  # pragma: no cover - compiled
    """For each pair code i * limit + j, on how many columns rows i and j of a 2-D array agree."""
    out = np.empty(codes.shape[0], dtype=np.int32)
    for k in range(codes.shape[0]):
        i, j = codes[k] // limit, codes[k] % limit
        same = 0
        for c in range(rows.shape[1]):
            same += rows[i, c] == rows[j, c]
        out[k] = same
    return out


@nb.njit(cache=True, nogil=True)
def row_keys(rows, index, lo, hi, mix):  # pragma: no cover - compiled
    """A 64-bit hash of columns lo..hi of each row `index[k]` of a 2-D uint32 array."""
    out = np.empty(index.shape[0], dtype=np.uint64)
    for k in range(index.shape[0]):
        key = np.uint64(0)
        for c in range(lo, hi):
            key = np.uint64(np.uint64(key ^ np.uint64(rows[index[k], c])) * mix)
            key = key ^ (key >> np.uint64(29))
        out[k] = key
    return out


@nb.njit(cache=True, nogil=True)
def equal_neighbours(rows, index, order, at, lo, hi):  # pragma: no cover - compiled
    """Whether rows index[order[k]] and index[order[k + 1]] of a 2-D array agree on columns
    lo..hi, for every k in `at`."""
    for k in at:
        a, b = index[order[k]], index[order[k + 1]]
        for c in range(lo, hi):
            if rows[a, c] != rows[b, c]:
                return False
    return True


@nb.njit(cache=True, nogil=True)
def _lsd_radix(keys, track_order):  # pragma: no cover - compiled
    # LSD radix sort of a uint64 array, a byte a pass (a pass whose byte is alike in every key is
    # skipped): (sorted copy, and with `track_order` the stable order that sorts it).
    n = keys.shape[0]
    counts = np.zeros((8, 256), dtype=np.int64)
    for v in keys:
        for p in range(8):
            counts[p, (v >> np.uint64(8 * p)) & np.uint64(255)] += 1
    k = keys.copy()
    spare_k = np.empty(n, dtype=np.uint64)
    order = np.arange(n if track_order else 0)
    spare_order = np.empty(n if track_order else 0, dtype=np.int64)
    starts = np.empty(256, dtype=np.int64)
    for p in range(8):
        if counts[p].max() == n:
            continue
        total = 0
        for d in range(256):
            starts[d] = total
            total += counts[p, d]
        shift = np.uint64(8 * p)
        for i in range(n):
            d = (k[i] >> shift) & np.uint64(255)
            at = starts[d]
            spare_k[at] = k[i]
            if track_order:
                spare_order[at] = order[i]
            starts[d] = at + 1
        k, spare_k = spare_k, k
        order, spare_order = spare_order, order
    return k, order


@nb.njit(cache=True, nogil=True)
def radix_sort64(values):  # pragma: no cover - compiled
    """A sorted copy of a uint64 array (LSD radix sort: 2M pair codes in ~30 ms)."""
    return _lsd_radix(values, False)[0]


@nb.njit(cache=True, nogil=True)
def radix_argsort64(keys):  # pragma: no cover - compiled
    """A stable order that sorts a uint64 array (LSD radix sort, a byte a pass: a million keys in
    40 ms where np.argsort takes 80-100)."""
    return _lsd_radix(keys, True)[1]


@nb.njit(cache=True, nogil=True)
def pairs_in_runs(order, run_starts, run_ends, limit):  # pragma: no cover - compiled
    """Every pair (i < j) of items inside each run of `order`, as int64 codes i * limit + j."""
    total = 0
    for r in range(run_starts.shape[0]):
        k = run_ends[r] - run_starts[r]
        total += k * (k - 1) // 2
    out = np.empty(total, dtype=np.int64)
    n = 0
    for r in range(run_starts.shape[0]):
        for x in range(run_starts[r], run_ends[r]):
            for y in range(x + 1, run_ends[r]):
                i, j = order[x], order[y]
                if i > j:
                    i, j = j, i
                out[n] = np.int64(i) * limit + j
                n += 1
    return out


# ---------------------------------------------------------------- sentences and passage keys
# Code point properties (text._codepoint_properties builds the table for the Basic Multilingual Plane).
ALPHA, SPACE, LOWER_NOT_ASCII, LOWER_ONE, COMPACTS_AWAY = 1, 2, 4, 8, 16
_FNV64_OFFSET = np.uint64(0xCBF29CE484222325)
_FNV64_PRIME = np.uint64(0x100000001B3)
_BMP = 0x10000


@nb.njit(cache=True, inline="always")
def fmix64(h):  # pragma: no cover - compiled
    """MurmurHash3's 64-bit finaliser of one uint64."""
    h = h ^ (h >> np.uint64(33))
    h = h * np.uint64(0xFF51AFD7ED558CCD)
    h = h ^ (h >> np.uint64(33))
    h = h * np.uint64(0xC4CEB9FE1A85EC53)
    return h ^ (h >> np.uint64(33))


@nb.njit(cache=True, nogil=True)
def hash_bytes64(data):  # pragma: no cover - compiled
    """A 63-bit key of a byte string: FNV-1a 64, then the MurmurHash3 finaliser."""
    h = _FNV64_OFFSET
    for x in data:
        h = np.uint64(h ^ np.uint64(x)) * _FNV64_PRIME
    return fmix64(h) >> np.uint64(1)


@nb.njit(cache=True, inline="always")
def _is_linebreak(c):  # pragma: no cover - compiled
    # str.splitlines: \n \v \f \r \x1c \x1d \x1e \x85 \u2028 \u2029
    return (10 <= c <= 13) or (28 <= c <= 30) or c == 0x85 or c == 0x2028 or c == 0x2029


@nb.njit(cache=True, inline="always")
def _has(props, c, flag):  # pragma: no cover - compiled
    # -1: a code point past the table (outside the Basic Multilingual Plane)
    if c >= _BMP:
        return -1
    return 1 if props[c] & flag else 0


@nb.njit(cache=True, inline="always")
def _is_space(props, c):  # pragma: no cover - compiled
    return c < _BMP and (props[c] & SPACE) != 0


@nb.njit(cache=True, inline="always")
def _is_ascii_space(c):  # pragma: no cover - compiled
    return c == 32 or (9 <= c <= 13) or (28 <= c <= 31)


@nb.njit(cache=True, inline="always")
def _compact_char(c):  # pragma: no cover - compiled
    # text.compact of one ASCII character: its lower case if a letter or digit, else -1
    if 65 <= c <= 90:
        return c + 32
    return c if (97 <= c <= 122) or (48 <= c <= 57) else -1


@nb.njit(cache=True, inline="always")
def _is_mark(c):  # pragma: no cover - compiled
    return c == 46 or c == 33 or c == 63  # . ! ?


@nb.njit(cache=True, inline="always")
def _next_mark(cps, i, hi):  # pragma: no cover - compiled
    """The first `_is_mark` at or after i (hi if none)."""
    return _next_found(cps, i, hi, False)


@nb.njit(cache=True, inline="always")
def _next_linebreak(cps, i, hi):  # pragma: no cover - compiled
    """The first `_is_linebreak` at or after i (hi if none)."""
    return _next_found(cps, i, hi, True)


@nb.njit(cache=True, inline="always")
def _next_found(cps, i, hi, linebreak):  # pragma: no cover - compiled
    # Most 8-character blocks hold no mark and no line break, and a block is tested without a
    # branch; a test a character branches (mispredicted at every space). An unsigned index spares
    # the compiled code its check for negative ones, and 8 characters are less to search again
    # than 32: 2x faster than 32-character blocks counted (a mark or line break every ~100 characters).
    while i + 8 <= hi:
        found = np.uint32(0)
        at = np.uint64(i)
        for k in range(8):
            c = cps[at + np.uint64(k)]
            if linebreak:  # a constant where this is inlined
                found |= np.uint32(((c >= 10) & (c <= 13)) | ((c >= 28) & (c <= 30)) | (c == 0x85) | (c == 0x2028)
                                   | (c == 0x2029))
            else:
                found |= np.uint32((c == 46) | (c == 33) | (c == 63))
        if found:
            break
        i += 8
    for j in range(i, hi):
        if _is_linebreak(cps[j]) if linebreak else _is_mark(cps[j]):
            return j
    return hi


@nb.njit(cache=True, inline="always")
def _is_closer(c):  # pragma: no cover - compiled
    return c == 34 or c == 39 or c == 41 or c == 93 or c == 0x2019 or c == 0x201D or c == 0xBB


@nb.njit(cache=True, inline="always")
def _is_opener(c):  # pragma: no cover - compiled
    return c == 34 or c == 39 or c == 40 or c == 91 or c == 0x2018 or c == 0x201C or c == 0xAB


@nb.njit(cache=True, inline="always")
def _starts_sentence(c):  # pragma: no cover - compiled
    return (65 <= c <= 90) or (48 <= c <= 57) or (0xC0 <= c <= 0x24F)


@nb.njit(cache=True)
def _abbreviation(cps, lo, dot, props, abbreviations):  # pragma: no cover - compiled
    """text._is_abbreviation of the line starting at `lo`: 1 yes, 0 no, -1 ask Python."""
    if dot - lo >= 7:
        letters = 0
        for k in range(dot - 7, dot):
            a = _has(props, cps[k], ALPHA)
            if a < 0:
                return -1
            if a == 0:
                break
            letters += 1
        if letters == 7:
            return 0
    start = dot
    while start > lo:
        c = cps[start - 1]
        a = _has(props, c, ALPHA)
        if a < 0:
            return -1
        if a == 0 and c != 46:
            break
        start -= 1
    a, b = start, dot
    while a < b and cps[a] == 46:
        a += 1
    while b > a and cps[b - 1] == 46:
        b -= 1
    if a == b:
        return 0
    ascii_only = True
    for k in range(a, b):
        if cps[k] >= 128:
            ascii_only = False
    if not ascii_only:
        if b - a == 1:  # an initial, unless lower() makes two letters of it
            return 1 if props[cps[a]] & LOWER_ONE else 0
        for k in range(a, b):
            if cps[k] >= 128 and props[cps[k]] & LOWER_NOT_ASCII:
                return 0  # the lower-case word is not ASCII: in no abbreviation list
        return -1
    if b - a == 1:
        return 1
    if b - a > 8:
        return 0
    packed = np.uint64(0)
    for k in range(a, b):
        c = cps[k]
        if 65 <= c <= 90:
            c += 32
        packed = (packed << np.uint64(8)) | np.uint64(c)
    i = np.searchsorted(abbreviations, packed)
    return 1 if i < abbreviations.shape[0] and abbreviations[i] == packed else 0


@nb.njit(cache=True)
def _sentence_end(cps, lo, hi, i, props, abbreviations):  # pragma: no cover - compiled
    """The first sentence end (text.sentence_ends) at or after `i` in the text [lo, hi).

    Returns (offset just past it, or -1 when there is none before `hi`; status, -1 when
    Python must decide).
    """
    while True:
        i = _next_mark(cps, i, hi)
        if i >= hi:
            break
        # The regex: a run of marks, closers, then white space and a capital, or the end.
        # Backtracking never helps it (a shorter run is followed by a mark or closer), so a
        # failed run is skipped whole.
        q = i
        while q < hi and _is_mark(cps[q]):
            q += 1
        r = q
        while r < hi and _is_closer(cps[r]):
            r += 1
        s = r
        while s < hi and _is_space(props, cps[s]):
            s += 1
        ok = s == hi
        if not ok and s > r:
            ok = _starts_sentence(cps[s]) or (_is_opener(cps[s]) and s + 1 < hi and _starts_sentence(cps[s + 1]))
        if not ok:
            i = q
            continue
        if cps[i] == 46 and not (i + 1 < r and cps[i + 1] == 46):
            ab = _abbreviation(cps, lo, i, props, abbreviations)
            if ab < 0:
                return -1, -1
            if ab == 1:
                i = r
                continue
        return r, 0
    return -1, 0


@nb.njit(cache=True, nogil=True)
def sentence_ends(cps, props, abbreviations):  # pragma: no cover - compiled
    """Offsets just past each sentence end of the text (text.sentence_ends); status -1: ask Python."""
    out = np.empty(cps.shape[0] // 2 + 1, dtype=np.int64)  # an end takes a mark and a space or the end
    n = 0
    i = 0
    while True:
        end, status = _sentence_end(cps, 0, cps.shape[0], i, props, abbreviations)
        if status < 0:
            return out[:0], -1
        if end < 0:
            return out[:n], 0
        out[n] = end
        n += 1
        i = end


@nb.njit(cache=True, nogil=True)
def last_sentence_end(cps, props, abbreviations):  # pragma: no cover - compiled
    """`sentence_ends(...)[-1]` without the array (-1 when there is none); status -1: ask Python."""
    last = -1
    i = 0
    while True:
        end, status = _sentence_end(cps, 0, cps.shape[0], i, props, abbreviations)
        if status < 0:
            return -1, -1
        if end < 0:
            return last, 0
        last = end
        i = end


@nb.njit(cache=True, nogil=True)
def passage_keys(cps, props, abbreviations, min_chars):  # pragma: no cover - compiled
    """Keys (`hash_bytes64` of the compacted text) of the sentences of every line of a text.

    Lines and sentences as `str.splitlines` and `text.sentence_ends` cut them; a sentence's
    compacted text (`text.compact`) must hold `min_chars` characters. Returns (keys in text order,
    (start, end) of sentences whose compaction needs Python, status): status -1 when the whole
    text needs Python (a code point outside the table in a place that matters).
    """
    n = cps.shape[0]
    keys = np.empty(n // max(min_chars, 1) + 1, dtype=np.uint64)
    spans = np.empty((n // 2 + 1, 2), dtype=np.int64)
    nk = ns = 0
    pos = 0
    while pos < n:
        hi = _next_linebreak(cps, pos, n)
        lo = pos
        pos = hi + 2 if hi + 1 < n and cps[hi] == 13 and cps[hi + 1] == 10 else hi + 1
        seg = lo
        while True:
            end, status = _sentence_end(cps, lo, hi, seg, props, abbreviations)
            if status < 0:
                return keys[:0], spans[:0], -1
            if end < 0:
                end = hi
            # the sentence [seg, end): compacted and hashed, unless it is blank
            h = _FNV64_OFFSET
            length = 0
            blank = True
            python = False
            for k in range(seg, end):
                c = cps[np.uint64(k)]  # unsigned: no test for a negative index (7% faster)
                if c < 128:
                    # Hashed or not by a select, not a branch: a branch per character mispredicts
                    # on every word boundary.
                    kind = _ASCII_KIND[c]
                    keep = kind == 1
                    hashed = np.uint64(h ^ np.uint64(_ASCII_LOWER[c])) * _FNV64_PRIME
                    h = hashed if keep else h
                    length += keep
                    blank = blank & (kind == 0)
                else:
                    if not _is_space(props, c):
                        blank = False
                    if c >= _BMP or not props[c] & COMPACTS_AWAY:
                        python = True
            if python:
                spans[ns, 0] = seg
                spans[ns, 1] = end
                ns += 1
            elif not blank and length >= min_chars:
                keys[nk] = fmix64(h) >> np.uint64(1)
                nk += 1
            if end >= hi:
                break
            seg = end
    return keys[:nk], spans[:ns], 0


@nb.njit(cache=True, nogil=True)
def distinct_passage_keys(cps, props, abbreviations, min_chars):  # pragma: no cover - compiled
    """`passage_keys`' keys sorted and distinct, and how many sentences need Python (their keys
    are then not all there), in one call."""
    keys, spans, status = passage_keys(cps, props, abbreviations, min_chars)
    return sorted_distinct64(keys), spans.shape[0], status


def _ascii_tables() -> tuple[np.ndarray, np.ndarray]:
    lower = np.array([c + 32 if 65 <= c <= 90 else c for c in range(256)], dtype=np.uint8)
    # 0: white space as str.split() cuts on it; 1: a letter or digit (text.compact keeps it); 2: the rest
    kind = np.array([0 if _is_ascii_space.py_func(c) else 1 if chr(c).isalnum() and c < 128 else 2
                     for c in range(256)], dtype=np.uint8)
    return lower, kind


_ASCII_LOWER, _ASCII_KIND = _ascii_tables()


@nb.njit(cache=True, nogil=True)
def _normalize_and_compact(data, lower, kind):  # pragma: no cover - compiled
    n = data.shape[0]
    # One array back, normal text first, compacted text from n on (an array handed back costs ~1 us).
    out = np.empty(2 * n, dtype=np.uint8)
    # Unsigned indexes: the compiled stores skip their test for a negative one (13.6 -> 6.4 us a 3,200-character text).
    a, b = np.uint64(0), np.uint64(n)
    after_space = True  # no space at the start
    # Every character is written and the counts moved by what it is, with no branch to
    # mispredict on text: twice as fast as skipping and collapsing with ifs.
    for i in range(n):
        c = data[np.uint64(i)]
        k = kind[c]
        space = k == 0
        lower_c = lower[c]
        out[a] = 32 if space else lower_c
        a += np.uint64(not (space and after_space))
        after_space = space
        out[b] = lower_c
        b += np.uint64(k == 1)
    if a > 0 and out[a - np.uint64(1)] == 32:
        a -= np.uint64(1)
    return out, a, b - np.uint64(n)


def normalize_and_compact_ascii(data: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(text.normalize, text.compact) of ASCII bytes, in one pass: lower case with runs of white
    space one space and none at the ends; lower-case letters and digits only.

    Example:
        >>> [a.tobytes() for a in normalize_and_compact_ascii(np.frombuffer(b" It's  5%! ", np.uint8))]
        [b"it's 5%!", b'its5']
    """
    out, normal_len, compact_len = _normalize_and_compact(data, _ASCII_LOWER, _ASCII_KIND)
    return out[:normal_len], out[data.shape[0]: data.shape[0] + compact_len]


def _crc32_table() -> np.ndarray:
    table = np.zeros(256, dtype=np.uint32)
    for i in range(256):
        c = i
        for _ in range(8):
            c = (c >> 1) ^ 0xEDB88320 if c & 1 else c >> 1
        table[i] = c
    return table


_CRC32 = _crc32_table()


@nb.njit(cache=True, nogil=True)
def ascii_lead_keys(data, window, word_window, key_chars):  # pragma: no cover - compiled
    """features._lead_keys of ASCII bytes: sorted distinct zlib.crc32 keys of `key_chars` compacted
    characters at each story start (and one key later) in the first `window` bytes; capitalised
    words are starts too in the first `word_window` (0: none)."""
    n = min(data.shape[0], window)
    starts = np.empty(n + 1 + min(word_window, n), dtype=np.int64)
    ns = 0
    # _LEAD_STARTS: (?:^|\n|[.!?:]\s+|\s[-–—]\s+)(?=\S), as re.finditer walks it.
    i = 0
    if n > 0 and not _is_ascii_space(data[0]):
        starts[ns] = 0
        ns += 1
    while i < n:
        c = data[i]
        end = -1
        if c == 10:
            if i + 1 < n and not _is_ascii_space(data[i + 1]):
                end = i + 1
        if end < 0 and (c == 46 or c == 33 or c == 63 or c == 58):
            j = i + 1
            while j < n and _is_ascii_space(data[j]):
                j += 1
            if j > i + 1 and j < n:
                end = j
        if end < 0 and _is_ascii_space(c) and i + 1 < n and data[i + 1] == 45:
            j = i + 2
            while j < n and _is_ascii_space(data[j]):
                j += 1
            if j > i + 2 and j < n:
                end = j
        if end < 0:
            i += 1
            continue
        starts[ns] = end
        ns += 1
        i = end
    for p in range(1, min(word_window, data.shape[0])):
        if 65 <= data[p] <= 90 and _is_ascii_space(data[p - 1]):
            starts[ns] = p
            ns += 1
    keys = np.empty(2 * ns, dtype=np.uint32)
    nk = 0
    piece = np.empty(3 * key_chars, dtype=np.uint8)
    for s in range(ns):
        start = starts[s]
        m = 0  # compact(body[start: start + 3 * key_chars])
        # Unsigned indexes: no test for a negative one in the compiled loops (6.3 -> 5.5 us a text).
        for k in range(start, min(start + 3 * key_chars, data.shape[0])):
            lower = _compact_char(data[np.uint64(k)])
            if lower >= 0:
                piece[np.uint64(m)] = lower
                m += 1
        for off in (0, key_chars):
            if off + key_chars <= m:
                crc = np.uint32(0xFFFFFFFF)
                for k in range(off, off + key_chars):
                    crc = _CRC32[(crc ^ np.uint32(piece[np.uint64(k)])) & np.uint32(255)] ^ (crc >> np.uint32(8))
                keys[nk] = crc ^ np.uint32(0xFFFFFFFF)
                nk += 1
    return sorted_distinct(keys[:nk])


@nb.njit(cache=True, inline="always")
def _is_ascii_word(c):  # pragma: no cover - compiled
    return (48 <= c <= 57) or (65 <= c <= 90) or (97 <= c <= 122) or c == 95


@nb.njit(cache=True, nogil=True)
def ascii_names(data, words):  # pragma: no cover - compiled
    """text.names_and_numbers of ASCII bytes, its slow parts: (names, found_words, has_digit, apostrophe_digit).

    `names` holds the (start, end) spans of the capitalised words that do not merely open a sentence;
    `found_words` is a bit per row of `words` (lower-case number words, zero-padded to the width) that
    stands in the text as a whole run of letters.
    """
    n = data.shape[0]
    names = np.empty((n // 2 + 1, 2), dtype=np.int64)
    nn = 0
    found = 0
    has_digit = False
    apostrophe_digit = False
    width = words.shape[1]
    name_end = 0
    i = 0
    while i < n:
        c = data[i]
        if 48 <= c <= 57:
            has_digit = True
            if i > 0 and data[i - 1] == 39:
                apostrophe_digit = True
        if (65 <= c <= 90 or 97 <= c <= 122) and (i == 0 or not (65 <= data[i - 1] <= 90 or 97 <= data[i - 1] <= 122)):
            j = i + 1  # a whole run of letters: a number word when it is one, in lower case
            while j < n and (65 <= data[j] <= 90 or 97 <= data[j] <= 122):
                j += 1
            if j - i <= width:
                for w in range(words.shape[0]):
                    same = j - i == width or words[w, j - i] == 0
                    k = 0
                    while same and k < j - i:
                        same = (data[i + k] | 32) == words[w, k]
                        k += 1
                    if same:
                        found |= 1 << w
        # _NAME: [A-Z](?<!\w[A-Z])[\w']*, as re.finditer walks it (the next search starts at its end)
        if i >= name_end and 65 <= c <= 90 and (i == 0 or not _is_ascii_word(data[i - 1])):
            j = i + 1
            while j < n and (_is_ascii_word(data[j]) or data[j] == 39):
                j += 1
            name_end = j
            lo = max(0, i - 3)  # text[start - 3:start].rstrip()
            k = i
            while k > lo and _is_ascii_space(data[k - 1]):
                k -= 1
            b = data[k - 1] if k > lo else 0
            opener = k == lo or b == 46 or b == 33 or b == 63 or b == 34 or b == 39 or b == 58 or b == 45 or b == 40
            m = j  # _NEXT_CAPITAL: \s+[A-Z]
            while m < n and _is_ascii_space(data[m]):
                m += 1
            if not opener or (m > j and m < n and 65 <= data[m] <= 90):
                names[nn, 0] = i
                names[nn, 1] = j
                nn += 1
        i += 1
    return names[:nn], found, has_digit, apostrophe_digit
