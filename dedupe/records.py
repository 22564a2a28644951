"""Reading feed files into records and writing results atomically."""

from __future__ import annotations

import csv
import gzip
import io
import json
import os
import re
import sys
import tempfile
import zlib
from collections.abc import Iterable, Iterator
from contextlib import suppress
from dataclasses import dataclass, field
from datetime import datetime, timezone
from email.utils import parsedate_to_datetime
from functools import lru_cache
from pathlib import Path
from typing import IO, Any

from . import jsonio
from .config import DedupeConfig
from .report import Report
from .text import ends_with_terminal, split_kicker, strip_link_tail

TEXT_KEYS = ("text", "content", "body", "article", "description", "summary")
ID_KEYS = ("id", "guid", "url", "link")
TITLE_KEYS = ("title", "headline")
FEED_KEYS = ("feed", "source", "site", "publisher")
DATE_KEYS = ("date", "published", "pubDate", "pubdate", "published_at", "updated")
FORMATS = ("jsonl", "json", "csv", "tsv", "txt")
_WRAPPER_KEYS = ("items", "entries", "records", "articles", "data", "results")
_EXTENSIONS = {".jsonl": "jsonl", ".ndjson": "jsonl", ".json": "json", ".csv": "csv",
               ".tsv": "tsv", ".txt": "txt", ".text": "txt"}


class InputError(ValueError):
    """Bad input that stops the run: the message names file, line and the fix.

    Example:
        >>> try:
        ...     list(read_records(["feed.xml"]))
        ... except InputError as e:
        ...     print(e)
        feed.xml: unknown extension '.xml': name it .jsonl/.json/.csv/.tsv/.txt or pass --format
    """


@dataclass(frozen=True)
class FieldKeys:
    """Which input fields hold text, id, title, feed and date (None: find automatically).

    Example:
        >>> FieldKeys(text="body").text
        'body'
    """

    text: str | None = None
    id: str | None = None
    title: str | None = None
    feed: str | None = None
    date: str | None = None


@dataclass
class Record:
    """One input item as read: the fields it came with plus where it came from.

    Example:
        >>> r = next(records_from_objects([{"guid": "g1", "description": "Rain.", "source": "wire"}]))
        >>> r.id, r.text, r.feed, r.text_field, r.origin
        ('g1', 'Rain.', 'wire', 'description', '<input>:1')
    """

    seq: int
    id: str
    text: str
    title: str
    feed: str
    date: str | None
    origin: str
    fields: dict[str, Any] = field(default_factory=dict)
    text_field: str = "text"  # the input field the text came from; a repair is written back there


def detect_format(path: str, forced: str | None = None) -> str:
    """The format of a path from its extension (`.gz` looked through) or `forced`.

    Example:
        >>> detect_format("a/feed.ndjson.gz"), detect_format("-")
        ('jsonl', 'jsonl')
    """
    if forced:
        if forced not in FORMATS:
            raise InputError(f"unknown format {forced!r}: use one of {', '.join(FORMATS)}")
        return forced
    name = path[:-3] if path.endswith(".gz") else path
    suffix = Path(name).suffix.lower()
    if path == "-" or not suffix:
        return "jsonl"
    if suffix not in _EXTENSIONS:
        raise InputError(f"{path}: unknown extension {suffix!r}: name it .jsonl/.json/.csv/.tsv/.txt "
                         f"or pass --format")
    return _EXTENSIONS[suffix]


def _open_binary(path: str) -> IO[bytes]:
    if path == "-":
        return sys.stdin.buffer
    try:
        # Lines are read one by one: with the default 8 KB buffer, most of a 3 KB line's time
        # went to refilling it (0.44 s -> 0.16 s a 650 MB file).
        fh: IO[bytes] = open(path, "rb", buffering=1 << 20)
    except OSError as e:
        raise InputError(f"{path}: cannot open ({e.strerror}): check the path") from None
    if path.endswith(".gz"):
        return gzip.GzipFile(fileobj=fh)  # type: ignore[return-value]
    return fh


