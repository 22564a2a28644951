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
    last_word,
    peel_link_tail,
    sentence_ends,
    strip_furniture_tail,
    unclosed_quote,
)

if TYPE_CHECKING:
    from .features import Features

NO_REASONS: list[str] = []  # shared by every text that is not cut; never changed (a million records)
_PAREN_TAIL = re.compile(r"\s*\([^()]{1,160}\)\s*$")


def _peel_ending(text: str, lines_joined: bool = False) -> tuple[str, bool]:
    """The text without furniture, link text, truncation marks or closing credits, and
    whether a truncation mark was peeled off (`lines_joined`: as `strip_furniture_tail` has it)."""
    body, marked = fold(text), False
    # Folding may change a text's white space; a folded ASCII text is the text itself.
    lines_joined = lines_joined and body is text
    while True:  # furniture may hide link text and link text furniture: peel until nothing moves
        peeled, mark = peel_link_tail(strip_furniture_tail(body, lines_joined))
        marked |= mark
        if peeled == body:
            break
        # What a pass leaves is a head of its lines, without blank lines: so is each next pass's text.
        body, lines_joined = peeled, True
    # A closing "(Photo credit/Handout via Reuters)" is a caption's credit, not a sentence.
    uncredited = body
    while uncredited.rstrip().endswith(")") and _PAREN_TAIL.search(uncredited):
        uncredited = _PAREN_TAIL.sub("", uncredited)
    return (uncredited if uncredited.strip() else body).rstrip(), marked


def plain_ending(text: str) -> str:
    """The text without link text, furniture lines or closing (credits) — what its ending is judged on.

    Example:
        >>> plain_ending("She smiled. (Photo: AFP) (Getty Images)\\n\\nShare this story")
        'She smiled.'
    """
    return _peel_ending(text)[0]


def judge_ending(text: str, title: str, config: DedupeConfig, lines_joined: bool = False) -> tuple[list[str], bool]:
    """(why the text looks cut off, whether it ends a sentence), from one read of its ending.

    `lines_joined`: the text's lines are non-blank and joined by "\\n" (`strip_furniture_tail`).

    Example:
        >>> judge_ending("Rain fell. Read more", "", DedupeConfig())
        ([], True)
    """
    body, marked = _peel_ending(text, lines_joined)
    terminal = ends_with_terminal(body)
    return (NO_REASONS, True) if terminal else (_cut_reasons(body, marked, title, config), False)


def _cut_reasons(body: str, marked: bool, title: str, config: DedupeConfig) -> list[str]:
    # `body` does not end a sentence (judge_ending asked first).
    if not body or (title and compact(body) == compact(title)):
        return NO_REASONS
    if marked:
        return ["cut:ellipsis"]
    if unclosed_quote(body):
        return ["cut:unclosed_quote"]
    if body[-1] in ",;:-–—(" or last_word(body) in FUNCTION_WORDS:
        return ["cut:function_word"]
    words = len(body.split())
    inner_end = any(e < len(body) - 1 for e in sentence_ends(body))
    if words >= config.cut_min_words or inner_end:
        return ["cut:no_terminal_punctuation"]
    return NO_REASONS


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
    return judge_ending(text, title, config)[0]


def continues_mid_sentence(long_body: str, end: int) -> bool:
    """True when `long_body` has no sentence end around offset `end` (a cut there is mid-sentence).

    Example:
        >>> continues_mid_sentence("rain fell on the town. rivers rose.", 16), continues_mid_sentence("rain fell.", 10)
        (True, False)
    """
    tail = long_body[max(0, end - 2): end + 3]
    return not re.search(r"[.!?]", tail)


def _opening_aligns(short_body: str, long_body: str, config: DedupeConfig) -> bool:
    return lead_alignment(short_body[:300], long_body, config.lead_match_score).score >= config.lead_match_score


def _verbatim_tail(short_body: str, long_body: str, config: DedupeConfig) -> bool:
    # A plainly cut teaser whose first words an outlet rewrote: its last characters stand
    # verbatim in the longer text.
    probe, score = config.verbatim_tail_chars, config.verbatim_tail_score
    return len(short_body) >= 1.2 * probe and tail_alignment(short_body, long_body, score, probe=probe).score >= score


def find_completion(i: int, story: list[int], feats: list[Features], truncated_hint: bool,
                    prefer: int, config: DedupeConfig, texts: dict[int, str] | None = None) -> tuple[int, float] | None:
    """The longer member whose opening holds record i as its lead: (index, alignment score).

    Without `truncated_hint` (no cut ending), only a member that goes on mid-sentence
    where record i stops counts: one with a sentence end there makes i an abridged copy.

    The story's best copy (`prefer`) wins when it aligns, so one text completes a story.
    `texts` keeps the members' story texts between calls for one story (a spilled text is a
    disk read).
    """
    best = None
    fi = feats[i]
    if fi.body_len < config.lead_min_chars / 2:
        return None
    texts = {} if texts is None else texts

    def body(k: int) -> str:
        if k not in texts:
            texts[k] = feats[k].body
        return texts[k]

    for j in story:
        fj = feats[j]
        # The teaser may carry a sub-headline its article lacks, so it can be a little longer.
        if j == i or fj.cut_reasons or fj.body_len < 0.8 * fi.body_len:
            continue
        short_body, long_body = body(i), body(j)
        al = tail_alignment(short_body, long_body, config.lead_match_score)
        if not (al.score >= config.lead_match_score and _opening_aligns(short_body, long_body, config)
                or truncated_hint and _verbatim_tail(short_body, long_body, config)):
            continue
        if al.long_end + 5 > fj.body_len:
            continue  # the other text stops where this one does
        mid = continues_mid_sentence(long_body, al.long_end)
        key = (j == prefer, al.score, fj.body_len, -j)
        if (truncated_hint or mid) and (best is None or key > best[0]):
            best = (key, j, al.score)
    return None if best is None else (best[1], best[2])


