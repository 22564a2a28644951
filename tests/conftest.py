import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from dedupe.cli import app

ROOT = Path(__file__).resolve().parent.parent
SAMPLES = ROOT / "samples"
SAMPLE_FEEDS = ["samples/wire.jsonl", "samples/metro.csv", "samples/rss_dump.txt"]


@pytest.fixture(autouse=True)
def _at_root(monkeypatch):
    # Record ids of plain-text dumps carry the path as given: run from the project root.
    monkeypatch.chdir(ROOT)


def run_cli(*args, input=None):
    """Invoke the CLI in-process; returns the click Result (stdout and stderr apart)."""
    return CliRunner().invoke(app, [str(a) for a in args], input=input)


def read_jsonl(path):
    return [json.loads(line) for line in Path(path).read_text(encoding="utf-8").splitlines() if line]


def write(path, text, mode="w"):
    p = Path(path)
    if mode == "wb":
        p.write_bytes(text)
    else:
        p.write_text(text, encoding="utf-8")
    return str(p)