class OversizedLine:
    """A line longer than the record limit, kept on disk (not in memory) for the rejects file.

    Example:
        >>> big = OversizedLine(b"x" * 10); big.write(b"y\\n"); big.size
        12
    """

    def __init__(self, head: bytes) -> None:
        self.file = tempfile.SpooledTemporaryFile(max_size=1 << 20)
        self.size = 0
        self.write(head)

    def write(self, chunk: bytes) -> None:
        """Append bytes of the line."""
        self.file.write(chunk)
        self.size += len(chunk)

    def chunks(self, size: int = 1 << 20) -> Iterator[bytes]:
        """The line's bytes, a chunk at a time."""
        self.file.seek(0)
        while chunk := self.file.read(size):
            yield chunk


def _capped_lines(fh: IO[bytes], limit: int | None) -> Iterator[bytes | OversizedLine]:
    """Lines as bytes; a line over `limit` bytes streams to an OversizedLine instead of memory."""
    while raw := (fh.readline(limit + 1) if limit else fh.readline()):
        if limit and len(raw) > limit and not raw.endswith(b"\n"):
            big = OversizedLine(raw)
            while (more := fh.readline(1 << 20)) and not more.endswith(b"\n"):
                big.write(more)
            big.write(more)
            yield big
        else:
            yield raw


def _decoded_lines(path: str, report: Report, strict: bool,
                   limit: int | None = None) -> Iterator[tuple[int, str]]:
    """(line number, text) per line; lines that are not UTF-8 or over `limit` bytes are rejected one by one."""
    fh = _open_binary(path)
    try:
        for n, raw in enumerate(_capped_lines(fh, limit), 1):
            if isinstance(raw, OversizedLine):
                _reject(report, strict, "record_too_large", f"{path}:{n}",
                        f"line is over {limit} bytes ({raw.size}): raise --max-record-bytes", raw)
                continue
            try:
                line = raw.decode("utf-8")
            except UnicodeDecodeError as e:
                _reject(report, strict, "undecodable_bytes", f"{path}:{n}",
                        f"bytes are not UTF-8 at column {e.start + 1} (re-encode the file as UTF-8)", raw)
                continue
            if n == 1:
                line = line.lstrip("\ufeff")
            yield n, line
    except (OSError, EOFError, gzip.BadGzipFile, zlib.error) as e:
        raise InputError(f"{path}: read failed ({e}): check the file is complete") from None
    finally:
        if fh is not sys.stdin.buffer:
            fh.close()


def write_rejects(rejects: Iterable[tuple[str, str, bytes | str | OversizedLine]], out: IO[bytes]) -> int:
    """Write skipped records byte for byte as they were read, one per line; returns the count.

    Example:
        >>> buf = io.BytesIO(); write_rejects([("bad_json", "f:1", b"{\\xff")], buf); buf.getvalue()
        1
        b'{\\xff\\n'
    """
    n = 0
    for _reason, _where, raw in rejects:
        chunks = raw.chunks() if isinstance(raw, OversizedLine) else [
            raw if isinstance(raw, bytes) else raw.encode("utf-8", "surrogateescape")]
        last = b""
        for chunk in chunks:
            out.write(chunk)
            last = chunk or last
        if not last.endswith(b"\n"):
            out.write(b"\n")
        n += 1
    return n


def _reject(report: Report, strict: bool, reason: str, where: str, why: str, raw: bytes | str,
            counted: bool = False) -> None:
    if strict:
        raise InputError(f"{where}: {why}")
    if not counted:  # rejected before it became an object: it was still read
        report.records_read += 1
    report.reject(reason, where, raw)


def _candidates(obj: dict, forced: str | None, candidates: tuple[str, ...],
                lowered: dict[str, str]) -> tuple[str, ...]:
    # The object's keys that may hold one field, best first: the forced key alone, or the
    # known names in their order of preference, matched without regard to case.
    if forced is not None:
        return (forced,) if forced in obj else ()
    return tuple(lowered[c] for c in _lower_case(candidates) if c in lowered)


def _pick(obj: dict, keys: tuple[str, ...]) -> tuple[str | None, Any]:
    for k in keys:
        if obj[k] not in (None, ""):
            return k, obj[k]
    return (keys[0], obj[keys[0]]) if keys else (None, None)  # every candidate empty: the first


def _plain_text(value: Any) -> bool:
    return value is None or (type(value) is str and value.isascii())


@lru_cache(maxsize=16)
def _lower_case(keys: tuple[str, ...]) -> tuple[str, ...]:
    return tuple(k.lower() for k in keys)




