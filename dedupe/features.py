"""What matching needs of each record: story text without furniture, shingles, lead keys."""

from __future__ import annotations

import os
import re
import sys
import zlib
from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from itertools import chain

import numpy as np

from . import kernels, sketch
from .config import DedupeConfig
from .parallel import map_ranges, map_tasks, worker_count
from .records import Record, date_key
from .shingles import shingle_hashes
from .store import StoredRange, TextsOnDisk, write_texts
from .teasers import NO_REASONS, judge_ending
from .text import (
    FURNITURE_MAX_CHARS,
    codepoints,
    compact,
    fold,
    headline_names,
    is_boilerplate_line,
    names_and_numbers,
    normalize,
    normalize_and_compact,
    sentence_codes,
    sentence_ends,
    split_kicker,
    strip_dateline,
    strip_link_tail,
)

_LEAD_STARTS = re.compile(r"(?:^|\n|[.!?:]\s+|\s[-–—]\s+)(?=\S)")
_WORD_START = re.compile(r"(?<=\s)[A-Z]")


@dataclass(eq=False, slots=True)  # slots: a million of these must stay small
class Features:
    """What matching needs of one record.

    The three long parts (body, names text, shingles) are held in memory, or, for big inputs,
    in a spill file (`spill`) and read back when a pair needs them.
    """

    kicker: str | None
    # The keys of `lead_keys` as bytes: an array a record keeps holds a small malloc'd block (its
    # shape) among the blocks the record's texts free, and once 20,000 in-memory records went to
    # disk glibc's malloc searched ~13,000 such holes on every text (--jobs 1: 30% of its CPU).
    lead_key_bytes: bytes
    cut_reasons: list[str]
    ends_terminal: bool
    title: str
    headline_key: int       # 2**63 | hash_key64 of a distinctive headline (`headline_key`), or 0 when none
    feed: str
    title_only: bool        # the record says nothing beyond its headline
    body_len: int
    n_shingles: int
    date_key: str           # sortable UTC date (records.date_key): the earliest copy wins a tie
    texts: tuple[str, str, np.ndarray] | TextsOnDisk  # (body, names text, shingles), or where they lie
    _names: frozenset[str] | None = field(default=None, repr=False)
    _title_names: frozenset[str] | None | bool = field(default=False, repr=False)  # False: not read yet

    def __reduce__(self) -> tuple:
        # Workers send every record's features to the parent: plain values pickle several
        # times faster than slots and small arrays.
        texts = self.texts
        flat = (texts.path, texts.offset, texts.body_bytes, texts.names_bytes, texts.n_shingles) \
            if isinstance(texts, TextsOnDisk) else (texts[0], texts[1], texts[2].tobytes())
        return (_features_from, (self.kicker, self.lead_key_bytes, self.cut_reasons, self.ends_terminal,
                                 self.title, self.headline_key, self.feed, self.title_only, self.body_len,
                                 self.n_shingles, self.date_key, flat))

    @property
    def lead_keys(self) -> np.ndarray:
        """Sorted distinct uint32 keys of where the story's sentences start (a read-only view)."""
        return np.frombuffer(self.lead_key_bytes, dtype=np.uint32)

    @property
    def body(self) -> str:
        """Normalised story text: kicker, headline, furniture and dateline removed."""
        return self.texts[0] if isinstance(self.texts, tuple) else self.texts.body()

    @property
    def names_text(self) -> str:
        """The opening of the story text, as written: where its names are read."""
        return self.texts[1] if isinstance(self.texts, tuple) else self.texts.names_text()

    @property
    def shingles(self) -> np.ndarray:
        """Sorted distinct hashed k-grams of the compacted body (plus title when short)."""
        return self.texts[2] if isinstance(self.texts, tuple) else self.texts.shingles()

    def spill(self, where: TextsOnDisk) -> Features:
        """These features, with the long parts left on disk (`where`) instead of in memory."""
        self.texts = where
        return self

    # Only pairs with a short text compare names: most records never need them.
    @property
    def names(self) -> frozenset[str]:
        """Names and numbers of the story's opening (see text.names_and_numbers)."""
        if self._names is None:
            self._names = names_and_numbers(self.names_text)
        return self._names

    @property
    def title_names(self) -> frozenset[str] | None:
        """The same of a sentence-case headline (text.headline_names)."""
        if self._title_names is False:
            self._title_names = headline_names(self.title)
        return self._title_names  # type: ignore[return-value]


