"""The library's main job: group stories, flag and repair teasers, pick the best copy."""

from __future__ import annotations

import gc
import os
import threading
import time
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager, suppress
from dataclasses import dataclass, field
from itertools import chain, islice
from typing import IO, NamedTuple

from .config import DedupeConfig
from .features import CHUNK, Chunk, Features, learn_and_extract_chunks, record_chunks, spill_files
from .grouping import Edge, PairCodes, Verifier, candidate_pairs, group_stories
from .jsonio import dumps_exact, dumps_line_bytes
from .parallel import map_ranges, map_tasks, worker_count
from .records import FieldKeys, Record, records_from_objects
from .report import Report
from .store import PlacedBytes, RecordStore, Scratch, TextsOnDisk, WriteBehind, append_bytes, forget
from .teasers import find_completion
from .text import trim_to_last_sentence


@dataclass(slots=True)
class Decision:
    """What dedupe decided for one record."""

    story: int = 0
    canonical: bool = False
    truncated: bool = False
    completed_by: int | None = None
    repaired_text: str | None = None  # the trimmed text; a completed one is the completing record's text
    repair: str | None = None
    kicker: str | None = None
    reasons: list[str] = field(default_factory=list)


Progress = Callable[[str, int, int], None]


def _no_progress(stage: str, done: int, total: int) -> None:
    pass


@dataclass
class Analysis:
    """Everything one run worked out: what `explain` and the HTML report read.

    `joins` holds every verified edge that met two groups, with whether the chain guard let it join them.
    """

    records: Sequence[Record]
    features: list[Features]
    verify: Verifier
    candidates: PairCodes  # (i, j) in candidates: whether the pair was a candidate
    joins: list[tuple[Edge, bool]]
    decisions: list[Decision]
    scratch: Scratch | None = None  # the run's temporary files, when the input was big
    ids: list[str] | None = None
    spliced: bytearray | None = None  # per record: how its annotated row extends its fields (`splice_kind`)
    _dropping: threading.Thread | None = field(default=None, repr=False)

    def close(self) -> None:
        """Remove the run's temporary files (records and texts read back from disk stop working)."""
        if self._dropping is not None:
            self._dropping.join()
        if self.scratch is not None:
            self.scratch.close()

    def drop_texts(self) -> None:
        """Remove the features' spilled texts once matching is done (their long parts stop working).

        Written output needs the records alone; gigabytes of texts deleted unread are not
        written back to disk while the output is written. Deleting them takes seconds on a
        million records: it goes on in a thread while the output is written.
        """
        if self.scratch is not None and self._dropping is None:
            paths = spill_files(self.scratch.directory)
            for path in paths:
                forget(path)  # this process's descriptors: a file still open keeps its pages
            self._dropping = threading.Thread(target=_remove_files, args=(paths,), daemon=True)
            self._dropping.start()


def _remove_files(paths: list[str]) -> None:
    for path in paths:
        with suppress(OSError):  # what is left goes with the scratch directory
            os.remove(path)


def analyse(records: Sequence[Record], config: DedupeConfig, report: Report,
            progress: Progress = _no_progress, scratch: Scratch | None = None) -> Analysis:
    """Group records into stories, flag teasers, repair them and pick canonicals.

    Example:
        >>> recs = list(records_from_objects(["Rain fell on the city all day. Rivers rose.",
        ...                                   "Rain fell on the city all day. Rivers rose."]))
        >>> a = analyse(recs, DedupeConfig(), Report())
        >>> [d.story for d in a.decisions], [(e.reason, joined) for e, joined in a.joins]
        ([0, 0], [('near_duplicate:1.00', True)])
    """
    spill = len(records) >= config.spill_records
    if spill and scratch is None:
        scratch = Scratch(config.temp_dir)
    spill_dir = scratch.directory if spill and scratch is not None else None
    return _analyse(record_chunks(records, spill_dir), records, config, report, progress, scratch)


