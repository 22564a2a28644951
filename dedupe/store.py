"""Temporary on-disk storage for big inputs: records and the texts matching needs, out of RAM.

Both files are plain bytes (JSON for records, UTF-8 and uint32 for texts and shingles) read
back with `os.pread`, so nothing is unpickled and the pages read are not kept in memory.
"""

from __future__ import annotations

import ctypes
import functools
import io
import os
import shutil
import stat
import sys
import tempfile
import weakref
from array import array
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from typing import IO, Any, overload

import numpy as np

from . import jsonio
from .records import Record

_fds: dict[tuple[int, str], int] = {}  # (process id, path) -> descriptor: each worker opens its own
_write_fds: dict[tuple[int, str], int] = {}  # the same, open for writing (to punch holes)


def _fd(path: str, fds: dict[tuple[int, str], int] = _fds, flags: int = os.O_RDONLY) -> int:
    key = (os.getpid(), path)
    if key not in fds:
        fds[key] = os.open(path, flags)
    return fds[key]


def forget(prefix: str) -> None:
    """Close the descriptors `pread` keeps open on files whose path starts with `prefix`.

    Example:
        >>> forget("/nonexistent/")
    """
    for fds, fd_of in ((_fds, lambda v: v), (_write_fds, lambda v: v), (_appending, lambda v: v[0])):
        for key in [k for k in fds if k[1].startswith(prefix)]:
            if key[0] == os.getpid():
                os.close(fd_of(fds[key]))
            del fds[key]


class Scratch:
    """A temporary directory for one run's spilled data, removed by `close()` (or at exit).

    Example:
        >>> s = Scratch(); p = s.path("x.bin"); s.close(); os.path.exists(os.path.dirname(p))
        False
    """

    def __init__(self, parent: str | None = None) -> None:
        self.directory = tempfile.mkdtemp(prefix="dedupe-", dir=parent)
        self._cleanup = weakref.finalize(self, shutil.rmtree, self.directory, ignore_errors=True)

    def path(self, name: str) -> str:
        """A file name inside the directory."""
        return os.path.join(self.directory, name)

    def close(self) -> None:
        """Remove the directory and everything in it."""
        forget(self.directory)
        self._cleanup()


@dataclass(frozen=True, slots=True)
class TextsOnDisk:
    """Where one record's matching texts (body, names text, shingles) lie in a spill file."""

    path: str
    offset: int
    body_bytes: int
    names_bytes: int
    n_shingles: int

    def __reduce__(self) -> tuple:
        # Sent to workers by the thousand: plain values pickle faster than a slotted dataclass.
        return TextsOnDisk, (self.path, self.offset, self.body_bytes, self.names_bytes, self.n_shingles)

    def body(self) -> str:
        return os.pread(_fd(self.path), self.body_bytes, self.offset).decode("utf-8")

    def names_text(self) -> str:
        return os.pread(_fd(self.path), self.names_bytes, self.offset + self.body_bytes).decode("utf-8")

    def shingles(self) -> np.ndarray:
        raw = os.pread(_fd(self.path), 4 * self.n_shingles, self.offset + self.body_bytes + self.names_bytes)
        return np.frombuffer(raw, dtype=np.uint32)


def prefetch(places: Iterable[TextsOnDisk]) -> None:
    """Ask the kernel to start reading these records' texts (`posix_fadvise` WILLNEED), in file order.

    A worker reads one record's texts at a time and waits for each one the page cache no longer
    holds (a million records: ~15 GB spilled); asked for a whole range at once, the disk serves
    them side by side. Cached pages make it a no-op.

    Example:
        >>> s = Scratch(); [t] = write_texts(s.path("t.bin"), [("body", "", np.array([7], np.uint32))])
        >>> prefetch([t]); t.body()
        'body'
        >>> s.close()
    """
    if not hasattr(os, "posix_fadvise"):
        return
    for t in sorted(places, key=lambda t: (t.path, t.offset)):
        os.posix_fadvise(_fd(t.path), t.offset, t.body_bytes + t.names_bytes + 4 * t.n_shingles,
                         os.POSIX_FADV_WILLNEED)