def _features_from(kicker: str | None, lead_keys: bytes, cut_reasons: list[str], ends_terminal: bool, title: str,
                   headline: int, feed: str, title_only: bool, body_len: int, n_shingles: int, date_key: str,
                   texts: tuple) -> Features:
    # Unpickling makes every string and list anew: the feed names, spill file names and the
    # empty reasons repeat on a million records and are shared again here (~100 bytes a record).
    where = TextsOnDisk(sys.intern(texts[0]), *texts[1:]) if len(texts) == 5 \
        else (texts[0], texts[1], np.frombuffer(texts[2], dtype=np.uint32))
    return Features(kicker, lead_keys, cut_reasons or NO_REASONS, ends_terminal,
                    title, headline, sys.intern(feed), title_only, body_len, n_shingles, date_key, where)


Boilerplate = dict[str, frozenset[int]]  # feed -> passage keys of its template sentences


def learn_boilerplate(records: Sequence[Record], config: DedupeConfig, jobs: int = 1) -> Boilerplate:
    """Per feed, the keys (`passage_key`) of compacted sentences that repeat across many of its records.

    Copies of one story come from different feeds, so a passage that one feed prints on
    many of its items (cookie notice, newsletter promo, disclaimer) is its template.

    Example:
        >>> recs = [Record(i, str(i), f"Story {i} here. Sign up now.", "", "f", None, "") for i in range(5)]
        >>> learn_boilerplate(recs, DedupeConfig()) == {"f": frozenset({hash_key64("signupnow")})}
        True
    """
    tally = PassageTally()
    for part in map_ranges(_passage_keys, records, len(records), jobs, CHUNK):
        tally.add(part)
    return tally.learn(config)


CHUNK = 500  # records per task sent to a worker
_MIN_PASSAGE = 8  # shorter passages ("Photo.", "Reuters") are never learned

# Per feed, of a range of records: their indexes, how many distinct passage keys each has and
# the keys; then how many keys each has only in its story text (folded, kicker off) and those.
FeedPassages = tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray, np.ndarray]


class PassageTally:
    """Each record's distinct passage keys, per feed (8 bytes a sentence, not the sentence).

    What boilerplate is learned from (`learn`), and what tells, once it is learned, which
    records may hold one of their feed's template sentences (`holding`).

    Example:
        >>> recs = [Record(i, str(i), f"Story {i} here. Sign up now.", "", "f", None, "") for i in range(5)]
        >>> tally = PassageTally(); tally.add(_passage_keys(recs, 0, 5))
        >>> learned = tally.learn(DedupeConfig()); tally.holding(learned).tolist()
        [0, 1, 2, 3, 4]
    """

    def __init__(self) -> None:
        self.parts: dict[str, list[FeedPassages]] = defaultdict(list)

    def add(self, part: dict[str, FeedPassages]) -> None:
        """Take in what `_passage_keys` found in one range of records."""
        for feed, passages in part.items():
            self.parts[feed].append(passages)

    def learn(self, config: DedupeConfig, jobs: int = 1) -> Boilerplate:
        """Per feed, the keys on at least `boilerplate_min_records` and `boilerplate_feed_share` of its records.

        `jobs` threads count feeds side by side (numpy's sort lets go of the GIL).
        """
        def learned_of(feed_parts: tuple[str, list[FeedPassages]]) -> frozenset[int]:
            parts = feed_parts[1]
            floor = max(config.boilerplate_min_records,
                        config.boilerplate_feed_share * sum(len(p[0]) for p in parts))
            keys, counts = np.unique(np.concatenate([p[2] for p in parts]), return_counts=True)
            return frozenset(keys[counts >= floor].tolist())

        feeds = list(self.parts.items())
        with ThreadPoolExecutor(max(1, min(jobs, len(feeds)))) as pool:
            found = list(pool.map(learned_of, feeds))
        return {feed: keys for (feed, _), keys in zip(feeds, found) if keys}

    def holding(self, boilerplate: Boilerplate) -> np.ndarray:
        """Sorted indexes of the records whose text or story text holds a sentence of `boilerplate`."""
        found = [np.empty(0, dtype=np.int64)]
        for feed, template in boilerplate.items():
            learned = np.fromiter(template, dtype=np.uint64, count=len(template))
            for index, n_keys, keys, n_extra, extra in self.parts.get(feed, []):
                for counts, hits in ((n_keys, keys), (n_extra, extra)):
                    found.append(np.repeat(index, counts)[np.isin(hits, learned)])
        return np.unique(np.concatenate(found))