class _Builder:
    """Turns raw objects into Records: field detection, ids, feeds, rejects."""

    def __init__(self, keys: FieldKeys, config: DedupeConfig, report: Report) -> None:
        self.keys, self.config, self.report = keys, config, report
        self.seq = 0
        self.seen_keys: set[str] = set()
        self.with_text_key = 0
        self.ids: set[str] = set()
        self.plans: dict[tuple, tuple[tuple[str, ...], ...]] = {}

    def build(self, obj: Any, path: str, line: int, raw: bytes | str) -> Record | None:
        where = f"{path}:{line}"
        strict = self.config.strict
        # A character is at most 4 bytes of UTF-8: most lines need no encoding to be measured.
        if isinstance(raw, str) and len(raw) * 4 > self.config.max_record_bytes \
                and len(raw.encode("utf-8", "replace")) > self.config.max_record_bytes:
            _reject(self.report, strict, "record_too_large", where,
                    f"record is over {self.config.max_record_bytes} bytes (raise --max-record-bytes)", raw,
                    counted=True)
            return None
        if isinstance(obj, str):
            obj = {"text": obj}
        if not isinstance(obj, dict):
            _reject(self.report, strict, "not_an_object", where,
                    f"expected a JSON object, got {type(obj).__name__} (one object per record)", raw, counted=True)
            return None
        text_keys, title_keys, id_keys, feed_keys, date_keys = self._field_keys(obj)
        text_key, text = _pick(obj, text_keys)
        _, title = _pick(obj, title_keys)
        if text_key is not None:
            self.with_text_key += 1
        if not (_plain_text(text) and _plain_text(title)):  # most records: ASCII strings, nothing to check
            for name, value in (("text", text), ("title", title)):
                if value is not None and not isinstance(value, str):
                    _reject(self.report, strict, f"{name}_not_a_string", where,
                            f"field {name!r} holds {type(value).__name__}, not a string (fix the field "
                            f"or point --{name}-key at another)", raw, counted=True)
                    return None
            for name, value in (("text", text), ("title", title)):
                if value and jsonio.has_lone_surrogate(value):
                    _reject(self.report, strict, "invalid_unicode", where,
                            f"field {name!r} holds a lone surrogate ({jsonio.SURROGATE.search(value).group()!r}), "
                            f"which is not Unicode text: fix the \\u escape", raw, counted=True)
                    return None
        text, title = (text or "").strip(), (title or "").strip()
        if not text and not title:
            _reject(self.report, strict, "no_text", where,
                    "record has no text and no title (give it one, or set --text-key)", raw, counted=True)
            return None
        _, rid = _pick(obj, id_keys)
        _, feed = _pick(obj, feed_keys)
        _, date = _pick(obj, date_keys)
        rec = Record(
            seq=self.seq,
            id=self._unique_id(str(rid) if rid not in (None, "") else where),
            text=text, title=title,
            feed=sys.intern(str(feed) if feed not in (None, "") else Path(path).name),
            date=str(date) if date not in (None, "") else None,
            origin=where, fields=obj, text_field=text_key or self.keys.text or "text",
        )
        self.seq += 1
        return rec


    def _field_keys(self, obj: dict) -> tuple[tuple[str, ...], ...]:
        # The records of a feed share one set of keys: which of them may hold the text, title,
        # id, feed and date is worked out once per set (a few microseconds a record otherwise).
        shape = tuple(obj)
        plan = self.plans.get(shape)
        if plan is None:
            self.seen_keys.update(map(str, obj))
            lowered = {k.lower(): k for k in obj if isinstance(k, str)}
            plan = tuple(_candidates(obj, forced, names, lowered) for forced, names in (
                (self.keys.text, TEXT_KEYS), (self.keys.title, TITLE_KEYS), (self.keys.id, ID_KEYS),
                (self.keys.feed, FEED_KEYS), (self.keys.date, DATE_KEYS)))
            if len(self.plans) < 4096:  # inputs whose every record has its own keys are not cached
                self.plans[shape] = plan
        return plan

    def _unique_id(self, rid: str) -> str:
        # Verdicts point at records by id: a repeated id gets a suffix ("a#2") and is counted.
        if rid in self.ids:
            self.report.duplicate_ids += 1
            n = 2
            while f"{rid}#{n}" in self.ids:
                n += 1
            rid = f"{rid}#{n}"
        self.ids.add(rid)
        return rid


