"""The `dedupe` command: parses flags, calls the library, prints. The only module that exits."""

from __future__ import annotations

import json
import os
import signal
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from enum import Enum
from pathlib import Path
from typing import IO, Annotated

import typer

from .config import DedupeConfig
from .explain import explain as explain_records
from .explain import explain_lines
from .html_report import render_html
from .pipeline import annotate as annotate_records
from .pipeline import clean as clean_records
from .pipeline import write_annotated_jsonl
from .records import FieldKeys, InputError, atomic_writer, output_format, read_records, write_rejects, write_rows
from .report import Report

app = typer.Typer(add_completion=False, no_args_is_help=True, pretty_exceptions_enable=False,
                  help="One clean record per story from scraped news feeds.")
D = DedupeConfig()


class Orphans(str, Enum):
    keep = "keep"
    trim = "trim"
    drop = "drop"


class Split(str, Enum):
    auto = "auto"
    blank = "blank"
    line = "line"


class Format(str, Enum):
    jsonl = "jsonl"
    json = "json"
    csv = "csv"
    tsv = "tsv"
    txt = "txt"


def _opt(help: str, *names: str):
    return typer.Option(*names, help=help)


Inputs = Annotated[list[str], typer.Argument(
    help="Feed files (.jsonl .ndjson .json .csv .tsv .txt, optionally .gz) or - for stdin.")]
Output = Annotated[str | None, _opt("Output file (.jsonl or .csv); stdout if absent.", "--output", "-o")]
Fmt = Annotated[Format | None, _opt("Input format when the extension does not tell.", "--format")]
Key = str | None
SplitOpt = Annotated[Split, _opt("How a .txt dump is cut into records.")]
OrphansOpt = Annotated[Orphans, _opt("Teasers with no full version: keep, trim to the last sentence, or drop.")]


class _Progress:
    """Stage counters on stderr, only when stderr is a terminal."""

    def __init__(self, enabled: bool) -> None:
        self.enabled, self.last = enabled, 0.0

    def __call__(self, stage: str, done: int, total: int) -> None:
        now = time.monotonic()
        if self.enabled and total <= 0 and now - self.last > 0.2:  # while the input is read: a count
            self.last = now
            sys.stderr.write(f"\r{stage:<10} {done}")
            sys.stderr.flush()
        elif self.enabled and total > 0 and (done == total or now - self.last > 0.2):
            self.last = now
            width = 30
            filled = width * done // max(total, 1)
            sys.stderr.write(f"\r{stage:<10} [{'#' * filled}{'.' * (width - filled)}] {done}/{total}")
            if done == total:
                sys.stderr.write("\n")
            sys.stderr.flush()


class _Terminated(Exception):
    """Raised by the SIGTERM handler."""


def _on_sigterm(signum: int, frame: object) -> None:
    raise _Terminated


def _err(msg: str) -> None:
    typer.echo(msg, err=True)


def _check_inputs(inputs: list[str]) -> None:
    if inputs.count("-") > 1:
        _err("error: - (stdin) may be given only once")
        raise typer.Exit(2)
    for p in inputs:
        if p != "-" and not Path(p).is_file():
            _err(f"error: {p}: no such file: check the path")
            raise typer.Exit(2)


@contextmanager
def _exit_codes() -> Iterator[None]:
    """Bad input exits 1, Ctrl-C 130, SIGTERM 143: one line on stderr, no traceback, no output file."""
    # SIGTERM unwinds like Ctrl-C, so the atomic writer removes its temporary file.
    previous = signal.signal(signal.SIGTERM, _on_sigterm)
    try:
        yield
    except InputError as e:
        _err(f"error: {e}")
        raise typer.Exit(1) from None
    except OSError as e:  # a full disk or an unwritable directory, while writing output or temporary files
        _err(f"error: {e.filename or 'output'}: {e.strerror or e}: free space or choose another place "
             f"(-o, --temp-dir)")
        raise typer.Exit(1) from None
    except KeyboardInterrupt:
        _err("interrupted: no output written")
        raise typer.Exit(130) from None
    except _Terminated:
        _err("terminated: no output written")
        raise typer.Exit(143) from None
    finally:
        if previous is not None:  # None: a handler set outside Python, which cannot be put back
            signal.signal(signal.SIGTERM, previous)


