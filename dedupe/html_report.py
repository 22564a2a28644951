"""The run report as one self-contained HTML page: summary, charts, stories side by side, repairs."""

from __future__ import annotations

import re
from collections import Counter, defaultdict
from difflib import SequenceMatcher
from html import escape

from .report import Report

_TOKENS = re.compile(r"\s+|\S+")
_COLOURS = ("#3b6ea8", "#e39b3b", "#8a8f98")

_STYLE = """
body{font:14px/1.45 system-ui,sans-serif;margin:0;color:#1d2330;background:#f6f7f9}
header{position:sticky;top:0;background:#1d2330;color:#fff;padding:10px 20px;display:flex;gap:16px;
align-items:center;z-index:1}
header h1{font-size:18px;margin:0;flex:1}
#search{width:320px;padding:6px 8px;border-radius:4px;border:0;font-size:14px}
main{padding:10px 20px;max-width:1400px}
h2{border-bottom:2px solid #d5d9e0;padding-bottom:4px;margin-top:28px}
table.summary{border-collapse:collapse;background:#fff}
table.summary th,table.summary td{padding:3px 12px;border-bottom:1px solid #e4e7ec;text-align:left}
table.summary td{text-align:right;font-variant-numeric:tabular-nums}
.charts{display:flex;flex-wrap:wrap;gap:16px}
.chart{background:#fff;border:1px solid #e4e7ec;padding:8px}
.card{background:#fff;border:1px solid #e4e7ec;border-radius:6px;margin:12px 0;padding:10px 12px}
.card h3{margin:0 0 8px;font-size:15px}
.members,.pair{display:grid;grid-auto-flow:column;grid-auto-columns:minmax(300px,1fr);gap:10px;overflow-x:auto}
.member{border-left:4px solid #d5d9e0;padding:4px 8px;max-height:420px;overflow-y:auto}
.member.canonical{border-left-color:#3b6ea8}
.meta{color:#5b6475;font-size:12px}
.text{white-space:pre-wrap}
mark.diff{background:#ffe08a}
.kept{background:#d7ecd9}
.added{background:#cfe0f7}
del.cut{background:#f6d2d2;color:#7a2a2a}
.hidden{display:none}
.legend span{display:inline-block;width:10px;height:10px;margin:0 4px 0 10px}
"""

# Errors are caught first, so the page can say (and a test can read) that its script ran cleanly.
_HEAD_SCRIPT = """
window.__errors=[];
window.addEventListener('error',function(e){window.__errors.push(String(e.message));
document.documentElement.setAttribute('data-errors',window.__errors.join(' | '));});
"""

_SCRIPT = """
(function(){
var box=document.getElementById('search');
var cards=Array.prototype.slice.call(document.querySelectorAll('.card[data-search]'));
function apply(){
  var q=box.value.trim().toLowerCase(), shown={story:0,repair:0};
  cards.forEach(function(c){var hit=!q||c.getAttribute('data-search').indexOf(q)>=0;
    c.classList.toggle('hidden',!hit); if(hit){shown[c.getAttribute('data-kind')]++;}});
  document.getElementById('stories-shown').textContent=shown.story;
  document.getElementById('repairs-shown').textContent=shown.repair;
  document.getElementById('matches').textContent=q?(shown.story+shown.repair)+' cards match':'';
}
box.addEventListener('input',apply);
var m=/[#&]q=([^&]*)/.exec(location.hash); if(m){box.value=decodeURIComponent(m[1]);}
apply();
document.documentElement.setAttribute('data-ready','1');
})();
"""

_LABELS = {
    "records_read": "records read", "records_rejected": "records rejected", "records_out": "records written",
    "duplicate_ids": "repeated ids renamed", "stories": "stories",
    "multi_record_stories": "stories with more than one record", "records_merged": "records merged",
    "teasers_flagged": "teasers flagged", "teasers_completed": "teasers completed",
    "teasers_trimmed": "teasers trimmed", "teasers_untrimmable": "teasers left as is",
    "orphans_dropped": "orphan teasers dropped", "boilerplate_sentences_learned": "boilerplate sentences learned",
    "candidate_pairs": "candidate pairs", "chance_lsh_pairs": "chance LSH pairs left out",
    "verified_pairs": "verified pairs",
    "joins_refused": "joins refused by the chain guard", "seconds": "seconds",
}