def _jsonl_objects(path: str, report: Report, config: DedupeConfig) -> Iterator[tuple[int, Any, str]]:
    strict = config.strict
    for n, line in _decoded_lines(path, report, strict, config.max_record_bytes):
        if not line or line.isspace():  # blank; strip() would copy every line to say so
            continue
        try:
            yield n, jsonio.loads(line), line
        except (ValueError, RecursionError) as e:
            msg = getattr(e, "msg", None) or (str(e) if isinstance(e, ValueError) else "too deeply nested")
            _reject(report, strict, "bad_json", f"{path}:{n}",
                    f"malformed JSON ({msg}): one JSON object per line", line)


def _json_objects(path: str, report: Report, strict: bool) -> Iterator[tuple[int, Any, str]]:
    lines = [line for _, line in _decoded_lines(path, report, strict)]
    doc = "".join(lines)
    if not doc.strip():
        return
    try:
        data = jsonio.loads(doc)
    except (ValueError, RecursionError) as e:
        line = getattr(e, "lineno", 1)
        raise InputError(f"{path}:{line}: malformed JSON ({getattr(e, 'msg', e)}): "
                         f"a .json file must hold one array of objects (use .jsonl for one per line)") from None
    if isinstance(data, dict):
        # A feed export wrapped in an object ({"items": [...]}), or one record on its own.
        data = next((data[k] for k in _WRAPPER_KEYS if isinstance(data.get(k), list)), [data])
    if not isinstance(data, list):
        raise InputError(f"{path}:1: expected an array of objects, got {type(data).__name__}")
    for i, obj in enumerate(data, 1):
        yield i, obj, json.dumps(obj, ensure_ascii=False)


def _csv_objects(path: str, report: Report, config: DedupeConfig, delimiter: str) -> Iterator[tuple[int, Any, str]]:
    strict = config.strict
    consumed: list[tuple[int, str]] = []  # the file lines behind the current row, kept verbatim

    def lines() -> Iterator[str]:
        for n, line in _decoded_lines(path, report, strict, config.max_record_bytes):
            consumed.append((n, line))
            yield line

    # strict: a quote left open must not swallow the rest of the file into one field.
    reader = csv.reader(lines(), delimiter=delimiter, strict=True)
    header: list[str] | None = None
    while True:
        consumed.clear()
        try:
            row = next(reader)
        except StopIteration:
            return
        except csv.Error as e:
            where = f"{path}:{consumed[0][0] if consumed else '?'}"
            if header is None:
                raise InputError(f"{where}: bad CSV header ({e})") from None
            _reject(report, strict, "bad_csv", where, f"bad CSV row ({e}): check its quotes",
                    "".join(text for _, text in consumed))
            continue
        if not row or (len(row) == 1 and not row[0].strip()):
            continue
        line, raw = consumed[0][0], "".join(text for _, text in consumed)
        if header is None:
            header = [h.strip() for h in row]
        elif len(row) != len(header):
            _reject(report, strict, "wrong_field_count", f"{path}:{line}",
                    f"row has {len(row)} fields, the header has {len(header)} (quote fields "
                    f"that hold the delimiter)", raw)
        else:
            yield line, dict(zip(header, row)), raw


_CAP_KICKER = re.compile(r"^\s*[A-Z][A-Z0-9'’&.\- ]{2,40}:\s")


