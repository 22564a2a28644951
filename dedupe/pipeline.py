"""Story grouping, teaser detection and repair: the library's main job."""

from __future__ import annotations

import re
import time
import zlib
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from datetime import datetime, timezone
from email.utils import parsedate_to_datetime

import numpy as np

from . import sketch
from .config import DedupeConfig
from .records import FieldKeys, Record, records_from_objects
from .report import Report
from .shingles import overlap, shingle_hashes
from .similarity import lead_alignment, tail_alignment, text_score, title_score
from .text import (
    FUNCTION_WORDS,
    compact,
    ends_with_terminal,
    fold,
    has_ellipsis_tail,
    is_boilerplate_line,
    last_word,
    normalize,
    sentence_ends,
    split_kicker,
    strip_dateline,
    strip_furniture_tail,
    strip_link_tail,
    trim_to_last_sentence,
    unclosed_quote,
)

_PAREN_TAIL = re.compile(r"\s*\([^()]{1,160}\)\s*$")
_LEAD_STARTS = re.compile(r"(?:^|\n|[.!?:]\s+|\s[-–—]\s+)(?=\S)")


# ---------------------------------------------------------------- features

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
    title_only: bool        # the record says nothing beyond its headline


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


def _passages(text: str) -> Iterator[str]:
    for line in text.splitlines():
        start = 0
        for end in sentence_ends(line) + [len(line)]:
            piece = compact(line[start:end])
            if piece:
                yield piece
            start = end


def _story_lines(rec: Record, boilerplate: set[tuple[str, str]]) -> list[str]:
    lines = []
    for line in fold(rec.text).splitlines():
        if not line.strip() or is_boilerplate_line(line):
            continue
        if boilerplate:
            kept, start = [], 0
            for end in sentence_ends(line) + [len(line)]:
                piece = line[start:end]
                if piece.strip() and (rec.feed, compact(piece)) not in boilerplate:
                    kept.append(piece)
                start = end
            line = "".join(kept)
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
    lines = _story_lines(Record(rec.seq, rec.id, text, rec.title, rec.feed, rec.date, rec.origin),
                         boilerplate)
    title = fold(rec.title).strip()
    story = "\n".join(lines)
    if title and compact(story).startswith(compact(title)) and len(compact(story)) > len(compact(title)) + 20:
        # The headline repeated as the first line (or sub-headline) is not story text.
        cut = _offset_after_prefix(story, compact(title))
        story = story[cut:].lstrip(" :-\n")
    story = strip_dateline(story)
    body_raw = strip_link_tail(story)
    body = normalize(body_raw) or normalize(title)
    comp = compact(body_raw)
    if len(comp) < config.short_text_chars and title:
        comp_for_shingles = compact(title) + "|" + comp
    else:
        comp_for_shingles = comp or compact(title)
    shingles = shingle_hashes(comp_for_shingles, config.shingle_size)
    reasons = cut_evidence(rec.text, rec.title, config)
    return Features(kicker=kicker, body=body, shingles=shingles,
                    lead_keys=_lead_keys(body_raw, config), cut_reasons=reasons,
                    ends_terminal=not reasons and ends_with_terminal(_plain_ending(rec.text)),
                    title=title, title_only=not comp or comp == compact(title))


def _offset_after_prefix(text: str, prefix_compact: str) -> int:
    seen = 0
    for i, ch in enumerate(text):
        if ch.isalnum():
            seen += 1
            if seen >= len(prefix_compact):
                return i + 1
    return len(text)


def _lead_keys(body: str, config: DedupeConfig) -> frozenset[int]:
    window = body[: config.lead_window_chars]
    keys = set()
    for m in _LEAD_STARTS.finditer(window):
        comp = compact(body[m.end(): m.end() + 3 * config.lead_key_chars])
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


def _plain_ending(text: str) -> str:
    body = strip_furniture_tail(strip_link_tail(fold(text)))
    # A closing "(Photo credit/Handout via Reuters)" is a caption's credit, not a sentence.
    uncredited = _PAREN_TAIL.sub("", body)
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
    body = _plain_ending(text)
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


# ---------------------------------------------------------------- verification