@contextmanager
def _output(path: str | None, fmt: str) -> Iterator[IO]:
    """The file the rows go to: `path` written atomically (JSONL as orjson's bytes), or stdout's bytes."""
    if path:
        with atomic_writer(path, binary=fmt == "jsonl") as fh:
            yield fh
    else:
        yield sys.stdout.buffer
        sys.stdout.buffer.flush()


def _is_html(path: str) -> bool:
    return path.lower().endswith((".html", ".htm"))


def _run(job, jsonl_job, inputs: list[str], output: str | None, fmt: Format | None, keys: FieldKeys,
         config: DedupeConfig, rejects: str | None, report_path: str | None, quiet: bool) -> None:
    _check_inputs(inputs)
    for flag, path in (("-o", output), ("--rejects", rejects), ("--report", report_path)):
        if path and not Path(path).resolve().parent.is_dir():
            _err(f"error: {flag} {path}: directory {Path(path).resolve().parent} does not exist")
            raise typer.Exit(2)
    report = Report(audit=[] if report_path and _is_html(report_path) else None)
    progress = _Progress(not quiet and sys.stderr.isatty())
    with _exit_codes():
        records = read_records(inputs, config, keys, fmt.value if fmt else None, report)
        fmt_out = output_format(output)
        with _output(output, fmt_out) as fh:
            if fmt_out == "jsonl" and jsonl_job is not None:  # lines rendered by the workers
                jsonl_job(records, fh, config, keys, report, progress=progress)
            else:
                write_rows(job(records, config, keys, report, progress=progress), fh, fmt_out)
    if rejects:
        with atomic_writer(rejects, binary=True) as fh:
            write_rejects(report.rejects, fh)
    if report_path:
        with atomic_writer(report_path) as fh:
            if _is_html(report_path):
                fh.write(render_html(report))
            else:
                json.dump(report.as_dict(), fh, indent=2, sort_keys=True)
                fh.write("\n")
    if quiet:
        return
    for reason, where, _raw in report.rejects[:20]:
        _err(f"skipped {where}: {reason}")
    if len(report.rejects) > 20:
        _err(f"... and {len(report.rejects) - 20} more skipped (keep them all with --rejects FILE)")
    for line in report.summary_lines():
        _err(line)
    if output:
        _err(f"output             {output}")