def render_html(report: Report) -> str:
    """The page for a run whose `report.audit` was collected (`Report(audit=[])`).

    Example:
        >>> from dedupe.pipeline import annotate
        >>> r = Report(audit=[])
        >>> _ = list(annotate(["Rain fell on the town all day.", "Rain fell on the town all day."], report=r))
        >>> page = render_html(r)
        >>> page.startswith("<!doctype html>"), 'data-count="stories">1<' in page
        (True, True)
    """
    rows = report.audit or []
    stories: dict[str, list[dict]] = defaultdict(list)
    for row in rows:
        stories[row["story_id"]].append(row)
    multi = {sid: members for sid, members in stories.items() if len(members) > 1}
    repairs = [r for r in rows if r["repair"] in ("completed", "trimmed")]
    by_id = {r["id"]: r for r in rows}
    parts = [
        "<!doctype html>", '<html lang="en"><head><meta charset="utf-8">',
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        "<title>dedupe run report</title>", f"<style>{_STYLE}</style>", f"<script>{_HEAD_SCRIPT}</script>",
        "</head><body>",
        '<header><h1>dedupe run report</h1><input id="search" type="search" '
        'placeholder="Search ids, feeds, headlines, text" aria-label="Search"><span id="matches"></span></header>',
        "<main>", _summary(report), _charts(rows, stories),
        f'<h2>Stories with more than one record (<span id="stories-shown">{len(multi)}</span> shown of '
        f'<span data-count="multi_record_stories">{len(multi)}</span>)</h2>',
        *(_story_card(sid, members) for sid, members in multi.items()),
        f'<h2>Repairs (<span id="repairs-shown">{len(repairs)}</span> shown of {len(repairs)})</h2>',
        '<p class="legend">kept from the input<span class="kept"></span> added from the full version'
        '<span class="added"></span> cut after the last complete sentence<span style="background:#f6d2d2"></span></p>',
        *(_repair_card(r, by_id.get(r["completed_by"])) for r in repairs),
        "</main>", f"<script>{_SCRIPT}</script>", "</body></html>",
    ]
    return "\n".join(parts) + "\n"


def _summary(report: Report) -> str:
    data = report.as_dict()
    cells = [f'<tr><th>{escape(label)}</th><td data-count="{key}">{data[key]}</td></tr>'
             for key, label in _LABELS.items() if key in data and key != "multi_record_stories"]
    cells.extend(f'<tr><th>rejected: {escape(reason)}</th><td data-count="rejected:{escape(reason)}">{n}</td></tr>'
                 for reason, n in data["rejected_by_reason"].items())
    return '<h2>Run summary</h2><table class="summary">' + "".join(cells) + "</table>"


def _charts(rows: list[dict], stories: dict[str, list[dict]]) -> str:
    sizes = Counter(min(len(m), 10) for m in stories.values())
    size_rows = [(f"{s}{'+' if s == 10 else ''} record{'s' if s > 1 else ''}", [sizes[s]]) for s in sorted(sizes)]
    per_feed: dict[str, Counter] = defaultdict(Counter)
    for r in rows:
        c = per_feed[r["feed"]]
        c["kept" if r["canonical"] else "merged"] += 1
        if r["truncated"]:
            c[r["repair"] or "left"] += 1
    feeds = sorted(per_feed, key=lambda f: (-sum(per_feed[f][k] for k in ("kept", "merged")), f))[:25]
    teaser_feeds = [f for f in sorted(per_feed, key=lambda f: -(per_feed[f]["completed"] + per_feed[f]["trimmed"]
                                                                + per_feed[f]["left"]))
                    if per_feed[f]["completed"] + per_feed[f]["trimmed"] + per_feed[f]["left"]][:25]
    return '<h2>Charts</h2><div class="charts">' + "".join([
        _bar_chart("Story sizes (stories)", size_rows, ["stories"]),
        _bar_chart("Records per feed: kept as canonical / merged as duplicate",
                   [(f, [per_feed[f]["kept"], per_feed[f]["merged"]]) for f in feeds], ["kept", "merged"]),
        _bar_chart("Teasers per feed: completed / trimmed / left as is",
                   [(f, [per_feed[f]["completed"], per_feed[f]["trimmed"], per_feed[f]["left"]])
                    for f in teaser_feeds], ["completed", "trimmed", "left as is"]),
    ]) + "</div>"


def _bar_chart(title: str, rows: list[tuple[str, list[int]]], series: list[str]) -> str:
    """A horizontal stacked bar chart as inline SVG (no script, no fetch)."""
    label_w, bar_w, row_h = 190, 260, 18
    top = max((sum(v) for _, v in rows), default=0) or 1
    height = 40 + row_h * max(len(rows), 1)
    out = [f'<svg class="chart" role="img" aria-label="{escape(title)}" width="{label_w + bar_w + 60}" '
           f'height="{height}">',
           f'<text x="4" y="14" font-size="13" font-weight="600">{escape(title)}</text>']
    x = 4
    for name, colour in zip(series, _COLOURS):
        out.append(f'<rect x="{x}" y="22" width="10" height="10" fill="{colour}"/>'
                   f'<text x="{x + 14}" y="31" font-size="11">{escape(name)}</text>')
        x += 20 + 7 * len(name)
    if not rows:
        out.append('<text x="4" y="52" font-size="12" fill="#5b6475">none</text>')
    for n, (label, values) in enumerate(rows):
        y = 40 + n * row_h
        short = label if len(label) <= 28 else label[:27] + "…"
        out.append(f'<text x="{label_w - 6}" y="{y + 12}" font-size="11" text-anchor="end">'
                   f'<title>{escape(label)}</title>{escape(short)}</text>')
        x0 = float(label_w)
        for value, colour in zip(values, _COLOURS):
            w = bar_w * value / top
            if value:
                out.append(f'<rect x="{x0:.1f}" y="{y + 2}" width="{w:.1f}" height="{row_h - 5}" fill="{colour}">'
                           f'<title>{escape(label)}: {value}</title></rect>')
            x0 += w
        out.append(f'<text x="{x0 + 4:.1f}" y="{y + 12}" font-size="11">{sum(values)}</text>')
    out.append("</svg>")
    return "".join(out)