def _passage_keys(records: Sequence[Record], lo: int, hi: int) -> dict[str, FeedPassages]:
    rows = [(lo + n, r.feed, distinct_passage_keys(r.text), _NONE)
            for n, r in enumerate(records[lo:hi])]
    return _per_feed(rows)


_NONE = np.empty(0, dtype=np.uint64)


def _per_feed(rows: list[tuple[int, str, np.ndarray, np.ndarray]]) -> dict[str, FeedPassages]:
    # (record index, feed, its distinct keys, keys only its story text has) -> FeedPassages per feed.
    by_feed: dict[str, list] = defaultdict(list)
    for row in rows:
        by_feed[row[1]].append(row)
    return {feed: (np.array([r[0] for r in feed_rows], dtype=np.int64),
                   np.array([len(r[2]) for r in feed_rows], dtype=np.int64),
                   np.concatenate([r[2] for r in feed_rows]),
                   np.array([len(r[3]) for r in feed_rows], dtype=np.int64),
                   np.concatenate([r[3] for r in feed_rows]))
            for feed, feed_rows in by_feed.items()}


def passage_keys(text: str) -> np.ndarray:
    """`hash_key64` of each sentence of the text (compacted, at least 8 characters), in text order.

    What `learn_boilerplate` counts; sentences as `text.sentence_ends` cuts each line.

    Example:
        >>> passage_keys("Rain fell on Feb. 3 in the U.S. today. Sign up now.").tolist() == [
        ...     hash_key64("rainfellonfeb3intheustoday"), hash_key64("signupnow")]
        True
    """
    # Compiled: the Python loop over sentences cost more than all the rest of learning.
    found, slow, status = kernels.passage_keys(*sentence_codes(text), _MIN_PASSAGE)
    if status < 0:  # rare code points where they decide a sentence end
        return np.array([hash_key64(p) for p in _passages(text) if len(p) >= _MIN_PASSAGE], dtype=np.uint64)
    if not len(slow):
        return found
    # Sentences with letters only Unicode folding can compact ("Café"): compacted here.
    # Order is kept by position, as the keys are counted per record and compared as a set.
    more = [hash_key64(p) for a, b in slow.tolist() if len(p := compact(text[a:b])) >= _MIN_PASSAGE]
    return np.concatenate([found, np.array(more, dtype=np.uint64)])


def distinct_passage_keys(text: str) -> np.ndarray:
    """`passage_keys(text)`, sorted and distinct (what learning counts).

    Example:
        >>> distinct_passage_keys("Sign up now. Rain fell. Sign up now.").tolist() == sorted(
        ...     {hash_key64("signupnow"), hash_key64("rainfell")})
        True
    """
    keys, needs_python, status = kernels.distinct_passage_keys(*sentence_codes(text), _MIN_PASSAGE)
    return kernels.sorted_distinct64(passage_keys(text)) if status < 0 or needs_python else keys