def _analyse(chunks: Iterable[Chunk], records: Sequence[Record], config: DedupeConfig, report: Report,
             progress: Progress, scratch: Scratch | None) -> Analysis:
    # `records` holds every record once `chunks` ends (they may arrive while being read).
    boilerplate, feats, sigs = learn_and_extract_chunks(chunks, records, config, config.jobs,
                                                        lambda done: progress("features", done, 0))
    jobs = config.jobs if len(records) >= config.parallel_min_records else 1
    report.boilerplate_sentences_learned = sum(len(template) for template in boilerplate.values())
    pairs = candidate_pairs(feats, sigs, config, worker_count(jobs), report)
    del sigs
    verify = Verifier(feats, config)
    edges = []
    for n, e in enumerate(verify.verify_all(pairs, jobs), 1):
        if e is not None:
            edges.append(e)
        if n % 5000 == 0 or n == len(pairs):
            progress("verifying", n, len(pairs))
    report.candidate_pairs = len(pairs)
    report.verified_pairs = len(edges)
    joins: list[tuple[Edge, bool]] = []
    labels = group_stories(len(records), edges, verify, config, report, joins)
    # Teasers are matched in workers (`_completions`); the rest is decided here: a forked worker that
    # reads every record's features copies the pages they lie on (1M records: 2 x 1.2 GB more at the peak).
    decisions = [Decision(label, False, False, None, None, None, f.kicker) for label, f in zip(labels, feats)]
    stories = _members(labels)
    completions = dict(_completions(stories.values(), feats, config, jobs))
    for members in stories.values():
        if len(members) == 1 and not feats[members[0]].cut_reasons:
            decisions[members[0]].canonical = True  # a lone complete record: nothing to decide
        else:
            _decide_story(members, records, feats, decisions, verify, config, completions)
    return Analysis(records, feats, verify, pairs, joins, decisions, scratch)


def decide(records: list[Record], config: DedupeConfig, report: Report,
           progress: Progress = _no_progress) -> list[Decision]:
    """The per-record decisions of `analyse`.

    Example:
        >>> recs = list(records_from_objects(["Rain fell on the city all day. Rivers rose.",
        ...                                   "Rain fell on the city all day. Rivers rose."]))
        >>> [d.story for d in decide(recs, DedupeConfig(), Report())]
        [0, 0]
    """
    return analyse(records, config, report, progress).decisions


def _best(members: list[int], feats: Sequence[Features], flags: Callable[[int], bool]) -> int:
    # Longest story text, not longest raw text: a promo block must not win the pick.
    return min(members, key=lambda i: (flags(i), -feats[i].body_len, feats[i].date_key, i))


Completion = tuple[int, tuple[int, float] | None]  # a record, and the member that completes it (find_completion)


_STORIES_PER_TASK = 50


def _completions(stories: Iterable[list[int]], feats: list[Features], config: DedupeConfig,
                 jobs: int) -> Iterator[Completion]:
    """`find_completion` of every member of a story of two or more that does not end a sentence.

    Worked by `jobs` processes: the rapidfuzz alignments are most of deciding. Each task carries
    what it reads of its stories' members (`_StoryMember`: the texts stay on disk), so no worker
    touches, and so copies, the pages of this process's million features.
    """
    asks = ((members, {k: _StoryMember.of(feats[k]) for k in members})
            for members in stories if len(members) > 1 and not all(feats[k].ends_terminal for k in members))
    tasks = iter(lambda: list(islice(asks, _STORIES_PER_TASK)), [])
    first = next(tasks, None)
    if first is None:  # no teaser to match: no worker to start
        return
    jobs = jobs if len(first) == _STORIES_PER_TASK else 1  # one task's worth: here
    for done in map_tasks(_complete_stories, config, chain([first], tasks), jobs):
        yield from done