def _search_key(*texts: str | None) -> str:
    return escape(" ".join(t for t in texts if t).lower()[:20000])


def _story_card(sid: str, members: list[dict]) -> str:
    canon = next(m for m in members if m["canonical"])
    ordered = [canon, *(m for m in members if m is not canon)]
    reference = _words(canon["text"])
    cells = []
    for m in ordered:
        text = escape(m["text"]) if m is canon else _marked(m["text"], reference)
        role = "canonical" if m is canon else f"duplicate: {', '.join(m['reasons'][:1])}"
        cells.append(
            f'<div class="member{" canonical" if m is canon else ""}">'
            f'<div class="meta">{escape(m["id"])} · {escape(m["feed"])} · {escape(role)}'
            f'{" · truncated" if m["truncated"] else ""}</div>'
            + (f"<h4>{escape(m['title'])}</h4>" if m["title"] else "")
            + f'<div class="text">{text}</div></div>')
    search = _search_key(sid, *(f"{m['id']} {m['feed']} {m['title']} {m['text']}" for m in members))
    return (f'<article class="card story" data-kind="story" data-search="{search}">'
            f"<h3>{escape(sid)} · {len(members)} records · canonical {escape(canon['id'])}"
            f"</h3><p class=\"meta\">words not in the canonical copy are <mark class=\"diff\">marked</mark></p>"
            f'<div class="members">{"".join(cells)}</div></article>')


def _repair_card(row: dict, full: dict | None) -> str:
    before = row["text"]
    if row["repair"] == "trimmed":
        kept = row["repaired_text"]
        after = f'<span class="kept">{escape(kept)}</span><del class="cut">{escape(before[len(kept):])}</del>'
        heading = "trimmed to its last complete sentence"
    else:
        after = _kept_and_added(before, row["repaired_text"])
        heading = f"completed from {escape(row['completed_by'])}" + (f" ({escape(full['feed'])})" if full else "")
    search = _search_key(row["id"], row["feed"], row["title"], before, row["completed_by"])
    return (f'<article class="card repair" data-kind="repair" data-search="{search}">'
            f"<h3>{escape(row['id'])} · {escape(row['feed'])} · {heading}</h3>"
            f'<div class="pair"><div><div class="meta">as read</div><div class="text">{escape(before)}</div></div>'
            f'<div><div class="meta">written</div><div class="text">{after}</div></div></div></article>')


def _words(text: str) -> list[str]:
    return [t for t in _TOKENS.findall(text) if not t.isspace()]


def _marked(text: str, reference: list[str]) -> str:
    """`text` with the words that differ from `reference` wrapped in <mark>."""
    return _tagged(text, reference, same=None, differ="mark class=\"diff\"")


def _kept_and_added(teaser: str, full: str) -> str:
    """`full` with the words it shares with the teaser marked kept and the rest added."""
    return _tagged(full, _words(teaser), same='span class="kept"', differ='span class="added"')


def _tagged(text: str, reference: list[str], same: str | None, differ: str | None) -> str:
    tokens = _TOKENS.findall(text)
    word_at = [i for i, t in enumerate(tokens) if not t.isspace()]
    words = [tokens[i] for i in word_at]
    matched = [False] * len(words)
    for block in SequenceMatcher(None, [w.lower() for w in words], [w.lower() for w in reference],
                                 autojunk=False).get_matching_blocks():
        for k in range(block.a, block.a + block.size):
            matched[k] = True
    flag = [None] * len(tokens)
    for k, i in enumerate(word_at):
        flag[i] = matched[k]
    out: list[str] = []
    current: bool | None = None
    for token, is_same in zip(tokens, flag):
        if is_same is not None and is_same != current:
            if current is not None and (same if current else differ):
                out.append(f"</{(same if current else differ).split()[0]}>")
            tag = same if is_same else differ
            if tag:
                out.append(f"<{tag}>")
            current = is_same
        out.append(escape(token))
    if current is not None and (same if current else differ):
        out.append(f"</{(same if current else differ).split()[0]}>")
    return "".join(out)