def split_text_dump(lines: list[str], mode: str, min_words: int = 40) -> list[tuple[int, str]]:
    """Group the lines of a plain-text dump into (first line number, record text).

    `blank`: records are separated by blank lines; `line`: one record a line; `auto`:
    `blank` when the dump has blank lines, else by evidence: a line that opens with an
    ALL-CAPS kicker starts a story, a long line cut mid-sentence is a teaser of its own,
    and other consecutive lines are paragraphs of one article.

    Example:
        >>> split_text_dump(["Para one.", "Para two.", "CUT: a long teaser that stops"], "auto")
        [(1, 'Para one.\\nPara two.'), (3, 'CUT: a long teaser that stops')]
    """
    numbered = [(n, line.rstrip("\r\n")) for n, line in enumerate(lines, 1)]
    if mode == "auto":
        mode = "blank" if any(not t.strip() for _, t in numbered[:-1]) and \
            any(t.strip() for _, t in numbered) else "evidence"
    if mode == "line":
        return [(n, t.strip()) for n, t in numbered if t.strip()]
    groups: list[tuple[int, list[str]]] = []
    if mode == "blank":
        current: list[str] = []
        for n, t in numbered:
            if t.strip():
                if not current:
                    groups.append((n, current))
                current.append(t.strip())
            else:
                current = []
        return [(n, "\n".join(g)) for n, g in groups if g]
    open_article = False
    for n, t in numbered:
        t = t.strip()
        if not t:
            continue
        kicker, _ = split_kicker(t)
        body = strip_link_tail(t)
        is_cut = not ends_with_terminal(body) and len(body.split()) >= min_words
        if kicker or is_cut or not open_article:
            groups.append((n, [t]))
            open_article = not (kicker or is_cut)
        else:
            groups[-1][1].append(t)
    return [(n, "\n".join(g)) for n, g in groups]


def _txt_objects(path: str, report: Report, config: DedupeConfig) -> Iterator[tuple[int, Any, str]]:
    lines = [line for _, line in _decoded_lines(path, report, config.strict, config.max_record_bytes)]
    for n, text in split_text_dump(lines, config.split, config.cut_min_words):
        yield n, {"text": text}, text


def read_records(sources: Iterable[str] | str, config: DedupeConfig | None = None,
                 keys: FieldKeys | None = None, fmt: str | None = None,
                 report: Report | None = None) -> Iterator[Record]:
    """Read feed files (paths or `-` for stdin) into Records, in input order.

    Bad records are skipped and counted in `report` (or raise InputError with
    `config.strict`).

    Example:
        >>> import tempfile, os
        >>> d = tempfile.mkdtemp(); p = os.path.join(d, "f.jsonl")
        >>> _ = open(p, "w").write('{"id": "a", "text": "Hello."}\\n')
        >>> [(r.id, r.text, r.feed) for r in read_records([p])]
        [('a', 'Hello.', 'f.jsonl')]
    """
    config = config or DedupeConfig()
    report = report if report is not None else Report()
    builder = _Builder(keys or FieldKeys(), config, report)
    for path in [sources] if isinstance(sources, str) else sources:
        kind = detect_format(path, fmt)
        if kind == "jsonl":
            objects = _jsonl_objects(path, report, config)
        elif kind == "json":
            objects = _json_objects(path, report, config.strict)
        elif kind in ("csv", "tsv"):
            objects = _csv_objects(path, report, config, "," if kind == "csv" else "\t")
        else:
            objects = _txt_objects(path, report, config)
        before_text, before_seq = builder.with_text_key, builder.seq
        rejected_before, no_text_before = report.records_rejected, report.rejected["no_text"]
        builder.seen_keys.clear()
        for line, obj, raw in objects:
            report.records_read += 1
            rec = builder.build(obj, path, line, raw)
            if rec is not None:
                yield rec
        # Every record of the file lacked text and title: the field is named otherwise.
        all_no_text = report.records_rejected - rejected_before == report.rejected["no_text"] - no_text_before > 0
        if kind != "txt" and builder.with_text_key == before_text and builder.seq == before_seq and all_no_text:
            found = ", ".join(sorted(builder.seen_keys)[:20]) or "none"
            raise InputError(f"{path}: no record has a text field (looked for {', '.join(TEXT_KEYS)}; "
                             f"keys found: {found}): name it with --text-key")


def records_from_objects(items: Iterable[dict | str], config: DedupeConfig | None = None,
                         keys: FieldKeys | None = None, report: Report | None = None,
                         source: str = "<input>") -> Iterator[Record]:
    """Records from in-memory dicts or strings (the library's iterator input).

    Example:
        >>> [r.id for r in records_from_objects(["One.", {"id": "x", "text": "Two."}])]
        ['<input>:1', 'x']
    """
    config = config or DedupeConfig()
    report = report if report is not None else Report()
    builder = _Builder(keys or FieldKeys(), config, report)
    for n, item in enumerate(items, 1):
        report.records_read += 1
        raw = item if isinstance(item, str) else json.dumps(item, ensure_ascii=False, default=str)
        rec = builder.build(item, source, n, raw)
        if rec is not None:
            yield rec