class _StoryMember(NamedTuple):
    """What completing a story's teasers reads of one member (`find_completion`), small to send."""

    cut_reasons: bool  # whether it has any: all find_completion asks
    ends_terminal: bool
    body_len: int
    date_key: str
    text: str | TextsOnDisk  # the body, or where it lies

    @classmethod
    def of(cls, f: Features) -> _StoryMember:
        t = f.texts
        return cls(bool(f.cut_reasons), f.ends_terminal, f.body_len, f.date_key, t[0] if isinstance(t, tuple) else t)

    @property
    def body(self) -> str:
        t = self.text
        return t if isinstance(t, str) else t.body()


def _complete_stories(config: DedupeConfig, asks: list[tuple[list[int], dict[int, _StoryMember]]]) -> list[Completion]:
    done = []
    for members, feats in asks:
        cut = {k: m.cut_reasons for k, m in feats.items()}
        best_copy = _best(members, feats, cut.__getitem__)  # type: ignore[arg-type]
        texts: dict[int, str] = {}
        done.extend((i, find_completion(i, members, feats, feats[i].cut_reasons,  # type: ignore[arg-type]
                                        best_copy, config, texts))
                    for i in members if not feats[i].ends_terminal)
    return done


def _decide_story(members: list[int], records: Sequence[Record], feats: list[Features],
                  decisions: list[Decision], verify: Verifier, config: DedupeConfig,
                  completions: dict[int, tuple[int, float] | None]) -> None:
    """Flag the story's teasers, complete them (`completions`) or trim them, and pick its canonical member."""
    alone = len(members) == 1  # a lone record: nothing to compare, nothing to pick
    for i in members:
        d, f = decisions[i], feats[i]
        d.truncated = bool(f.cut_reasons)
        d.reasons.extend(f.cut_reasons)
        if f.ends_terminal or alone:
            continue
        found = completions[i]
        if found is not None:
            j, score = found
            if not d.truncated:
                d.truncated = True
                d.reasons.append("cut:mid_sentence_in_full")
            d.completed_by = j
            d.reasons.append(f"lead_match:{score:.0f}")
    canon = members[0] if alone else _best(members, feats, lambda i: decisions[i].truncated)
    for i in members:
        d = decisions[i]
        d.canonical = i == canon
        if not d.canonical:
            edge = verify(i, canon)
            d.reasons.insert(0, edge.reason if edge else "joined_story")
        if not d.truncated:
            continue
        if d.completed_by is not None:
            d.repair = "completed"  # the text is the completing record's, read when written (_repaired_text)
        elif config.orphans == "trim":
            trimmed = trim_to_last_sentence(records[i].text)
            if trimmed and trimmed != records[i].text:
                d.repair, d.repaired_text = "trimmed", trimmed
                d.reasons.append("trim:last_sentence")
            else:
                d.reasons.append("trim:no_complete_sentence")


# ---------------------------------------------------------------- public entry points

def _as_records(items: Iterable, config: DedupeConfig, keys: FieldKeys | None, report: Report) -> Iterator[Record]:
    items = iter(items)
    first = next(items, None)
    if first is None:
        return iter(())
    if isinstance(first, Record):
        return chain([first], items)
    return records_from_objects(chain([first], items), config, keys, report)


def _stored_chunks(records: Iterable[Record], store: RecordStore, spill_dir: str,
                   spliced: bytearray) -> Iterator[Chunk]:
    """The records a chunk at a time, each chunk added to `store` (and its `splice_kind`s to `spliced`)
    first; the store is sealed at the end."""
    records = iter(records)
    lo = 0
    while chunk := list(islice(records, CHUNK)):
        store.extend(chunk)
        spliced.extend(map(splice_kind, chunk))
        if store.spilled:  # the workers read them from the store's file: nothing to pickle
            yield lo, store.locate(lo, lo + len(chunk)), spill_dir
        else:
            yield lo, chunk, None
        lo += len(chunk)
    store.seal()


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
    with _verdicts_of(items, config, keys, report, progress) as verdicts:
        for i, rec in enumerate(verdicts.records):
            yield verdicts.row(i, rec)