@dataclass(frozen=True)
class Edge:
    """A verified link between two records, with the rule that made it."""

    a: int
    b: int
    strength: float
    reason: str


class Verifier:
    """Checks candidate pairs on exact shingle overlap, lead alignment and titles."""

    def __init__(self, feats: list[Features], config: DedupeConfig) -> None:
        self.feats, self.config = feats, config
        self.cache: dict[tuple[int, int], Edge | None] = {}

    def __call__(self, i: int, j: int) -> Edge | None:
        key = (i, j) if i < j else (j, i)
        if key not in self.cache:
            self.cache[key] = self._verify(*key)
        return self.cache[key]

    def _verify(self, i: int, j: int) -> Edge | None:
        cfg = self.config
        fi, fj = self.feats[i], self.feats[j]
        a, b = len(fi.shingles), len(fj.shingles)
        if not a or not b:
            return None
        shared = overlap(fi.shingles, fj.shingles)
        jac = shared / (a + b - shared)
        if jac >= cfg.jaccard_threshold:
            return Edge(i, j, jac, f"near_duplicate:{jac:.2f}")
        cont = shared / min(a, b)
        if cont >= cfg.containment_threshold and shared >= cfg.min_shared_shingles:
            return Edge(i, j, cont, f"contained:{cont:.2f}")
        short, long_ = (fi, fj) if len(fi.body) <= len(fj.body) else (fj, fi)
        if len(short.body) >= 80 and (cont >= 0.3 or short.lead_keys & long_.lead_keys):
            # The first few sentences are enough to tie a lead to its article.
            score = lead_alignment(short.body[:300], long_.body, cfg.lead_match_score).score
            if score >= cfg.lead_match_score:
                return Edge(i, j, score / 100, f"lead_match:{score:.0f}")
        if (fi.title_only or fj.title_only) and _headline_key(fi.title) and \
                _headline_key(fi.title) == _headline_key(fj.title):
            return Edge(i, j, 0.9, "same_headline")
        if len(fi.body) < cfg.short_text_chars and len(fj.body) < cfg.short_text_chars and fi.title and fj.title:
            ts = title_score(fi.title.lower(), fj.title.lower())
            if ts >= cfg.title_match_score:
                xs = text_score(fi.body, fj.body) if fi.body and fj.body else 0.0
                if xs >= cfg.short_text_score or jac >= 0.2:
                    return Edge(i, j, min(ts, xs) / 100 * 0.9, f"title_match:{ts:.0f}")
        return None


def _headline_key(title: str) -> str:
    # Only a headline of five words or more is specific enough to stand for a story.
    return compact(title) if len(title.split()) >= 5 else ""


# ---------------------------------------------------------------- grouping

def candidate_pairs(feats: list[Features], config: DedupeConfig) -> Iterator[tuple[int, int]]:
    """Candidate pairs from whole-text LSH and shared lead keys, each pair once, sorted.

    Example:
        >>> cfg = DedupeConfig()
        >>> texts = ["The cat sat on the mat all day long.", "The cat sat on the mat all day long!"]
        >>> fs = [extract_features(Record(i, str(i), t, "", "f", None, ""), set(), cfg)
        ...       for i, t in enumerate(texts)]
        >>> list(candidate_pairs(fs, cfg))
        [(0, 1)]
    """
    sigs = sketch.minhash_generator((f.shingles for f in feats), config.num_perm, config.seed)
    pairs = set(sketch.candidate_pairs(
        (sig if len(f.shingles) else None for f, sig in zip(feats, sigs)),
        config.lsh_threshold, config.num_perm))
    by_key: dict[int | str, list[int]] = defaultdict(list)
    for i, f in enumerate(feats):
        for k in f.lead_keys:
            by_key[k].append(i)
        if _headline_key(f.title):
            by_key["h:" + _headline_key(f.title)].append(i)
    for members in by_key.values():
        if 1 < len(members) <= config.lead_key_max_records:
            pairs.update((a, b) for n, a in enumerate(members) for b in members[n + 1:])
    return iter(sorted(pairs))