def date_key(value: str | None) -> str:
    """A sortable UTC timestamp from ISO 8601 or RFC 822 dates; unknown dates sort last.

    Example:
        >>> date_key("Sun, 26 Nov 2023 00:10:29 GMT") < date_key("2023-11-26T01:00:00+00:00")
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


# ---------------------------------------------------------------- writing

def output_format(path: str | None) -> str:
    """`jsonl` or `csv`, from the output path's extension (JSONL by default).

    Example:
        >>> output_format("out.csv"), output_format(None)
        ('csv', 'jsonl')
    """
    if path and Path(path[:-3] if path.endswith(".gz") else path).suffix.lower() in (".csv", ".tsv"):
        return "csv"
    return "jsonl"


def _csv_value(v: Any) -> str:
    if v is None:
        return ""
    if isinstance(v, (list, dict, bool)):
        return jsonio.dumps_line(v)
    v = str(v)
    return jsonio.SURROGATE.sub(lambda m: f"\\u{ord(m.group()):04x}", v) if jsonio.has_lone_surrogate(v) else v


def write_rows(rows: Iterable[dict], out: IO[str] | IO[bytes], fmt: str = "jsonl") -> int:
    """Write rows as JSONL (streaming; to a text or a binary file) or CSV (list fields JSON-encoded,
    text files only); returns the count.

    Example:
        >>> buf = io.StringIO(); write_rows([{"a": [1]}], buf, "csv"); buf.getvalue()
        1
        'a\\r\\n[1]\\r\\n'
        >>> buf = io.BytesIO(); write_rows([{"a": "é"}], buf); buf.getvalue().decode("utf-8")
        1
        '{"a":"é"}\\n'
    """
    n = 0
    if fmt == "csv":
        rows = list(rows)
        columns: dict[str, None] = {}
        for r in rows:
            columns.update(dict.fromkeys(r))
        w = csv.writer(out)
        w.writerow(list(columns))
        for r in rows:
            w.writerow([_csv_value(r.get(c)) for c in columns])
            n += 1
        return n
    if isinstance(out, (io.RawIOBase, io.BufferedIOBase)):
        for r in rows:  # orjson's UTF-8 bytes as they are: no decoding and encoding again
            out.write(jsonio.dumps_line_bytes(r))
            n += 1
        return n
    for r in rows:
        out.write(jsonio.dumps_line(r))
        out.write("\n")
        n += 1
    return n


def atomic_writer(path: str, binary: bool = False) -> _AtomicFile:
    """A file opened for writing (text, or bytes) that appears at `path` only when closed cleanly.

    Example:
        >>> d = tempfile.mkdtemp(); p = os.path.join(d, "o.txt")
        >>> with atomic_writer(p) as f: _ = f.write("x")
        >>> open(p).read()
        'x'
    """
    return _AtomicFile(path, binary)


class _AtomicFile:
    def __init__(self, path: str, binary: bool = False) -> None:
        self.path, self.as_bytes = path, binary
        directory = os.path.dirname(os.path.abspath(path))
        fd, self.tmp = tempfile.mkstemp(prefix=f".{os.path.basename(path)}.", suffix=".part", dir=directory)
        raw = os.fdopen(fd, "wb")
        self.binary = gzip.GzipFile(fileobj=raw, mode="wb", mtime=0) if path.endswith(".gz") else raw
        self.raw = raw
        self.fh = io.TextIOWrapper(self.binary, encoding="utf-8", newline="")

    def __enter__(self) -> IO:
        return self.binary if self.as_bytes else self.fh

    def __exit__(self, exc_type: Any, exc: Any, tb: Any) -> None:
        written = False
        try:
            # The text layer lets go first (detaching flushes it into the layer below): once a
            # gzip layer has closed, the text layer can neither flush nor detach.
            self.fh.detach()
            if self.binary is not self.raw:
                self.binary.close()
            self.raw.flush()
            os.fsync(self.raw.fileno())
            written = True
        finally:
            with suppress(OSError):
                self.raw.close()
            if not written or exc_type is not None:  # a half-written file never stays behind
                with suppress(OSError):
                    os.unlink(self.tmp)
        if exc_type is None:
            umask = os.umask(0)
            os.umask(umask)
            os.chmod(self.tmp, 0o666 & ~umask)  # mkstemp's 0600 is for the half-written file only
            os.replace(self.tmp, self.path)
