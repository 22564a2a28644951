"""Fuzzy alignment scores: the only module that imports rapidfuzz."""

from __future__ import annotations

import re
from difflib import SequenceMatcher
from typing import NamedTuple

from rapidfuzz import fuzz, process

_WORDS = re.compile(r"\w+")


class LeadAlignment(NamedTuple):
    """Where a short text aligns inside the opening of a long one."""

    score: float
    long_end: int
    long_start: int = 0


def lead_alignment(short: str, long: str, cutoff: float = 0.0) -> LeadAlignment:
    """Align `short` inside the opening of `long` (rapidfuzz partial alignment).

    Only the opening (short's length plus slack) is searched: a teaser is a lead, and
    the cap keeps non-matching pairs cheap.

    Example:
        >>> a = lead_alignment("the cat sat on the", "the cat sat on the mat today. it slept.")
        >>> a.score, a.long_end
        (100.0, 18)
    """
    if not short or not long:
        return LeadAlignment(0.0, 0)
    short = short[_prefix_length(short, long):]
    opening = long[: len(short) + 200 + len(short) // 4]
    if len(short) > len(opening):
        short = short[: len(opening)]
    res = fuzz.partial_ratio_alignment(short, opening, score_cutoff=cutoff)
    if res is None:
        return LeadAlignment(0.0, 0)
    return LeadAlignment(round(res.score, 1), res.dest_end, res.dest_start)


def tail_alignment(short: str, long: str, cutoff: float = 0.0, probe: int = 150) -> LeadAlignment:
    """Where the last `probe` characters of `short` align in `long`, near the same offset.

    With the opening already matched, this finds where a teaser stops inside its article
    without aligning the whole teaser (cost grows with `probe`, not with the texts).

    Example:
        >>> tail_alignment("the cat sat on the", "the cat sat on the mat today.", probe=8)
        LeadAlignment(score=100.0, long_end=18, long_start=10)
    """
    if not short or not long:
        return LeadAlignment(0.0, 0)
    tail = short[-probe:]
    start = max(0, len(short) - len(tail) - 300)
    window = long[start: len(short) + 300]
    res = fuzz.partial_ratio_alignment(tail, window, score_cutoff=cutoff)
    if res is None:
        return LeadAlignment(0.0, 0)
    return LeadAlignment(round(res.score, 1), start + res.dest_end, start + res.dest_start)


def _prefix_length(short: str, long: str, probe: int = 50) -> int:
    # A teaser may open with a kicker or sub-headline its article lacks: find where the
    # article's first words start inside the teaser's head and skip what comes before.
    if len(long) < probe or len(short) < probe * 2:
        return 0
    head = short[: probe * 4]
    res = fuzz.partial_ratio_alignment(long[:probe], head, score_cutoff=90)
    return res.dest_start if res is not None else 0


def shared_run(a: str, b: str) -> int:
    """Length in words of the longest word run two texts share verbatim.

    Example:
        >>> shared_run("Russia says Ukraine tried to attack Moscow", "ukraine tried to attack moscow overnight")
        5
    """
    wa, wb = _WORDS.findall(a.lower()), _WORDS.findall(b.lower())
    match = SequenceMatcher(None, wa, wb, autojunk=False).find_longest_match(0, len(wa), 0, len(wb))
    return match.size


def names_shared(names: frozenset[str], others: frozenset[str]) -> int:
    """How many of `names` appear in `others`, allowing one OCR slip in names of 5+ letters.

    Example:
        >>> names_shared(frozenset({"bush", "washington", "fra"}), frozenset({"bush", "wasbington"}))
        2
    """
    shared = 0
    for name in names:
        if name in others:
            shared += 1
        elif len(name) >= 5 and process.extractOne(name, others, scorer=fuzz.ratio, score_cutoff=80):
            shared += 1
    return shared


def title_score(a: str, b: str) -> float:
    """Similarity of two headlines in 0..100 (word-set ratio, order-free).

    Example:
        >>> title_score("Sierra Leone declares curfew", "Curfew declared in Sierra Leone") > 70
        True
    """
    if not a or not b:
        return 0.0
    return round(fuzz.token_set_ratio(a, b), 1)


def text_score(a: str, b: str) -> float:
    """Similarity of two short texts in 0..100 (word-sort ratio).

    Example:
        >>> text_score("the cat sat", "the cat sat")
        100.0
    """
    if not a or not b:
        return 0.0
    return round(fuzz.token_sort_ratio(a, b), 1)
