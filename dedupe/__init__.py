"""dedupe: one clean record per story from scraped news feeds.

Example:
    >>> import dedupe
    >>> rows = list(dedupe.clean(["Rain fell all day. Rivers rose.", "Rain fell all day. Rivers rose."]))
    >>> len(rows), rows[0]["members"]
    (1, ['<input>:1', '<input>:2'])
"""

from .config import DedupeConfig
from .explain import explain
from .pipeline import annotate, annotate_jsonl, clean, write_annotated_jsonl
from .records import FieldKeys, InputError, Record, read_records
from .report import Report

__all__ = ["DedupeConfig", "FieldKeys", "InputError", "Record", "Report", "annotate", "annotate_jsonl", "clean",
           "explain", "read_records", "write_annotated_jsonl"]
__version__ = "0.1.0"