def _command(job, jsonl_job=None):
    def command(
        inputs: Inputs,
        output: Output = None,
        fmt: Fmt = None,
        text_key: Annotated[Key, _opt("Field holding the story text.")] = None,
        id_key: Annotated[Key, _opt("Field holding the record id.")] = None,
        title_key: Annotated[Key, _opt("Field holding the headline.")] = None,
        feed_key: Annotated[Key, _opt("Field naming the feed (default: the file name).")] = None,
        date_key: Annotated[Key, _opt("Field holding the date.")] = None,
        split: SplitOpt = Split(D.split),
        orphans: OrphansOpt = Orphans(D.orphans),
        jaccard_threshold: Annotated[float, _opt("Exact Jaccard that makes two texts near-duplicates.")]
        = D.jaccard_threshold,
        containment_threshold: Annotated[float, _opt("Share of the shorter text found in the longer.")]
        = D.containment_threshold,
        lead_match_score: Annotated[float, _opt("Alignment score (0-100) that ties a teaser to a lead.")]
        = D.lead_match_score,
        lsh_threshold: Annotated[float, _opt("LSH candidate threshold (every candidate is verified).")]
        = D.lsh_threshold,
        lsh_min_agreement: Annotated[float, _opt("Share of signature rows an LSH pair must agree on to be "
                                                 "verified (0: every LSH pair).")] = D.lsh_min_agreement,
        join_fraction: Annotated[float, _opt("Chain guard: share of cross pairs that must verify.")]
        = D.join_fraction,
        num_perm: Annotated[int, _opt("MinHash permutations.")] = D.num_perm,
        max_record_bytes: Annotated[int, _opt("Skip records larger than this many bytes.")] = D.max_record_bytes,
        jobs: Annotated[int, _opt("Worker processes (0: one per core); the output is the same for any.",
                                  "--jobs", "-j")] = D.jobs,
        temp_dir: Annotated[Key, _opt("Where big inputs wait on disk during the run (default: the system's "
                                      "temporary directory).")] = D.temp_dir,
        strict: Annotated[bool, _opt("Stop at the first bad record with exit code 1.", "--strict")] = False,
        rejects: Annotated[Key, _opt("Write every skipped record here, verbatim.")] = None,
        report: Annotated[Key, _opt("Write the run report here: JSON, or a self-contained page if the name "
                                    "ends in .html.", "--report")] = None,
        quiet: Annotated[bool, _opt("No summary on stderr.", "--quiet", "-q")] = False,
    ) -> None:
        try:
            config = D.with_(split=split.value, orphans=orphans.value, jaccard_threshold=jaccard_threshold,
                             containment_threshold=containment_threshold, lead_match_score=lead_match_score,
                             lsh_threshold=lsh_threshold, lsh_min_agreement=lsh_min_agreement,
                             join_fraction=join_fraction, num_perm=num_perm,
                             max_record_bytes=max_record_bytes, strict=strict, jobs=jobs, temp_dir=temp_dir)
        except ValueError as e:
            _err(f"error: {e}")
            raise typer.Exit(2) from None
        if temp_dir and not Path(temp_dir).is_dir():
            _err(f"error: --temp-dir {temp_dir}: no such directory")
            raise typer.Exit(2)
        keys = FieldKeys(text=text_key, id=id_key, title=title_key, feed=feed_key, date=date_key)
        _run(job, jsonl_job, inputs, output, fmt, keys, config, rejects, report, quiet)

    command.__doc__ = job.__doc__.split("\n")[0]
    return command


app.command("clean")(_command(clean_records))
app.command("annotate")(_command(annotate_records, write_annotated_jsonl))


@app.command("explain")
def explain(
    inputs: Inputs,
    ids: Annotated[list[str], _opt("Record id to explain; give it twice to explain a pair.", "--id")],
    as_json: Annotated[bool, _opt("Print the explanation as JSON.", "--json")] = False,
    fmt: Fmt = None,
    text_key: Annotated[Key, _opt("Field holding the story text.")] = None,
    id_key: Annotated[Key, _opt("Field holding the record id.")] = None,
    title_key: Annotated[Key, _opt("Field holding the headline.")] = None,
    feed_key: Annotated[Key, _opt("Field naming the feed (default: the file name).")] = None,
    split: SplitOpt = Split(D.split),
) -> None:
    """Why a record joined its story (one --id), or why two records are or are not one story (two)."""
    _check_inputs(inputs)
    if len(ids) > 2:
        _err("error: give --id once (one record) or twice (a pair)")
        raise typer.Exit(2)
    config = D.with_(split=split.value)
    keys = FieldKeys(text=text_key, id=id_key, title=title_key, feed=feed_key)
    report = Report()
    with _exit_codes():
        result = explain_records(read_records(inputs, config, keys, fmt.value if fmt else None, report),
                                 ids, config, keys, report)
    if as_json:
        typer.echo(json.dumps(result, indent=2, ensure_ascii=False))
    else:
        for line in explain_lines(result):
            typer.echo(line)


def main() -> None:
    """The `dedupe` command: the app, then the process ends at once with its exit code.

    By then every output is written and closed; what the interpreter would still do is tear
    down the compiled kernels, 0.23 s of every run (mypy ends its runs the same way).
    """
    try:
        app()
        code: object = 0
    except SystemExit as e:
        code = e.code
    if isinstance(code, str):
        _err(code)
    for stream in (sys.stdout, sys.stderr):
        with suppress(OSError, ValueError):  # a reader gone from the pipe, a closed stream
            stream.flush()
    os._exit(code if isinstance(code, int) else int(code is not None))


if __name__ == "__main__":
    main()