def annotate_jsonl(items: Iterable, config: DedupeConfig | None = None, keys: FieldKeys | None = None,
                   report: Report | None = None, progress: Progress = _no_progress) -> Iterator[bytes]:
    """`annotate`'s rows as JSON lines: UTF-8 blocks of whole lines, in input order.

    The bytes `records.write_rows` writes of `annotate`, rendered by `config.jobs` worker
    processes (for a big input) while this one writes them.

    Example:
        >>> import json
        >>> lines = b"".join(annotate_jsonl(["Storms hit the coast on Monday. Power was cut.",
        ...                                  "Storms hit the coast on Monday. Power was cut."])).splitlines()
        >>> [(row["story_id"], row["canonical"]) for row in map(json.loads, lines)]
        [('s1', True), ('s1', False)]
    """
    config = config or DedupeConfig()
    report = report if report is not None else Report()
    with _verdicts_of(items, config, keys, report, progress) as verdicts:
        for block in _jsonl_blocks(verdicts, config):
            if isinstance(block, bytes):
                yield block
            else:
                data = block.read()
                block.release()
                yield data


def write_annotated_jsonl(items: Iterable, out: IO[bytes], config: DedupeConfig | None = None,
                          keys: FieldKeys | None = None, report: Report | None = None,
                          progress: Progress = _no_progress) -> None:
    """Write `annotate_jsonl`'s bytes to `out` (a binary file); what the CLI's JSONL output runs.

    Worker processes write their blocks of lines to scratch files, which go into `out` in
    order, copied file to file by the kernel when `out` is a plain file.

    Example:
        >>> import io
        >>> out = io.BytesIO(); write_annotated_jsonl(["Rain fell.", "Rain fell."], out)
        >>> out.getvalue().count(b"\\n")
        2
    """
    config = config or DedupeConfig()
    report = report if report is not None else Report()
    with _verdicts_of(items, config, keys, report, progress) as verdicts:
        behind = WriteBehind(out)
        for block in _jsonl_blocks(verdicts, config):
            if isinstance(block, bytes):
                out.write(block)
            else:
                block.copy_to(out)
                block.release()
                behind.written()


@contextmanager
def _verdicts_of(items: Iterable, config: DedupeConfig, keys: FieldKeys | None, report: Report,
                 progress: Progress) -> Iterator[_Verdicts]:
    """The run's verdicts while its rows are given out; its time and record count go to `report`."""
    started = time.perf_counter()
    verdicts = _Verdicts(*_decide_all(items, config, keys, report, progress))
    verdicts.analysis.drop_texts()
    report.records_out = len(verdicts.records)
    try:
        yield verdicts
    finally:
        report.seconds = time.perf_counter() - started
        verdicts.analysis.close()
        _let_go(verdicts.__dict__)


_LINES_PER_BLOCK = 1000