def group_stories(n: int, edges: list[Edge], verify: Verifier, config: DedupeConfig,
                  report: Report) -> list[int]:
    """Story label (smallest member index) per record, joining along verified edges.

    Chain guard: two groups join only when `join_fraction` of the pairs between them
    (up to `join_sample` members a side) verify on their own, so one record sharing a
    template or a background paragraph cannot pull unrelated stories together.

    Example:
        >>> v = lambda i, j: Edge(i, j, 1.0, "x") if {i, j} != {0, 2} else None
        >>> group_stories(3, [Edge(0, 1, 1.0, "x"), Edge(1, 2, 0.9, "x")], v, DedupeConfig(), Report())
        [0, 0, 0]
    """
    parent = list(range(n))
    members: dict[int, list[int]] = {i: [i] for i in range(n)}

    def find(x: int) -> int:
        while parent[x] != x:
            parent[x] = parent[parent[x]]
            x = parent[x]
        return x

    for e in sorted(edges, key=lambda e: (-e.strength, e.a, e.b)):
        ra, rb = find(e.a), find(e.b)
        if ra == rb:
            continue
        left = members[ra][: config.join_sample]
        right = members[rb][: config.join_sample]
        if len(left) * len(right) > 1:
            ok = sum(1 for x in left for y in right if verify(x, y) is not None)
            if ok < config.join_fraction * len(left) * len(right):
                report.joins_refused += 1
                continue
        root, other = (ra, rb) if ra < rb else (rb, ra)
        parent[other] = root
        members[root] = sorted(members[root] + members.pop(other))
    return [find(i) for i in range(n)]


# ---------------------------------------------------------------- teasers and repair

@dataclass
class Decision:
    """What dedupe decided for one record."""

    story: int = 0
    canonical: bool = False
    truncated: bool = False
    completed_by: int | None = None
    repaired_text: str | None = None
    repair: str | None = None
    reasons: list[str] = field(default_factory=list)


def _continues_mid_sentence(long_body: str, end: int) -> bool:
    tail = long_body[max(0, end - 2): end + 3]
    return not re.search(r"[.!?]", tail)


def _find_completion(i: int, story: list[int], feats: list[Features], truncated_hint: bool,
                     prefer: int, config: DedupeConfig) -> tuple[int, float, bool] | None:
    """The longer member whose opening holds record i as its lead: (index, score, cut there).

    The story's best copy (`prefer`) wins when it aligns, so one text completes a story.
    """
    best = None
    fi = feats[i]
    if len(fi.body) < 40:
        return None
    for j in story:
        fj = feats[j]
        # The teaser may carry a sub-headline its article lacks, so it can be a little longer.
        if j == i or fj.cut_reasons or len(fj.body) < 0.8 * len(fi.body):
            continue
        if lead_alignment(fi.body[:300], fj.body, config.lead_match_score).score < config.lead_match_score:
            continue  # cheap test on the opening before aligning the whole text
        al = tail_alignment(fi.body, fj.body, config.lead_match_score)
        if al.score < config.lead_match_score or al.long_end + 5 > len(fj.body):
            continue  # no match, or the other text stops where this one does
        mid = _continues_mid_sentence(fj.body, al.long_end)
        key = (j == prefer, al.score, len(fj.body), -j)
        if (truncated_hint or mid) and (best is None or key > best[0]):
            best = (key, j, al.score, mid)
    return None if best is None else (best[1], best[2], best[3])


Progress = Callable[[str, int, int], None]


def _no_progress(stage: str, done: int, total: int) -> None:
    pass