def write_texts(path: str, items: Iterable[tuple[str, str, np.ndarray]]) -> list[TextsOnDisk]:
    """Append (body, names text, shingles) triples to `path`; returns where each one lies.

    Example:
        >>> s = Scratch(); [t] = write_texts(s.path("t.bin"), [("body", "Names", np.array([7], np.uint32))])
        >>> t.body(), t.names_text(), t.shingles().tolist()
        ('body', 'Names', [7])
        >>> s.close()
    """
    out = []
    # A megabyte buffer and no joined copy: a record's 15 KB went out in a system call of its own.
    with open(path, "ab", buffering=1 << 20) as fh:
        offset = fh.tell()
        for body, names_text, shingles in items:
            b, n = body.encode("utf-8"), names_text.encode("utf-8")
            s = np.ascontiguousarray(shingles, dtype=np.uint32)
            fh.write(b)
            fh.write(n)
            fh.write(s)
            out.append(TextsOnDisk(path, offset, len(b), len(n), len(shingles)))
            offset += len(b) + len(n) + s.nbytes
    return out


@dataclass(frozen=True, slots=True)
class PlacedBytes:
    """Bytes a process appended to a scratch file (`append_bytes`): where they lie, to read or copy.

    Example:
        >>> s = Scratch(); block = append_bytes(s.path("lines.bin"), b"one\\n")
        >>> block.read(), block.size
        (b'one\\n', 4)
        >>> s.close()
    """

    path: str
    offset: int
    size: int

    def read(self) -> bytes:
        """The bytes, with one read."""
        return os.pread(_fd(self.path), self.size, self.offset)

    def copy_to(self, out: IO[bytes]) -> None:
        """Write the bytes to `out`: copied file to file by the kernel when `out` is a plain file."""
        done = 0
        if _is_plain_file(out):
            out.flush()
            try:
                while done < self.size:
                    moved = os.copy_file_range(_fd(self.path), out.fileno(), self.size - done, self.offset + done)
                    if not moved:
                        break
                    done += moved
            except OSError:  # a file system or kernel that cannot: the rest goes the plain way
                pass
        if done < self.size:
            out.write(os.pread(_fd(self.path), self.size - done, self.offset + done))

    def release(self) -> None:
        """Give the bytes' room in the file back (Linux: a hole punched there) once they are read or copied.

        A staging file written and read a block at a time then holds only the blocks in flight:
        the page cache reuses its pages instead of taking new ones, which a virtual machine pays
        for when its host has taken them back (measured here: 3 GB staged at 0.4 GB/s, 3.1 GB/s
        with holes punched).
        """
        global _cannot_punch
        fallocate = None if _cannot_punch else _fallocate()
        if fallocate is None or not self.size:
            return
        if fallocate(_fd(self.path, _write_fds, os.O_WRONLY), _PUNCH_HOLE, self.offset, self.size) != 0:
            _cannot_punch = True  # a file system that cannot: stop asking


_PUNCH_HOLE = 0x02 | 0x01  # FALLOC_FL_PUNCH_HOLE | FALLOC_FL_KEEP_SIZE (linux/falloc.h)
_cannot_punch = False


@functools.cache
def _fallocate() -> Callable[..., int] | None:
    # The C library's fallocate, for punching holes: Linux only, 64-bit offsets only.
    if not sys.platform.startswith("linux"):
        return None
    try:
        fallocate = ctypes.CDLL(None, use_errno=True).fallocate64
    except (OSError, AttributeError):
        return None
    fallocate.argtypes = [ctypes.c_int, ctypes.c_int, ctypes.c_int64, ctypes.c_int64]
    fallocate.restype = ctypes.c_int
    return fallocate


class WriteBehind:
    """An output file's pages leave the page cache once the disk has them, as the file grows.

    Each `written()` asks the kernel to start writing what came since the call before and to
    drop what that call started (written by now): `posix_fadvise` DONTNEED. A big output then
    holds a few blocks of cache, not gigabytes that push the run's own files out, and the fsync
    that ends an atomic write waits for those blocks only. Other outputs (a pipe, a buffer) are
    left alone.

    Example:
        >>> s = Scratch(); out = open(s.path("out.jsonl"), "wb"); behind = WriteBehind(out)
        >>> _ = out.write(b"row\\n"); behind.written(); out.close(); open(s.path("out.jsonl"), "rb").read()
        b'row\\n'
        >>> s.close()
    """

    def __init__(self, out: IO[bytes]) -> None:
        self.out = out
        self.marks = [out.tell()] if _is_plain_file(out) and hasattr(os, "posix_fadvise") else []

    def written(self) -> None:
        """Hand what was written since the last call to the disk, and drop what the last call handed."""
        if not self.marks:
            return
        self.out.flush()
        end = self.out.tell()
        os.posix_fadvise(self.out.fileno(), self.marks[0], end - self.marks[0], os.POSIX_FADV_DONTNEED)
        self.marks = [self.marks[-1], end]


