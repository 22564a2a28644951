"""The `dedupe` command: parses flags, calls the library, prints. The only module that exits."""

from __future__ import annotations

import json
import signal
import sys
from dataclasses import fields
from enum import Enum
from pathlib import Path
from typing import Annotated, Optional

import typer

from .config import DedupeConfig
from .pipeline import annotate as annotate_records
from .pipeline import clean as clean_records
from .records import FieldKeys, InputError, atomic_writer, output_format, read_records, write_rows
from .report import Report

app = typer.Typer(add_completion=False, no_args_is_help=True,
                  help="One clean record per story from scraped news feeds.")
DEFAULTS = DedupeConfig()


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


Inputs = Annotated[list[str], typer.Argument(help="Feed files (.jsonl .ndjson .json .csv .tsv .txt, "
                                                  "maybe .gz) or - for stdin.")]
Out = Annotated[Optional[str], typer.Option("--output", "-o", help="Output file (.jsonl or .csv); stdout if absent.")]


def _err(msg: str) -> None:
    typer.echo(msg, err=True)


def _run(job, inputs, output, fmt, text_key, id_key, title_key, feed_key, date_key, strict, rejects,
         report_path, quiet, config) -> None:
    report = Report()
    keys = FieldKeys(text=text_key, id=id_key, title=title_key, feed=feed_key, date=date_key)
    if inputs.count("-") > 1:
        _err("error: - (stdin) may be given once")
        raise typer.Exit(2)
    for p in inputs:
        if p != "-" and not Path(p).is_file():
            _err(f"error: {p}: no such file: check the path")
            raise typer.Exit(2)

    def on_term(signum, frame):  # turn SIGTERM into a clean exit so atomic writes roll back
        raise SystemExit(143)

    signal.signal(signal.SIGTERM, on_term)
    try:
        records = read_records(inputs, config, keys, fmt.value if fmt else None, report)
        rows = job(records, config, keys, report)
        if output:
            with atomic_writer(output) as fh:
                write_rows(rows, fh, output_format(output))
        else:
            write_rows(rows, sys.stdout, "jsonl")
    except InputError as e:
        _err(f"error: {e}")
        raise typer.Exit(1) from None
    except KeyboardInterrupt:
        _err("interrupted: no output written")
        raise typer.Exit(130) from None
    if not quiet:
        for reason, where, _raw in report.rejects[:20]:
            _err(f"skipped {where}: {reason}")
        if len(report.rejects) > 20:
            _err(f"... and {len(report.rejects) - 20} more skipped (see --rejects)")
    if rejects:
        with atomic_writer(rejects) as fh:
            for _reason, _where, raw in report.rejects:
                text = raw.decode("utf-8", "backslashreplace") if isinstance(raw, bytes) else raw
                fh.write(text if text.endswith("\n") else text + "\n")
    if report_path:
        with atomic_writer(report_path) as fh:
            json.dump(report.as_dict(), fh, indent=2, sort_keys=True)
            fh.write("\n")
    if not quiet:
        for line in report.summary_lines():
            _err(line)
        if output:
            _err(f"output             {output}")


def _config(**overrides) -> DedupeConfig:
    try:
        return DEFAULTS.with_(**overrides)
    except ValueError as e:
        _err(f"error: {e}")
        raise typer.Exit(2) from None


def _command(job):
    def command(
        inputs: Inputs,
        output: Out = None,
        fmt: Annotated[Optional[Format], typer.Option("--format", help="Input format, if not from the extension.")] = None,
        text_key: Annotated[Optional[str], typer.Option(help="Field holding the story text.")] = None,
        id_key: Annotated[Optional[str], typer.Option(help="Field holding the record id.")] = None,
        title_key: Annotated[Optional[str], typer.Option(help="Field holding the headline.")] = None,
        feed_key: Annotated[Optional[str], typer.Option(help="Field naming the feed.")] = None,
        date_key: Annotated[Optional[str], typer.Option(help="Field holding the date.")] = None,
        split: Annotated[Split, typer.Option(help="How a .txt dump is cut into records.")] = Split(DEFAULTS.split),
        orphans: Annotated[Orphans, typer.Option(help="Teasers with no full version: keep, trim or drop.")] = Orphans(DEFAULTS.orphans),
        jaccard_threshold: Annotated[float, typer.Option(help="Jaccard that makes two texts near-duplicates.")] = DEFAULTS.jaccard_threshold,
        containment_threshold: Annotated[float, typer.Option(help="Share of the shorter text found in the longer.")] = DEFAULTS.containment_threshold,
        lead_match_score: Annotated[float, typer.Option(help="Alignment score (0-100) that matches a teaser to a lead.")] = DEFAULTS.lead_match_score,
        lsh_threshold: Annotated[float, typer.Option(help="LSH candidate threshold.")] = DEFAULTS.lsh_threshold,
        join_fraction: Annotated[float, typer.Option(help="Chain guard: share of cross pairs that must verify.")] = DEFAULTS.join_fraction,
        num_perm: Annotated[int, typer.Option(help="MinHash permutations.")] = DEFAULTS.num_perm,
        max_record_bytes: Annotated[int, typer.Option(help="Skip records larger than this.")] = DEFAULTS.max_record_bytes,
        strict: Annotated[bool, typer.Option("--strict", help="Stop at the first bad record (exit 1).")] = False,
        rejects: Annotated[Optional[str], typer.Option(help="Write each skipped record verbatim here.")] = None,
        report: Annotated[Optional[str], typer.Option("--report", help="Write the run summary as JSON here.")] = None,
        quiet: Annotated[bool, typer.Option("--quiet", "-q", help="No summary on stderr.")] = False,
    ) -> None:
        config = _config(split=split.value, orphans=orphans.value, jaccard_threshold=jaccard_threshold,
                         containment_threshold=containment_threshold, lead_match_score=lead_match_score,
                         lsh_threshold=lsh_threshold, join_fraction=join_fraction, num_perm=num_perm,
                         max_record_bytes=max_record_bytes, strict=strict)
        _run(job, inputs, output, fmt, text_key, id_key, title_key, feed_key, date_key, strict,
             rejects, report, quiet, config)

    return command


app.command("clean", help="One record per story: the best copy, teasers repaired.")(_command(clean_records))
app.command("annotate", help="Every input record with its story, teaser flags and repair.")(_command(annotate_records))

assert {"orphans", "split", "jaccard_threshold"} <= {f.name for f in fields(DedupeConfig)}

if __name__ == "__main__":
    app()
