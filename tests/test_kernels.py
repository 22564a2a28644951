"""The compiled text kernels give what their Python definitions give, on any text."""

import io
import json

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from dedupe import jsonio, kernels, shingles
from dedupe.config import DedupeConfig
from dedupe.features import _lead_keys, _lead_keys_python, _passages, distinct_passage_keys, hash_key64, passage_keys
from dedupe.records import write_rows
from dedupe.shingles import shingle_hash, shingle_hashes, window_hashes
from dedupe.text import (
    _TAIL_LINK,
    _TAIL_LINK_REVERSED,
    _sentence_ends_regex,
    codepoints,
    fold,
    last_sentence_end,
    normalize,
    sentence_ends,
)

# Pieces that sit on every decision the kernels make: abbreviations, initials, marks, closers,
# openers, every kind of line break and white space, letters outside ASCII and outside the
# Basic Multilingual Plane, a combining accent, characters whose lower case is longer or ASCII.
PIECES = ["Mr", "U.S", "Feb", "e.g", "Ph.D", "St", "a", "B", "word", "Sentence", "longerwords", "12", "3", "café",
          "José", "Émile", "İ", "\u212a", "ﬁ", "𝐀", "😀", "e\u0301", "ß", ".", ". ", "..", "!", "?", "?!", '"', "'",
          "(", ")", "[", "]", "’", "”", "»", "‘", "“", "«", " ", "  ", "\t", "\n", "\n\n", "\r\n", "\r", "\x0b",
          "\x1c", "\x1f", "\x85", "\u2028", "\u00a0", "…", "—", " - ", "-", ",", ":", "Ab", "X", "Ünter", "The",
          "abcdefgh", "Abcdefg", "Some longer words here"]
texts = st.lists(st.sampled_from(PIECES), max_size=60).map("".join)
ascii_texts = st.lists(st.sampled_from([p for p in PIECES if p.isascii()]), max_size=120).map("".join)
CFG = DedupeConfig()


@settings(max_examples=400, deadline=None)
@given(st.one_of(texts, st.text(max_size=200)))
def test_passage_keys_equal_the_python_sentence_splitter(text):
    want = sorted(hash_key64(p) for p in _passages(text) if len(p) >= 8)
    assert sorted(passage_keys(text).tolist()) == want
    assert distinct_passage_keys(text).tolist() == sorted(set(want))


@settings(max_examples=400, deadline=None)
@given(st.one_of(texts, st.text(max_size=200)))
def test_sentence_ends_equal_the_regex(text):
    want = _sentence_ends_regex(text)
    assert sentence_ends(text) == want
    assert last_sentence_end(text, window=40) == (want[-1] if want else None)


@settings(max_examples=300, deadline=None)
@given(ascii_texts)
def test_lead_keys_of_ascii_text_equal_the_regex_and_crc32(text):
    word_window = 120 if len(text) < 2 * CFG.short_text_chars else 0
    assert _lead_keys(text, CFG).tolist() == _lead_keys_python(text, CFG, word_window).tolist()


@settings(max_examples=300, deadline=None)
@given(st.one_of(ascii_texts, texts))
def test_normalize_equals_split_join_lower(text):
    assert normalize(text) == " ".join(fold(text).split()).lower()


TAIL_PIECES = ["read", "Read", "more", "MORE", "on", "continue", "reading", "the", "full", "rest", "story", "article",
               "post", "appeared", "first", "Site", ".", "...", "…", "»", "›", ">>", "→", "[", "]", " ", "  ", "\n",
               "x", "words here"]


@settings(max_examples=500, deadline=None)
@given(st.lists(st.sampled_from(TAIL_PIECES), max_size=30).map("".join))
def test_reversed_link_pattern_says_exactly_when_link_text_ends_a_text(text):
    tail = text.rstrip()
    assert bool(_TAIL_LINK_REVERSED.match(tail[::-1])) == bool(_TAIL_LINK.search(tail))


@settings(max_examples=500, deadline=None)
@given(st.lists(st.sampled_from([".", ". ", ".\t", "…", "x", " ", "\u00a0", "\n", ". . ."]), max_size=12).map("".join))
def test_ellipsis_test_says_when_the_ellipsis_pattern_can_end_a_tail(text):
    # peel_link_tail searches for a closing ellipsis only where the cheap test allows.
    from dedupe.text import _ELLIPSIS_END, _ends_with_ellipsis
    tail = text.rstrip()
    assert _ends_with_ellipsis(tail) == bool(tail.endswith((".", "…")) and _ELLIPSIS_END.search(tail))


@settings(max_examples=200, deadline=None)
@given(st.one_of(texts, st.text(max_size=60)), st.integers(2, 9))
def test_rolling_window_hashes_equal_each_window_hashed_alone(text, k):
    want = [shingle_hash(text[i:i + k]) for i in range(len(text) - k + 1)] if len(text) >= k else \
        ([shingle_hash(text)] if text else [])
    assert window_hashes(text, k).tolist() == want
    assert shingle_hashes(text, k).tolist() == sorted(set(want))