def extract_all(records: Sequence[Record], boilerplate: Boilerplate, config: DedupeConfig,
                jobs: int = 1, spill_dir: str | None = None) -> Iterator[tuple[list[Features], np.ndarray]]:
    """Features and MinHash signature rows of every record, a chunk at a time, in input order.

    With `spill_dir`, each chunk's long texts are written there (`Features.spill`).

    Example:
        >>> recs = [Record(0, "a", "Rain fell on the town.", "", "f", None, "")]
        >>> [(len(fs), sigs.shape) for fs, sigs in extract_all(recs, {}, DedupeConfig())]
        [(1, (1, 128))]
    """
    shared = (records, boilerplate, config, spill_dir)
    yield from map_ranges(_extract_range, shared, len(records), jobs, CHUNK)


# Index of its first record; the records, or where they lie in a spilled store; spill directory or None.
Chunk = tuple[int, list[Record] | StoredRange, str | None]


def learn_and_extract(records: Sequence[Record], config: DedupeConfig, jobs: int = 1, spill_dir: str | None = None,
                      on_progress: Callable[[int], None] | None = None,
                      ) -> tuple[Boilerplate, list[Features], np.ndarray]:
    """`learn_boilerplate`, then `extract_all` with what it learned, reading most records once.

    Features of a record that holds none of its feed's template sentences are the same with
    or without the template: one pass learns and extracts; only the records that hold a
    learned sentence are extracted again. A barrier: learning needs every record.

    Example:
        >>> recs = [Record(i, str(i), f"Story {i} here. Sign up now.", "", "f", None, "") for i in range(5)]
        >>> learned, feats, sigs = learn_and_extract(recs, DedupeConfig())
        >>> len(learned["f"]), feats[0].body, sigs.shape
        (1, 'story 0 here.', (5, 128))
    """
    return learn_and_extract_chunks(record_chunks(records, spill_dir), records, config, jobs, on_progress)


def record_chunks(records: Sequence[Record], spill_dir: str | None = None) -> Iterator[Chunk]:
    """The records as `learn_and_extract_chunks` takes them, `CHUNK` at a time.

    Example:
        >>> [(lo, len(part)) for lo, part, _ in record_chunks([Record(i, str(i), "x", "", "f", None, "")
        ...                                                     for i in range(501)])]
        [(0, 500), (500, 1)]
    """
    return ((lo, list(records[lo: lo + CHUNK]), spill_dir) for lo in range(0, len(records), CHUNK))


def learn_and_extract_chunks(chunks: Iterable[Chunk], records: Sequence[Record], config: DedupeConfig,
                             jobs: int = 1, on_progress: Callable[[int], None] | None = None,
                             ) -> tuple[Boilerplate, list[Features], np.ndarray]:
    """`learn_and_extract` of records that arrive in chunks while they are still being read.

    The work goes to `jobs` worker processes once `parallel_min_records` records have come
    (fewer are worked here), so reading overlaps extracting. `records` must hold every record
    by the time `chunks` ends: the few that hold a learned sentence are read back from it.

    Example:
        >>> recs = [Record(i, str(i), f"Story {i} here. Sign up now.", "", "f", None, "") for i in range(5)]
        >>> learned, feats, sigs = learn_and_extract_chunks([(0, recs[:3], None), (3, recs[3:], None)], recs,
        ...                                                 DedupeConfig())
        >>> len(learned["f"]), len(feats), sigs.shape
        (1, 5, (5, 128))
    """
    chunks = iter(chunks)
    ahead, seen = [], 0  # chunks read before it is known whether workers are worth starting
    while seen < config.parallel_min_records and (chunk := next(chunks, None)):
        ahead.append(chunk)
        seen += len(chunk[1])
    workers = jobs if seen >= config.parallel_min_records else 1
    tally = PassageTally()
    feats: list[Features] = []
    sig_parts = []
    for part, part_sigs, passages in map_tasks(_learn_and_extract_task, config, chain(ahead, chunks), workers):
        if part and isinstance(part[0].texts, TextsOnDisk) and feats and isinstance(feats[-1].texts, tuple):
            # The input grew past `spill_records` while it was read: what came before goes to disk too.
            start = next(k for k, f in enumerate(feats) if isinstance(f.texts, tuple))
            _spill(feats[start:], os.path.dirname(part[0].texts.path))
        feats.extend(part)
        sig_parts.append(part_sigs)
        tally.add(passages)
        if on_progress is not None:
            on_progress(len(feats))
    sigs = _stacked(sig_parts, config.num_perm)
    learned = tally.learn(config, worker_count(workers))
    again = tally.holding(learned)
    del tally
    spill_dir = os.path.dirname(feats[0].texts.path) if feats and isinstance(feats[0].texts, TextsOnDisk) else None
    done = 0
    for part, part_sigs in map_ranges(_extract_indexes, (records, again, learned, config, spill_dir),
                                      len(again), workers, CHUNK):
        for n, f in enumerate(part, done):
            feats[again[n]] = f
        sigs[again[done: done + len(part)]] = part_sigs
        done += len(part)
    return learned, feats, sigs