def decide(records: list[Record], config: DedupeConfig, report: Report,
           progress: Progress = _no_progress) -> list[Decision]:
    """Group records into stories, flag teasers, repair them and pick canonicals.

    Example:
        >>> recs = list(records_from_objects(["Rain fell on the city all day. Rivers rose.",
        ...                                   "Rain fell on the city all day. Rivers rose."]))
        >>> [d.story for d in decide(recs, DedupeConfig(), Report())]
        [0, 0]
    """
    boilerplate = learn_boilerplate(records, config)
    report.boilerplate_sentences_learned = len(boilerplate)
    feats = []
    for n, r in enumerate(records, 1):
        feats.append(extract_features(r, boilerplate, config))
        if n % 1000 == 0 or n == len(records):
            progress("features", n, len(records))
    verify = Verifier(feats, config)
    edges = []
    pairs = list(candidate_pairs(feats, config))
    for n, (i, j) in enumerate(pairs, 1):
        e = verify(i, j)
        if e is not None:
            edges.append(e)
        if n % 5000 == 0 or n == len(pairs):
            progress("verifying", n, len(pairs))
    report.candidate_pairs = len(pairs)
    report.verified_pairs = len(edges)
    labels = group_stories(len(records), edges, verify, config, report)
    stories: dict[int, list[int]] = defaultdict(list)
    for i, lab in enumerate(labels):
        stories[lab].append(i)

    decisions = [Decision(story=labels[i]) for i in range(len(records))]
    dates = [_date_key(r.date) for r in records]
    for members in stories.values():
        best_copy = min(members, key=lambda i: (bool(feats[i].cut_reasons), -len(feats[i].body), dates[i], i))
        for i in members:
            d, f = decisions[i], feats[i]
            d.truncated = bool(f.cut_reasons)
            d.reasons.extend(f.cut_reasons)
            if not f.ends_terminal and len(members) > 1:
                found = _find_completion(i, members, feats, d.truncated, best_copy, config)
                if found is not None:
                    j, score, mid = found
                    if not d.truncated:
                        d.truncated = True
                        d.reasons.append("cut:mid_sentence_in_full")
                    d.completed_by = j
                    d.reasons.append(f"lead_match:{score:.0f}")
        # Longest story text, not longest raw text: a promo block must not win the pick.
        canon = min(members, key=lambda i: (decisions[i].truncated, -len(feats[i].body), dates[i], i))
        for i in members:
            d = decisions[i]
            d.canonical = i == canon
            if not d.canonical:
                e = verify(i, canon)
                d.reasons.insert(0, e.reason if e else "joined_story")
            if d.truncated:
                if d.completed_by is not None:
                    d.repair, d.repaired_text = "completed", records[d.completed_by].text
                elif config.orphans == "trim":
                    trimmed = trim_to_last_sentence(records[i].text)
                    if trimmed and trimmed != records[i].text:
                        d.repair, d.repaired_text = "trimmed", trimmed
                        d.reasons.append("trim:last_sentence")
                    else:
                        d.reasons.append("trim:no_complete_sentence")
    return decisions


def _date_key(value: str | None) -> str:
    """A sortable UTC timestamp from ISO 8601 or RFC 822 dates; unknown dates sort last.

    Example:
        >>> _date_key("Sun, 26 Nov 2023 00:10:29 GMT") < _date_key("2023-11-26T01:00:00+00:00")
        True
    """
    if not value:
        return "\uffff"
    parsed = None
    try:
        parsed = datetime.fromisoformat(value.strip().replace("Z", "+00:00"))
    except ValueError:
        try:
            parsed = parsedate_to_datetime(value)
        except (TypeError, ValueError, IndexError):
            return "\ufffe" + value  # present but unreadable: after every readable date
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=timezone.utc)
    return parsed.astimezone(timezone.utc).isoformat()


# ---------------------------------------------------------------- public entry points

def _as_records(items: Iterable, config: DedupeConfig, keys: FieldKeys | None,
                report: Report) -> list[Record]:
    items = iter(items)
    first = next(items, None)
    if first is None:
        return []
    if isinstance(first, Record):
        return [first, *items]
    from itertools import chain
    return list(records_from_objects(chain([first], items), config, keys, report))