def _jsonl_blocks(verdicts: _Verdicts, config: DedupeConfig) -> Iterator[bytes | PlacedBytes]:
    """The rows as blocks of JSON lines, in order: made here, or by workers into scratch files."""
    n = len(verdicts.records)
    jobs = config.jobs if n >= config.parallel_min_records else 1
    if verdicts.analysis.scratch is None or min(worker_count(jobs), -(-n // _LINES_PER_BLOCK)) <= 1:
        return map_ranges(_jsonl_block, verdicts, n, 1, _LINES_PER_BLOCK)
    # Blocks of megabytes: through a scratch file each costs a write and a copy the kernel
    # makes; back through the pool's pipe it cost four copies, two of them in this process.
    return map_ranges(_placed_jsonl_block, verdicts, n, jobs, _LINES_PER_BLOCK)


def _jsonl_block(verdicts: _Verdicts, lo: int, hi: int) -> bytes:
    return b"".join(verdicts.lines(lo, hi))


def _placed_jsonl_block(verdicts: _Verdicts, lo: int, hi: int) -> PlacedBytes:
    scratch = verdicts.analysis.scratch
    assert scratch is not None
    return append_bytes(scratch.path(f"lines-{os.getpid()}.jsonl"), _jsonl_block(verdicts, lo, hi))


class _Verdicts:
    """The verdict fields `annotate` adds to each record (`fields`), and the annotated row (`row`)."""

    def __init__(self, analysis: Analysis, story_ids: dict[int, str]) -> None:
        self.analysis, self.story_ids = analysis, story_ids
        self.records, self.decisions, self.ids = analysis.records, analysis.decisions, _ids(analysis)
        self.canon_of = {d.story: i for i, d in enumerate(self.decisions) if d.canonical}

    def fields(self, i: int) -> dict:
        """The verdict fields of record `i`."""
        d, ids = self.decisions[i], self.ids
        return {
            "story_id": self.story_ids[d.story],
            "canonical": d.canonical,
            "duplicate_of": None if d.canonical else ids[self.canon_of[d.story]],
            "truncated": d.truncated,
            "completed_by": None if d.completed_by is None else ids[d.completed_by],
            "repaired_text": _repaired_text(self.records, d),
            "kicker": d.kicker,
            "reasons": d.reasons,
        }

    def lines(self, lo: int, hi: int) -> Iterator[bytes]:
        """Rows lo..hi as JSON lines (`dumps_line_bytes` of `row`)."""
        records, spliced = self.records, self.analysis.spliced
        if not (isinstance(records, RecordStore) and records.spilled and spliced):
            for i, rec in enumerate(records[lo:hi], lo):
                yield dumps_line_bytes(self.row(i, rec))
            return
        # A row is its record's fields and then the verdict: the fields' JSON bytes as stored,
        # not decoded and encoded again (half the time of writing a row).
        for i, fields in enumerate(records.locate(lo, hi).fields_json(), lo):
            line = None if fields is None or not spliced[i] else self._spliced_line(i, fields, spliced[i])
            yield dumps_line_bytes(self.row(i, records[i])) if line is None else line

    def _spliced_line(self, i: int, fields: bytes, kind: int) -> bytes | None:
        verdict = self.fields(i)
        if kind == _ADD_ID:
            verdict = {"id": self.ids[i], **verdict}
        tail = dumps_exact(verdict)
        if tail is None:  # what orjson refuses goes the way `dumps_line_bytes` writes it
            return None
        return b"".join((fields[:-1], b"," if len(fields) > 2 else b"", tail[1:], b"\n"))

    def row(self, i: int, rec: Record) -> dict:
        """Record `i` (`rec`) as `annotate` gives it: its fields, the id dedupe used, the verdict."""
        row = dict(rec.fields)
        if str(row.get("id")) != rec.id:
            if "id" in row:
                row["source_id"] = row["id"]  # a repeated id, renamed ID#2
            row["id"] = rec.id  # the id dedupe used (from guid/url/link, or FILE:LINE)
        row.update(self.fields(i))
        return row


VERDICT_FIELDS = frozenset(("story_id", "canonical", "duplicate_of", "truncated", "completed_by", "repaired_text",
                            "kicker", "reasons"))  # what `_Verdicts.fields` adds to a row
_AS_STORED, _ADD_ID = 1, 2


def splice_kind(rec: Record) -> int:
    """How `annotate`'s row of `rec` extends its fields: 1, the verdict appended; 2, its id and the
    verdict appended; 0, otherwise (an id renamed, a verdict field in the input).

    Example:
        >>> [splice_kind(Record(0, "a", "x", "", "f", None, "", fields)) for fields in
        ...  ({"id": "a"}, {"text": "x"}, {"id": "b"}, {"id": "a", "kicker": "K"})]
        [1, 2, 0, 0]
    """
    fields = rec.fields
    if not VERDICT_FIELDS.isdisjoint(fields):
        return 0
    if str(fields.get("id")) == rec.id:
        return _AS_STORED
    return 0 if "id" in fields else _ADD_ID


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
    analysis, story_ids = _decide_all(items, config, keys, report, progress)
    analysis.drop_texts()  # what follows reads the records, and of the features only their feeds
    records, decisions, feats, ids = analysis.records, analysis.decisions, analysis.features, _ids(analysis)
    try:
        for story, members in _members([d.story for d in decisions]).items():
            canon = next(i for i in members if decisions[i].canonical)
            d = decisions[canon]
            if d.truncated and d.completed_by is None and config.orphans == "drop":
                report.orphans_dropped += len(members)
                continue
            rec = records[canon]
            row = dict(rec.fields)
            row["id"] = rec.id
            completed = [decisions[i] for i in members if decisions[i].repair == "completed"]
            if d.repair is not None:
                row[rec.text_field] = _repaired_text(records, d)
            kicker = next((decisions[i].kicker for i in [canon, *members] if decisions[i].kicker), None)
            row.update({
                "story_id": story_ids[story],
                "members": [ids[i] for i in members],
                "feeds": sorted({feats[i].feed for i in members}),
                "repair": d.repair or ("completed" if completed else None),
                "completed_by": ids[completed[0].completed_by] if completed and d.repair is None else None,
                "kicker": kicker,
            })
            report.records_out += 1
            yield row
    finally:
        report.seconds = time.perf_counter() - started
        analysis.close()
        _let_go(analysis.__dict__)


def _let_go(attributes: dict) -> None:
    """Drop a finished run's objects in a thread: freeing a million records' features, pairs and
    decisions took 1.5 s that the caller (a command about to exit) need not wait for."""
    held = attributes.copy()
    attributes.clear()
    threading.Thread(target=_drop, args=(held,), daemon=True).start()


def _drop(held: dict, inner: bool = False) -> None:
    # Long lists go a slice at a time: freeing one in a single call holds the GIL throughout,
    # and the caller's thread could not go on meanwhile. The run's own objects (the analysis
    # inside the verdicts) are emptied the same way.
    while held:
        _, value = held.popitem()
        if type(value) is list:
            while value:
                del value[-4096:]
        elif not inner and type(value) is Analysis:
            _drop(vars(value), inner=True)


def _repaired_text(records: Sequence[Record], d: Decision) -> str | None:
    return records[d.completed_by].text if d.repair == "completed" else d.repaired_text


def _ids(analysis: Analysis) -> list[str]:
    # Read once: verdicts name other records by id, and a spilled record costs a disk read.
    if analysis.ids is None:
        records = analysis.records
        analysis.ids = records.ids if isinstance(records, RecordStore) else [r.id for r in records]
    return analysis.ids


def _decide_all(items: Iterable, config: DedupeConfig, keys: FieldKeys | None, report: Report,
                progress: Progress) -> tuple[Analysis, dict[int, str]]:
    scratch = Scratch(config.temp_dir)
    try:
        with _no_cycle_collection():
            # Reading runs here while the workers extract features of what was read.
            records = RecordStore(scratch, config.spill_records)
            spliced = bytearray()
            chunks = _stored_chunks(_as_records(items, config, keys, report), records, scratch.directory, spliced)
            analysis = _analyse(chunks, records, config, report, progress, scratch)
            analysis.spliced = spliced
    except BaseException:
        scratch.close()
        raise
    _count(analysis.decisions, report)
    story_ids = _story_ids(analysis.decisions)
    if report.audit is not None:
        verdicts = _Verdicts(analysis, story_ids)
        for i, (rec, d) in enumerate(zip(records, analysis.decisions)):
            report.audit.append({"id": rec.id, "feed": rec.feed, "title": rec.title, "text": rec.text,
                                 "date": rec.date, "repair": d.repair, **verdicts.fields(i)})
    return analysis, story_ids


@contextmanager
def _no_cycle_collection() -> Iterator[None]:
    # A run keeps millions of objects (records, features, pairs, decisions) alive to its end;
    # the cycle collector would walk them again and again (15% of the parent's CPU on 200k records).
    # None of them form cycles: reference counting frees what dies, the collector runs after.
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def _members(labels: list[int]) -> dict[int, list[int]]:
    """Record indexes per story label, stories in first-seen order."""
    stories: dict[int, list[int]] = defaultdict(list)
    for i, label in enumerate(labels):
        stories[label].append(i)
    return stories


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