def _is_plain_file(out: IO[bytes]) -> bool:
    # Only an unwrapped binary file writes what it is given at the descriptor's position
    # (a gzip or text wrapper would not); only a regular file takes copy_file_range.
    if type(out) not in (io.BufferedWriter, io.FileIO) or not hasattr(os, "copy_file_range"):
        return False
    try:
        return stat.S_ISREG(os.fstat(out.fileno()).st_mode)
    except (OSError, ValueError):
        return False


_appending: dict[tuple[int, str], list[int]] = {}  # (process id, path) -> [descriptor, size written]


def append_bytes(path: str, data: bytes) -> PlacedBytes:
    """Append `data` to `path` (a file only this process writes) and say where it lies."""
    key = (os.getpid(), path)
    if key not in _appending:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o600)
        _appending[key] = [fd, os.fstat(fd).st_size]
    fd_and_size = _appending[key]
    view, written = memoryview(data), 0
    while written < len(data):
        written += os.write(fd_and_size[0], view[written:])
    placed = PlacedBytes(path, fd_and_size[1], len(data))
    fd_and_size[1] += len(data)
    return placed


_FLAT = {str, bool, int, type(None)}


def _json_safe(value: Any) -> bool:
    # Only what JSON gives back unchanged: a dict with a tuple, a date or an int key would not.
    if type(value) is dict and all(type(k) is str and type(v) in _FLAT for k, v in value.items()):
        return True  # what most records are: string keys, strings and small values, one test
    if value is None or isinstance(value, (str, bool, int)):
        return True
    if isinstance(value, float):
        return value == value and value not in (float("inf"), float("-inf"))
    if isinstance(value, list):
        return all(_json_safe(v) for v in value)
    if isinstance(value, dict):
        return all(isinstance(k, str) and _json_safe(v) for k, v in value.items())
    return False


def _text_of(fields: dict, text_field: str) -> str:
    value = fields.get(text_field)
    return value.strip() if isinstance(value, str) else ""


def _meta_and_fields(line: bytes) -> tuple[bytes, bytes] | None:
    # A record's line (RecordStore._write): its other fields' JSON, a tab, its input fields' JSON;
    # or, for what orjson refused, one JSON list of Record's fields in order (None here).
    tab = line.find(b"\t")
    return None if tab < 0 else (line[:tab], line[tab + 1:])


def _record(line: bytes) -> Record:
    parts = _meta_and_fields(line)
    if parts is None:
        rec = Record(*jsonio.loads(line))
    else:
        meta = jsonio.loads_exact(parts[0])
        rec = Record(*meta[:7], jsonio.loads_exact(parts[1]), meta[7])
    if rec.text is None:
        rec.text = _text_of(rec.fields, rec.text_field)
    return rec


@dataclass(frozen=True, slots=True)
class StoredRange:
    """Consecutive records of a spilled RecordStore: the byte range they fill in its file.

    Example:
        >>> recs = [Record(i, str(i), f"Text {i}.", "", "f", None, "") for i in range(3)]
        >>> s = Scratch(); store = RecordStore(s, spill_at=1); store.extend(recs)
        >>> where = store.locate(1, 3); len(where), [r.text for r in where.read()]
        (2, ['Text 1.', 'Text 2.'])
        >>> s.close()
    """

    path: str
    lo: int
    count: int
    start: int
    end: int
    kept: dict[int, Record]  # records of the range that JSON would change, kept in memory

    def __len__(self) -> int:
        return self.count

    def read(self) -> list[Record]:
        """The records, with one read: they lie end to end."""
        return [self.kept[k] if k in self.kept else _record(line) for k, line in enumerate(self._lines(), self.lo)]

    def fields_json(self) -> list[bytes | None]:
        """Each record's fields as the compact JSON bytes orjson writes, not decoded; None where only
        decoding gives them (a value orjson refuses, or JSON would change).

        Example:
            >>> recs = [Record(i, str(i), f"Text {i}.", "", "f", None, "", {"text": f"Text {i}."}) for i in range(2)]
            >>> s = Scratch(); store = RecordStore(s, spill_at=1); store.extend(recs)
            >>> store.locate(0, 2).fields_json()
            [b'{"text":"Text 0."}', b'{"text":"Text 1."}']
            >>> s.close()
        """
        return [None if k in self.kept or (parts := _meta_and_fields(line)) is None else parts[1]
                for k, line in enumerate(self._lines(), self.lo)]

    def _lines(self) -> list[bytes]:
        return os.pread(_fd(self.path), self.end - self.start, self.start).split(b"\n")[: self.count]


