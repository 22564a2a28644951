"""What matching needs of each record: story text without furniture, shingles, lead keys."""

from __future__ import annotations

import re
import zlib
from collections import Counter, defaultdict
from collections.abc import Iterator
from dataclasses import dataclass

import numpy as np

from .config import DedupeConfig
from .records import Record
from .shingles import shingle_hashes
from .teasers import judge_ending
from .text import (
    compact,
    fold,
    headline_names,
    is_boilerplate_line,
    names_and_numbers,
    normalize,
    sentence_ends,
    split_kicker,
    strip_dateline,
    strip_link_tail,
)

_LEAD_STARTS = re.compile(r"(?:^|\n|[.!?:]\s+|\s[-–—]\s+)(?=\S)")
_WORD_START = re.compile(r"(?<=\s)[A-Z]")


@dataclass
class Features:
    """What matching needs of one record."""

    kicker: str | None
    body: str               # normalised story text: kicker, headline, furniture and dateline removed
    shingles: np.ndarray    # hashed k-grams of the compacted body (plus title when short)
    lead_keys: frozenset[int]
    cut_reasons: list[str]
    ends_terminal: bool
    title: str
    feed: str
    title_only: bool        # the record says nothing beyond its headline
    names: frozenset[str]   # names and numbers of the story text (see text.names_and_numbers)
    title_names: frozenset[str] | None  # the same of a sentence-case headline (text.headline_names)


def learn_boilerplate(records: list[Record], config: DedupeConfig) -> set[tuple[str, str]]:
    """(feed, compacted sentence) pairs that repeat across many records of one feed.

    Copies of one story come from different feeds, so a passage that one feed prints on
    many of its items (cookie notice, newsletter promo, disclaimer) is its template.

    Example:
        >>> recs = [Record(i, str(i), f"Story {i} here. Sign up now.", "", "f", None, "") for i in range(5)]
        >>> sorted(learn_boilerplate(recs, DedupeConfig()))
        [('f', 'signupnow')]
    """
    per_feed: dict[str, Counter] = defaultdict(Counter)
    feed_size: Counter = Counter()
    for r in records:
        feed_size[r.feed] += 1
        per_feed[r.feed].update(set(_passages(r.text)))
    learned = set()
    for feed, counts in per_feed.items():
        floor = max(config.boilerplate_min_records, config.boilerplate_feed_share * feed_size[feed])
        learned.update((feed, p) for p, n in counts.items() if n >= floor and len(p) >= 8)
    return learned


def _sentences(line: str) -> Iterator[str]:
    start = 0
    for end in sentence_ends(line) + [len(line)]:
        if line[start:end].strip():
            yield line[start:end]
        start = end


def _passages(text: str) -> Iterator[str]:
    for line in text.splitlines():
        for sentence in _sentences(line):
            key = compact(sentence)
            if key:
                yield key


def _story_lines(text: str, feed: str, boilerplate: set[tuple[str, str]]) -> list[str]:
    """The text's lines without furniture lines and without the feed's learned boilerplate."""
    lines = []
    for line in text.splitlines():
        if not line.strip() or is_boilerplate_line(line):
            continue
        if boilerplate:
            line = "".join(s for s in _sentences(line) if (feed, compact(s)) not in boilerplate)
        if line.strip():
            lines.append(line.strip())
    return lines


def extract_features(rec: Record, boilerplate: set[tuple[str, str]], config: DedupeConfig) -> Features:
    """Features of one record after its learned boilerplate is set aside.

    Example:
        >>> r = Record(0, "a", "ROYAL TARGET: LONDON (Reuters) - The prince was", "", "f", None, "")
        >>> f = extract_features(r, set(), DedupeConfig())
        >>> f.kicker, f.body, f.cut_reasons
        ('ROYAL TARGET', 'the prince was', ['cut:function_word'])
    """
    kicker, text = split_kicker(fold(rec.text))
    story = "\n".join(_story_lines(text, rec.feed, boilerplate))
    title = fold(rec.title).strip()
    title_comp = compact(title)
    # Judge the ending without furniture or the feed's learned boilerplate ("Sign up for ...").
    reasons, ends_terminal = judge_ending(story, rec.title, config)
    story_comp = compact(story)
    if title and story_comp.startswith(title_comp) and len(story_comp) > len(title_comp) + 20:
        # The headline repeated as the first line (or sub-headline) is not story text.
        story = story[_offset_after_prefix(story, len(title_comp)):].lstrip(" :-\n")
    story = strip_dateline(story)
    body_raw = strip_link_tail(story)
    body = normalize(body_raw) or normalize(title)
    comp = compact(body_raw)
    if len(comp) < config.short_text_chars and title:
        comp_for_shingles = title_comp + "|" + comp
    else:
        comp_for_shingles = comp or title_comp
    shingles = shingle_hashes(comp_for_shingles, config.shingle_size)
    return Features(kicker=kicker, body=body, shingles=shingles,
                    lead_keys=_lead_keys(body_raw, config), cut_reasons=reasons, ends_terminal=ends_terminal,
                    title=title, feed=rec.feed, title_only=not comp or comp == title_comp,
                    names=names_and_numbers(body_raw[: config.short_text_chars * 4]),
                    title_names=headline_names(title))


def _offset_after_prefix(text: str, prefix_chars: int) -> int:
    # Where the first `prefix_chars` letters and digits of `text` end.
    seen = 0
    for i, ch in enumerate(text):
        if ch.isalnum():
            seen += 1
            if seen >= prefix_chars:
                return i + 1
    return len(text)


def _lead_keys(body: str, config: DedupeConfig) -> frozenset[int]:
    starts = {m.end() for m in _LEAD_STARTS.finditer(body[: config.lead_window_chars])}
    if len(body) < 2 * config.short_text_chars:
        # A teaser's sub-headline may end without punctuation ("Benitez 'to launch bid' Liverpool
        # may launch ..."): in its head, any capitalised word may be where the article's lead begins.
        starts.update(m.start() for m in _WORD_START.finditer(body[:120]))
    keys = set()
    for start in sorted(starts):
        comp = compact(body[start: start + 3 * config.lead_key_chars])
        for off in (0, config.lead_key_chars):
            piece = comp[off: off + config.lead_key_chars]
            if len(piece) == config.lead_key_chars:
                keys.add(hash_key(piece))
    return frozenset(keys)


def hash_key(text: str) -> int:
    """A stable 32-bit key for a string (never Python's salted `hash`).

    Example:
        >>> hash_key("abc") == hash_key("abc")
        True
    """
    return zlib.crc32(text.encode("utf-8"))