def _stacked(parts: list[np.ndarray], width: int) -> np.ndarray:
    # np.concatenate would hold the parts and the whole at once (1 GB on a million records);
    # each part is freed once copied.
    out = np.empty((sum(len(p) for p in parts), width), dtype=np.uint32)
    at = 0
    parts.reverse()
    while parts:
        part = parts.pop()
        out[at: at + len(part)] = part
        at += len(part)
    return out


def _spill(feats: list[Features], spill_dir: str) -> list[Features]:
    """The features with their long parts written to this process's spill file in `spill_dir`."""
    # One file a process: a file a chunk made hundreds, and removing each costs milliseconds.
    where = write_texts(os.path.join(spill_dir, f"{_SPILL_PREFIX}{os.getpid()}.bin"), (f.texts for f in feats))
    return [f.spill(w) for f, w in zip(feats, where)]


_SPILL_PREFIX = "texts-"


def spill_files(spill_dir: str) -> list[str]:
    """The spill files `_spill` wrote in `spill_dir` (one a process): where the features' long parts lie.

    Example:
        >>> import tempfile
        >>> d = tempfile.mkdtemp(); rec = Record(0, "a", "Rain fell all day.", "", "f", None, "")
        >>> [f] = _spill([extract_features(rec, {}, DedupeConfig())], d)
        >>> [os.path.basename(p) for p in spill_files(d)] == [f"texts-{os.getpid()}.bin"]
        True
    """
    return [os.path.join(spill_dir, name) for name in sorted(os.listdir(spill_dir)) if name.startswith(_SPILL_PREFIX)]


def _extract_range(shared: tuple[Sequence[Record], Boilerplate, DedupeConfig, str | None],
                   lo: int, hi: int) -> tuple[list[Features], np.ndarray]:
    records, boilerplate, config, spill_dir = shared
    feats = [extract_features(r, boilerplate, config) for r in records[lo:hi]]
    return _signed(feats, config, spill_dir)


def _extract_indexes(shared: tuple[Sequence[Record], np.ndarray, Boilerplate, DedupeConfig, str | None],
                     lo: int, hi: int) -> tuple[list[Features], np.ndarray]:
    records, indexes, boilerplate, config, spill_dir = shared
    feats = [extract_features(records[i], boilerplate, config) for i in indexes[lo:hi].tolist()]
    return _signed(feats, config, spill_dir)