class RecordStore(Sequence[Record]):
    """Records in input order: in memory until `spill_at` of them, then in a temporary file.

    On disk a record costs 8 bytes of RAM (its offset). A record whose fields JSON cannot give
    back unchanged (a date, a tuple) stays in memory.

    Example:
        >>> recs = [Record(i, str(i), f"Text {i}.", "", "f", None, "") for i in range(3)]
        >>> s = Scratch(); store = RecordStore(s, spill_at=2); store.extend(recs)
        >>> store.spilled, [r.text for r in store[1:]]
        (True, ['Text 1.', 'Text 2.'])
        >>> s.close()
    """

    def __init__(self, scratch: Scratch, spill_at: int) -> None:
        self.scratch, self.spill_at = scratch, spill_at
        self.memory: list[Record] = []
        self.kept: dict[int, Record] = {}  # spilled store: the records JSON would change
        self.offsets = array("q")  # 8 bytes a record
        self.file: Any = None
        self.path = scratch.path("records.jsonl")
        self.size = 0
        self.ids: list[str] = []  # every record's id, in memory: verdicts name records by id

    @property
    def spilled(self) -> bool:
        """Whether the records went to disk."""
        return self.file is not None or bool(self.offsets)

    def append(self, rec: Record) -> None:
        """Add one record at the end."""
        self.ids.append(rec.id)
        if not self.spilled:
            self.memory.append(rec)
            if len(self.memory) >= self.spill_at:
                self.file = open(self.path, "wb", buffering=1 << 20)
                for r in self.memory:
                    self._write(r)
                self.memory = []
            return
        self._write(rec)

    def extend(self, recs: Iterable[Record]) -> None:
        """Add records at the end."""
        for r in recs:
            self.append(r)

    def seal(self) -> None:
        """No more records: flush the file so that any process can read it."""
        if self.file is not None:
            self.file.close()
            self.file = None

    def _write(self, rec: Record) -> None:
        self.offsets.append(self.size)
        if _json_safe(rec.fields):
            # The text is in the fields already: keep it once. (Most texts are the field itself:
            # strip() gives back the same string when there is nothing to strip.)
            text = None if rec.text is rec.fields.get(rec.text_field) \
                or rec.text == _text_of(rec.fields, rec.text_field) else rec.text
            others = [rec.seq, rec.id, text, rec.title, rec.feed, rec.date, rec.origin, rec.text_field]
            meta, fields = jsonio.dumps_exact(others), jsonio.dumps_exact(rec.fields)
            if meta is not None and fields is not None:
                # The fields' JSON apart (JSON escapes every tab): an annotated row is written from
                # it without decoding it (`StoredRange.fields_json`).
                line = meta + b"\t" + fields
            else:  # Record's fields in order, as the standard library writes them
                line = jsonio.dumps_bytes([*others[:7], rec.fields, others[7]])
        else:
            self.kept[len(self.offsets) - 1] = rec
            line = b"null"
        self.file.write(line + b"\n")
        self.size += len(line) + 1

    def __len__(self) -> int:
        return len(self.offsets) if self.spilled else len(self.memory)

    @overload
    def __getitem__(self, i: int) -> Record: ...

    @overload
    def __getitem__(self, i: slice) -> list[Record]: ...

    def __getitem__(self, i: int | slice) -> Record | list[Record]:
        if isinstance(i, slice):
            lo, hi, step = i.indices(len(self))
            if self.spilled and step == 1 and lo < hi:
                return self._range(lo, hi)
            return [self[k] for k in range(lo, hi, step)]
        if not self.spilled:
            return self.memory[i]
        if self.file is not None:
            self.file.flush()
        i = range(len(self.offsets))[i]
        if i in self.kept:
            return self.kept[i]
        end = self.offsets[i + 1] if i + 1 < len(self.offsets) else self.size
        return _record(os.pread(_fd(self.path), end - self.offsets[i], self.offsets[i]))

    def _range(self, lo: int, hi: int) -> list[Record]:
        return self.locate(lo, hi).read()

    def locate(self, lo: int, hi: int) -> StoredRange:
        """Where records lo..hi of a spilled store lie, for any process to read (`StoredRange.read`)."""
        if self.file is not None:
            self.file.flush()
        end = self.offsets[hi] if hi < len(self.offsets) else self.size
        kept = {k: self.kept[k] for k in range(lo, hi) if k in self.kept} if self.kept else {}
        return StoredRange(self.path, lo, hi - lo, self.offsets[lo], end, kept)

    def __iter__(self) -> Iterator[Record]:
        if not self.spilled:
            yield from self.memory
            return
        if self.file is not None:
            self.file.flush()
        # One sequential read instead of a pread per record.
        with open(self.path, "rb") as fh:
            for i, line in enumerate(fh):
                yield self.kept[i] if i in self.kept else _record(line)