def annotate(items: Iterable, config: DedupeConfig | None = None, keys: FieldKeys | None = None,
             report: Report | None = None, progress: Progress = _no_progress) -> Iterator[dict]:
    """Every input record, in input order, with dedupe's verdict fields added.

    Takes Records (from `read_records`), dicts or strings. Grouping needs every pair, so
    the input is read to its end before the first record comes out.

    Example:
        >>> out = list(annotate(["Storms hit the coast on Monday. Power was cut.",
        ...                      "Storms hit the coast on Monday. Power was cut to homes."]))
        >>> [(o["story_id"], o["canonical"], o["duplicate_of"]) for o in out]
        [('s1', False, '<input>:2'), ('s1', True, None)]
    """
    config = config or DedupeConfig()
    report = report if report is not None else Report()
    started = time.perf_counter()
    records = _as_records(items, config, keys, report)
    decisions = decide(records, config, report, progress)
    story_ids = _story_ids(decisions)
    canon_of = {d.story: i for i, d in enumerate(decisions) if d.canonical}
    _count(decisions, report)
    report.records_out = len(records)
    report.seconds = time.perf_counter() - started
    for rec, d in zip(records, decisions):
        canon = canon_of[d.story]
        row = dict(rec.fields)
        row.setdefault("id", rec.id)
        if "id" in rec.fields and str(rec.fields["id"]) != rec.id:
            row["id"] = rec.id
        row.update({
            "story_id": story_ids[d.story],
            "canonical": d.canonical,
            "duplicate_of": None if d.canonical else records[canon].id,
            "truncated": d.truncated,
            "completed_by": None if d.completed_by is None else records[d.completed_by].id,
            "repaired_text": d.repaired_text,
            "kicker": split_kicker(fold(rec.text))[0],
            "reasons": d.reasons,
        })
        yield row


def clean(items: Iterable, config: DedupeConfig | None = None, keys: FieldKeys | None = None,
          report: Report | None = None, progress: Progress = _no_progress) -> Iterator[dict]:
    """One record per story, in first-seen order: the best copy, its text repaired.

    Example:
        >>> out = list(clean(["Storms hit the coast on Monday. Power was cut.",
        ...                   "Storms hit the coast on Monday. Power was cut to homes."]))
        >>> [(o["story_id"], o["members"]) for o in out]
        [('s1', ['<input>:1', '<input>:2'])]
    """
    config = config or DedupeConfig()
    report = report if report is not None else Report()
    started = time.perf_counter()
    records = _as_records(items, config, keys, report)
    decisions = decide(records, config, report, progress)
    story_ids = _story_ids(decisions)
    _count(decisions, report)
    stories: dict[int, list[int]] = defaultdict(list)
    for i, d in enumerate(decisions):
        stories[d.story].append(i)
    rows = []
    for story, members in stories.items():
        canon = next(i for i in members if decisions[i].canonical)
        d = decisions[canon]
        if d.truncated and d.completed_by is None and config.orphans == "drop":
            report.orphans_dropped += 1
            continue
        rec = records[canon]
        row = dict(rec.fields)
        row["id"] = rec.id
        completed = [decisions[i] for i in members if decisions[i].repair == "completed"]
        if d.repaired_text is not None:
            row[_text_key(rec)] = d.repaired_text
        kicker = next((k for k in (split_kicker(fold(records[i].text))[0] for i in [canon, *members]) if k), None)
        row.update({
            "story_id": story_ids[story],
            "members": [records[i].id for i in members],
            "feeds": sorted({records[i].feed for i in members}),
            "repair": d.repair or ("completed" if completed else None),
            "completed_by": records[completed[0].completed_by].id if completed and d.repair is None else None,
            "kicker": kicker,
        })
        rows.append(row)
    report.records_out = len(rows)
    report.seconds = time.perf_counter() - started
    yield from rows


def _text_key(rec: Record) -> str:
    for k in ("text", "content", "body", "article", "description", "summary"):
        if k in rec.fields:
            return k
    return "text"


def _story_ids(decisions: list[Decision]) -> dict[int, str]:
    ids: dict[int, str] = {}
    for d in decisions:
        if d.story not in ids:
            ids[d.story] = f"s{len(ids) + 1}"
    return ids


def _count(decisions: list[Decision], report: Report) -> None:
    sizes = Counter(d.story for d in decisions)
    report.stories = len(sizes)
    report.multi_record_stories = sum(1 for v in sizes.values() if v > 1)
    report.records_merged = sum(1 for d in decisions if not d.canonical)
    report.teasers_flagged = sum(d.truncated for d in decisions)
    report.teasers_completed = sum(d.repair == "completed" for d in decisions)
    report.teasers_trimmed = sum(d.repair == "trimmed" for d in decisions)
    report.teasers_untrimmable = sum(d.truncated and d.repair is None for d in decisions)