def _learn_and_extract_task(config: DedupeConfig,
                            task: Chunk) -> tuple[list[Features], np.ndarray, dict[str, FeedPassages]]:
    lo, records, spill_dir = task
    feats, rows = [], []
    for n, r in enumerate(records if isinstance(records, list) else records.read(), lo):
        kicker, text = split_kicker(fold(r.text))
        keys = distinct_passage_keys(r.text)
        # Learning counts the text's sentences; the template test (`_story_lines`) reads the story text's.
        extra = _NONE if text == r.text else \
            np.setdiff1d(distinct_passage_keys(text), keys, assume_unique=True)
        rows.append((n, r.feed, keys, extra))
        feats.append(_features(r, kicker, text, None, config))
    return (*_signed(feats, config, spill_dir), _per_feed(rows))


def _signed(feats: list[Features], config: DedupeConfig, spill_dir: str | None) -> tuple[list[Features], np.ndarray]:
    sigs = sketch.signature_matrix([f.shingles for f in feats], config.num_perm, config.seed)
    if spill_dir is not None:  # only the short parts travel back to the parent
        feats = _spill(feats, spill_dir)
    return feats, sigs


def _sentences(line: str) -> Iterator[str]:
    start = 0
    for end in sentence_ends(line) + [len(line)]:
        if line[start:end].strip():
            yield line[start:end]
        start = end


def _passages(text: str) -> Iterator[str]:
    for line in text.splitlines():
        if not line or line.isspace():
            continue
        for sentence in _sentences(line):
            key = compact(sentence)
            if key:
                yield key


def _story_lines(text: str, template: frozenset[int] | None) -> list[str]:
    """The text's lines without furniture lines and without the feed's learned template sentences."""
    lines = []
    # Most texts hold none of their feed's template sentences: one compiled pass tells.
    needs_template = bool(template) and not template.isdisjoint(passage_keys(text).tolist())
    for line in text.splitlines():
        stripped = line.strip()
        # A furniture line is 200 characters at most: most story lines are longer, and need no call.
        if not stripped or len(stripped) <= FURNITURE_MAX_CHARS and is_boilerplate_line(stripped):
            continue
        if needs_template:
            stripped = "".join(s for s in _sentences(line) if not _in_template(compact(s), template)).strip()
        if stripped:
            lines.append(stripped)
    return lines


def _in_template(compact_text: str, template: frozenset[int]) -> bool:
    return len(compact_text) >= _MIN_PASSAGE and hash_key64(compact_text) in template


def extract_features(rec: Record, boilerplate: Boilerplate, config: DedupeConfig) -> Features:
    """Features of one record after its learned boilerplate is set aside.

    Example:
        >>> r = Record(0, "a", "ROYAL TARGET: LONDON (Reuters) - The prince was", "", "f", None, "")
        >>> f = extract_features(r, {}, DedupeConfig())
        >>> f.kicker, f.body, f.cut_reasons
        ('ROYAL TARGET', 'the prince was', ['cut:function_word'])
    """
    kicker, text = split_kicker(fold(rec.text))
    return _features(rec, kicker, text, boilerplate.get(rec.feed), config)


def _features(rec: Record, kicker: str | None, text: str, template: frozenset[int] | None,
              config: DedupeConfig) -> Features:
    story = "\n".join(_story_lines(text, template))
    title = fold(rec.title).strip()
    title_comp = compact(title)
    # Judge the ending without furniture or the feed's learned boilerplate ("Sign up for ...").
    reasons, ends_terminal = judge_ending(story, rec.title, config, lines_joined=True)
    if title and _opens_with(story, title_comp, len(title_comp) + 21):
        # The headline repeated as the first line (or sub-headline) is not story text.
        story = story[_offset_after_prefix(story, len(title_comp)):].lstrip(" :-\n")
    story = strip_dateline(story)
    body_raw = strip_link_tail(story)
    body, comp = normalize_and_compact(body_raw)
    body = body or normalize(title)
    if len(comp) < config.short_text_chars and title:
        comp_for_shingles = title_comp + "|" + comp
    else:
        comp_for_shingles = comp or title_comp
    shingles = shingle_hashes(comp_for_shingles, config.shingle_size)
    return Features(kicker=kicker, lead_key_bytes=_lead_keys(body_raw, config).tobytes(), cut_reasons=reasons,
                    ends_terminal=ends_terminal, title=title, feed=rec.feed,
                    headline_key=1 << 63 | hash_key64(title_comp) if _stands_for_a_story(title) and title_comp else 0,
                    title_only=not comp or comp == title_comp, body_len=len(body), n_shingles=len(shingles),
                    date_key=date_key(rec.date),
                    texts=(body, body_raw[: config.short_text_chars * 4], shingles))