@settings(max_examples=30, deadline=None)
@given(st.lists(st.sampled_from(["rain ", "fell ", "on the ", "town", "\u00e9t\u00e9 ", "5%. "]), min_size=260,
                max_size=600).map("".join), st.integers(2, 9))
def test_long_texts_sorted_by_numpy_give_the_same_shingles(text, k):
    # From 1,024 characters shingles are sorted by numpy, below by the compiled radix sort.
    assert len(text) >= shingles._NUMPY_SORT_FROM
    assert shingle_hashes(text, k).tolist() == sorted(set(window_hashes(text, k).tolist())) == \
        kernels.distinct_shingle_hashes(codepoints(text), k).tolist()


@given(st.lists(st.integers(0, 2 ** 32 - 1), max_size=300))
def test_radix_sorted_distinct_equals_numpy_unique(values):
    a = np.array(values + values[: len(values) // 3], dtype=np.uint32)
    got = kernels.sorted_distinct(a)  # an insertion sort below 48 values, a radix sort above
    assert got.dtype == np.uint32 and got.tolist() == np.unique(a).tolist()


def test_json_reads_big_integers_exactly_wherever_they_are():
    line = '{"id": "12345678901234567890123", "n": [1.5, {"big": 123456789012345678901234567890}]}'
    assert jsonio.loads(line) == json.loads(line)
    assert jsonio.loads(line.encode()) == json.loads(line)
    assert jsonio.loads('{"x": 2.5, "id": "1234567890123456789012"}') == {"x": 2.5, "id": "1234567890123456789012"}


def test_jsonl_to_a_binary_file_equals_the_text_file():
    rows = [{"a": "café", "b": [1, 2.5, None]}, {"s": chr(0xD800)}, {1: "non-string key"}]
    text, raw = io.StringIO(), io.BytesIO()
    write_rows(rows, text)
    write_rows(rows, raw)
    assert raw.getvalue().decode("utf-8") == text.getvalue()


@settings(deadline=None)  # the first call compiles
@given(st.lists(st.integers(0, 2 ** 64 - 1), max_size=80))
def test_sorted_distinct64_equals_numpy_unique(values):
    a = np.array(values + values[: len(values) // 2], dtype=np.uint64)
    got = kernels.sorted_distinct64(a)
    assert got.dtype == np.uint64 and got.tolist() == np.unique(a).tolist()


@settings(max_examples=300, deadline=None)
@given(st.sets(st.integers(0, 2**32 - 1), max_size=80), st.sets(st.integers(0, 2**32 - 1), max_size=80),
       st.sets(st.sampled_from([0, 1, 2, 2**31, 2**32 - 2, 2**32 - 1]), max_size=6))
def test_overlap_counts_the_shared_values(a, b, both):
    # Shared values at either end of the range and between: the merge must stop and count exactly.
    a, b = a | both, b | both
    arrays = [np.array(sorted(s), dtype=np.uint32) for s in (a, b)]
    assert kernels.overlap(*arrays) == kernels.overlap(*arrays[::-1]) == len(a & b)


@settings(max_examples=100, deadline=None)
@given(st.lists(st.lists(st.integers(0, 2), min_size=6, max_size=6), min_size=2, max_size=12), st.data())
def test_signature_agreement_is_the_share_of_equal_rows(rows, data):
    from dedupe import sketch
    sigs = np.array(rows, dtype=np.uint32)  # few distinct values: rows agree on some columns
    n = len(sigs)
    pairs = data.draw(st.lists(st.tuples(st.integers(0, n - 1), st.integers(0, n - 1)), max_size=20))
    codes = np.array([i * n + j for i, j in pairs], dtype=np.int64)
    assert sketch.signature_agreement(sigs, codes).tolist() == [float((sigs[i] == sigs[j]).mean()) for i, j in pairs]


@settings(max_examples=200, deadline=None)
@given(st.lists(st.sampled_from([0, 1, 255, 256, 2**32 - 1, 2**32, 2**63, 2**64 - 1]) | st.integers(0, 2**64 - 1),
                max_size=300))
def test_radix_argsort_is_numpys_stable_argsort(values):
    keys = np.array(values, dtype=np.uint64)
    assert kernels.radix_argsort64(keys).tolist() == np.argsort(keys, kind="stable").tolist()
    assert kernels.radix_sort64(keys).tolist() == np.sort(keys).tolist()


def test_sorted_distinct64_of_a_big_array_equals_numpy_unique():
    rng = np.random.default_rng(5)
    for high in (2**16, 2**40, 2**64 - 1):  # codes of a few bytes, and full width
        a = rng.integers(0, high, 50_000, dtype=np.uint64, endpoint=True)
        a = np.concatenate([a, a[:9_000]])
        assert np.array_equal(kernels.sorted_distinct64(a), np.unique(a))
