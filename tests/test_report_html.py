"""The HTML report, loaded for real in headless Chromium (Debian's `chromium`)."""

import json
import os
import re
import shutil
import subprocess
from pathlib import Path

import pytest
from conftest import ROOT, SAMPLE_FEEDS, run_cli

from dedupe import Report, annotate
from dedupe.html_report import render_html

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
ARTIFACTS = Path(os.environ.get("DEDUPE_ARTIFACTS", ROOT / "out" / "test-artifacts"))
# CI installs Chromium and sets DEDUPE_REQUIRE_BROWSER, so there a missing browser fails instead of skipping.
needs_browser = pytest.mark.skipif(not CHROMIUM and not os.environ.get("DEDUPE_REQUIRE_BROWSER"),
                                   reason="Debian's chromium is not installed (apt-get install chromium)")


def _chromium(tmp_path, *args):
    assert CHROMIUM, "chromium not found: apt-get install chromium"
    flags = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
             "--disable-background-networking", "--disable-component-update", "--disable-sync",
             f"--user-data-dir={tmp_path / 'profile'}", "--enable-logging=stderr", "--v=0",
             # Offline: any host lookup fails, so a page that fetched anything would show it.
             "--host-resolver-rules=MAP * ~NOTFOUND"]
    return subprocess.run([CHROMIUM, *flags, *args], capture_output=True, text=True, timeout=180)


def _counts(dom):
    return {k: float(v) for k, v in re.findall(r'data-count="([^"]+)">([^<]*)<', dom)}


@needs_browser
def test_report_page_loads_clean_and_agrees_with_the_json_report(tmp_path):
    page, summary = tmp_path / "report.html", tmp_path / "report.json"
    assert run_cli("clean", *SAMPLE_FEEDS, "-o", tmp_path / "a.jsonl", "--report", summary, "-q").exit_code == 0
    assert run_cli("clean", *SAMPLE_FEEDS, "-o", tmp_path / "b.jsonl", "--report", page, "-q").exit_code == 0
    html = page.read_text(encoding="utf-8")
    assert not re.search(r"https?:|<link|\ssrc=", html)  # self-contained: nothing to fetch

    run = _chromium(tmp_path, "--dump-dom", page.as_uri())
    assert run.returncode == 0, run.stderr[-2000:]
    assert "CONSOLE" not in run.stderr  # no console message at all, errors included
    dom = run.stdout
    assert re.search(r'<html [^>]*data-ready="1"', dom) and not re.search(r'<html [^>]*data-errors', dom)
    expected = json.loads(summary.read_text())
    counts = _counts(dom)
    assert len(counts) >= 15
    for key, value in counts.items():
        if key.startswith("rejected:"):
            assert expected["rejected_by_reason"][key.split(":", 1)[1]] == value
        elif key != "seconds":
            assert expected[key] == value, key
    assert re.search(r'id="stories-shown">(\d+)<', dom).group(1) == str(expected["multi_record_stories"])
    repairs = expected["teasers_completed"] + expected["teasers_trimmed"]
    assert re.search(r'id="repairs-shown">(\d+)<', dom).group(1) == str(repairs)

    searched = _chromium(tmp_path, "--dump-dom", page.as_uri() + "#q=gull%20island").stdout
    assert re.search(r'id="stories-shown">(\d+)<', searched).group(1) == "1"
    assert re.search(r'id="repairs-shown">(\d+)<', searched).group(1) == "1"

    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    shot = ARTIFACTS / "report.png"
    shot.unlink(missing_ok=True)
    run = _chromium(tmp_path, f"--screenshot={shot}", "--window-size=1280,1900", "--hide-scrollbars", page.as_uri())
    assert run.returncode == 0 and shot.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n" and shot.stat().st_size > 20_000


def test_report_page_escapes_input_and_marks_repairs():
    report = Report(audit=[])
    article = ("Council staff will <b>close</b> the harbour bridge for six weeks from Monday while engineers "
               "replace corroded cables, the city said on Thursday. Drivers face a long diversion.")
    teaser = "Council staff will <b>close</b> the harbour bridge for six weeks from Monday while engineers replace"
    odd = "<script>alert(1)</script> A second story, about the town's new tram line and its first riders."
    list(annotate([{"id": "full", "text": article}, {"id": "cut", "text": teaser},
                   {"id": "x", "text": odd}, {"id": "y", "text": odd}], report=report))
    page = render_html(report)
    assert "<script>alert(1)" not in page and "&lt;script&gt;alert(1)" in page
    assert "<b>close" not in page
    assert 'class="added">' in page and 'class="kept">' in page  # the teaser's words and the words added to it
    assert "completed from full" in page