def headline_key(title: str) -> str:
    """The compacted headline when it has five words or more, else "": only such a headline is
    specific enough to stand for a story.

    Example:
        >>> headline_key("Storm hits the east coast"), headline_key("Storm hits")
        ('stormhitstheeastcoast', '')
    """
    return compact(title) if _stands_for_a_story(title) else ""


def _stands_for_a_story(title: str) -> bool:
    return len(title.split()) >= 5


def _opens_with(text: str, prefix: str, min_chars: int) -> bool:
    """Whether `compact(text)` starts with `prefix` and has at least `min_chars` characters."""
    # ASCII compacts character by character: the compaction of the text's head is the head
    # of its compaction, and a head long enough decides without compacting the whole text.
    if text.isascii() and len(text) > 4 * min_chars:
        head = compact(text[: 4 * min_chars])
        if len(head) >= max(min_chars, len(prefix)):
            return head.startswith(prefix)
    whole = compact(text)
    return len(whole) >= min_chars and whole.startswith(prefix)


def _offset_after_prefix(text: str, prefix_chars: int) -> int:
    # Where the first `prefix_chars` letters and digits of `text` end.
    seen = 0
    for i, ch in enumerate(text):
        if ch.isalnum():
            seen += 1
            if seen >= prefix_chars:
                return i + 1
    return len(text)


def _lead_keys(body: str, config: DedupeConfig) -> np.ndarray:
    # A teaser's sub-headline may end without punctuation ("Benitez 'to launch bid' Liverpool
    # may launch ..."): in a short text's head, any capitalised word may be where the article's lead begins.
    word_window = 120 if len(body) < 2 * config.short_text_chars else 0
    if body.isascii():  # compiled; the same keys (tests/test_kernels.py)
        return kernels.ascii_lead_keys(codepoints(body), config.lead_window_chars, word_window,
                                       config.lead_key_chars)
    return _lead_keys_python(body, config, word_window)


def _lead_keys_python(body: str, config: DedupeConfig, word_window: int) -> np.ndarray:
    starts = {m.end() for m in _LEAD_STARTS.finditer(body[: config.lead_window_chars])}
    starts.update(m.start() for m in _WORD_START.finditer(body[:word_window]))
    keys = set()
    for start in sorted(starts):
        comp = compact(body[start: start + 3 * config.lead_key_chars])
        for off in (0, config.lead_key_chars):
            piece = comp[off: off + config.lead_key_chars]
            if len(piece) == config.lead_key_chars:
                keys.add(hash_key(piece))
    return np.array(sorted(keys), dtype=np.uint32)


def hash_key64(text: str) -> int:
    """A stable 63-bit key for a string, for keys that must not collide (passages, headlines).

    The UTF-8 bytes through FNV-1a 64 and MurmurHash3's finaliser, as `kernels.passage_keys` hashes.

    Example:
        >>> hash_key64("abc") == hash_key64("abc") < 2 ** 63
        True
    """
    return int(kernels.hash_bytes64(np.frombuffer(text.encode("utf-8", "surrogatepass"), dtype=np.uint8)))


def hash_key(text: str) -> int:
    """A stable 32-bit key for a string (never Python's salted `hash`).

    Example:
        >>> hash_key("abc") == hash_key("abc")
        True
    """
    return zlib.crc32(text.encode("utf-8"))


