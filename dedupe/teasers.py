"""Teasers: how a cut-off text ends, and which longer record it was cut from."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from .config import DedupeConfig
from .similarity import lead_alignment, tail_alignment
from .text import (
    FUNCTION_WORDS,
    compact,
    ends_with_terminal,
    fold,
    has_ellipsis_tail,
    last_word,
    sentence_ends,
    strip_furniture_tail,
    strip_link_tail,
    unclosed_quote,
)

if TYPE_CHECKING:
    from .features import Features

_PAREN_TAIL = re.compile(r"\s*\([^()]{1,160}\)\s*$")


def plain_ending(text: str) -> str:
    """The text without link text, furniture lines or closing (credits) — what its ending is judged on.

    Example:
        >>> plain_ending("She smiled. (Photo: AFP) (Getty Images)\\n\\nShare this story")
        'She smiled.'
    """
    body = strip_furniture_tail(strip_link_tail(fold(text)))
    # A closing "(Photo credit/Handout via Reuters)" is a caption's credit, not a sentence.
    uncredited = body
    while _PAREN_TAIL.search(uncredited):
        uncredited = _PAREN_TAIL.sub("", uncredited)
    body = uncredited if uncredited.strip() else body
    return body.rstrip()


def cut_evidence(text: str, title: str, config: DedupeConfig) -> list[str]:
    """Why a text looks cut off mid-sentence; [] when it looks complete.

    Headline-only texts, photo captions and complete single sentences without a full
    stop are not cut; a long or multi-sentence text that stops without one is.

    Example:
        >>> cut_evidence("The army said it had taken the", "", DedupeConfig())
        ['cut:function_word']
        >>> cut_evidence("Over 200 people backed the campaign to save the shop", "", DedupeConfig())
        []
    """
    body = plain_ending(text)
    if not body or (title and compact(body) == compact(title)):
        return []
    if has_ellipsis_tail(strip_furniture_tail(fold(text))):
        stripped = strip_link_tail(body)
        return ["cut:ellipsis"] if stripped and not ends_with_terminal(stripped) else []
    body = strip_link_tail(body)
    if not body or ends_with_terminal(body):
        return []
    if unclosed_quote(body):
        return ["cut:unclosed_quote"]
    if body[-1] in ",;:-–—(" or last_word(body) in FUNCTION_WORDS:
        return ["cut:function_word"]
    words = len(body.split())
    inner_end = any(e < len(body) - 1 for e in sentence_ends(body))
    if words >= config.cut_min_words or inner_end:
        return ["cut:no_terminal_punctuation"]
    return []



def continues_mid_sentence(long_body: str, end: int) -> bool:
    """True when `long_body` has no sentence end around offset `end` (a cut there is mid-sentence).

    Example:
        >>> continues_mid_sentence("rain fell on the town. rivers rose.", 16), continues_mid_sentence("rain fell.", 10)
        (True, False)
    """
    tail = long_body[max(0, end - 2): end + 3]
    return not re.search(r"[.!?]", tail)


def find_completion(i: int, story: list[int], feats: list[Features], truncated_hint: bool,
                     prefer: int, config: DedupeConfig) -> tuple[int, float] | None:
    """The longer member whose opening holds record i as its lead: (index, alignment score).

    Without `truncated_hint` (no cut ending), only a member that goes on mid-sentence
    where record i stops counts: one with a sentence end there makes i an abridged copy.

    The story's best copy (`prefer`) wins when it aligns, so one text completes a story.
    """
    best = None
    fi = feats[i]
    if len(fi.body) < config.lead_min_chars / 2:
        return None
    for j in story:
        fj = feats[j]
        # The teaser may carry a sub-headline its article lacks, so it can be a little longer.
        if j == i or fj.cut_reasons or len(fj.body) < 0.8 * len(fi.body):
            continue
        opening = lead_alignment(fi.body[:300], fj.body, config.lead_match_score).score
        al = tail_alignment(fi.body, fj.body, config.lead_match_score)
        # Either the opening and the cut both align, or, for a text that is plainly cut (an
        # outlet rewrote the first words), its last 100 characters stand verbatim in the longer one.
        probe, score = config.verbatim_tail_chars, config.verbatim_tail_score
        verbatim_tail = truncated_hint and len(fi.body) >= 1.2 * probe and \
            tail_alignment(fi.body, fj.body, score, probe=probe).score >= score
        if not (opening >= config.lead_match_score and al.score >= config.lead_match_score or verbatim_tail):
            continue
        if al.long_end + 5 > len(fj.body):
            continue  # the other text stops where this one does
        mid = continues_mid_sentence(fj.body, al.long_end)
        key = (j == prefer, al.score, len(fj.body), -j)
        if (truncated_hint or mid) and (best is None or key > best[0]):
            best = (key, j, al.score)
    return None if best is None else (best[1], best[2])


