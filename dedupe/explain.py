"""Why a record joined its story, or why two records are (not) one story."""

from __future__ import annotations

from collections import defaultdict, deque
from collections.abc import Iterable

from . import sketch
from .config import DedupeConfig
from .grouping import Edge
from .pipeline import Analysis, _decide_all, _no_progress, _story_ids
from .records import FieldKeys, InputError
from .report import Report
from .shingles import overlap
from .similarity import lead_alignment, title_score


def explain(items: Iterable, ids: list[str], config: DedupeConfig | None = None,
            keys: FieldKeys | None = None, report: Report | None = None) -> dict:
    """Run the pass and explain one record (`ids=[A]`) or one pair (`ids=[A, B]`).

    Raises InputError when an id is not among the records read.

    Example:
        >>> texts = ["Storms hit the coast on Monday. Power was cut to homes.",
        ...          "Storms hit the coast on Monday. Power was cut to many homes."]
        >>> out = explain(texts, ["<input>:1", "<input>:2"])
        >>> out["same_story"], out["pair"]["rule"]
        (True, 'near_duplicate:0.70')
    """
    if not 1 <= len(ids) <= 2:
        raise ValueError("explain takes one id or two")
    config = config or DedupeConfig()
    report = report if report is not None else Report()
    analysis, _ = _decide_all(items, config, keys, report, _no_progress)
    try:
        index = {r.id: i for i, r in enumerate(analysis.records)}
        missing = [x for x in ids if x not in index]
        if missing:
            sample = ", ".join(list(index)[:5])
            raise InputError(f"id {missing[0]!r} is not among the {len(index)} records read "
                             f"(ids look like: {sample}): check --id and the id field")
        found = [index[x] for x in ids]
        if len(found) == 1:
            return _explain_record(analysis, found[0], config)
        return _explain_pair(analysis, found[0], found[1], config)
    finally:
        analysis.close()


def _explain_record(an: Analysis, i: int, config: DedupeConfig) -> dict:
    d = an.decisions[i]
    members = [k for k, other in enumerate(an.decisions) if other.story == d.story]
    canon = next(k for k in members if an.decisions[k].canonical)
    touching = [(e, joined) for e, joined in an.joins if i in (e.a, e.b)]
    verified = {(e.a, e.b) for e, _ in an.joins}
    # Verified edges inside one story that arrived after it was joined never met two groups.
    for j in members:
        key = (min(i, j), max(i, j))
        if j != i and key in an.candidates and key not in verified and an.verify(*key) is not None:
            touching.append((an.verify(*key), None))
    return {
        "record": _describe(an, i),
        "story": {"members": [an.records[k].id for k in members], "canonical": an.records[canon].id},
        "decision": {"canonical": d.canonical, "truncated": d.truncated, "repair": d.repair,
                     "completed_by": None if d.completed_by is None else an.records[d.completed_by].id,
                     "kicker": d.kicker, "reasons": d.reasons},
        "path_to_canonical": [_edge(an, e, True, config) for e in _path(an, i, canon)],
        "edges": [_edge(an, e, joined, config) for e, joined in sorted(touching, key=lambda t: (t[0].a, t[0].b))],
    }


def _explain_pair(an: Analysis, i: int, j: int, config: DedupeConfig) -> dict:
    same = an.decisions[i].story == an.decisions[j].story
    a, b = min(i, j), max(i, j)
    edge = an.verify(a, b) if (a, b) in an.candidates else None
    refused = next((e for e, joined in an.joins if not joined and {e.a, e.b} == {a, b}), None)
    if i == j:
        verdict = "one record"
    elif same and edge is not None:
        verdict = f"one story: matched directly ({edge.reason})"
    elif same:
        verdict = "one story: joined through other records (see path)"
    elif refused is not None:
        verdict = "two stories: the pair matched, but the chain guard refused to join their stories"
    elif (a, b) not in an.candidates:
        verdict = ("two stories: never a candidate pair (no lead key or headline in common; signatures share "
                   f"no LSH band or agree on under {config.lsh_min_agreement:.0%} of rows)")
    else:
        verdict = "two stories: a candidate pair that no matching rule accepted"
    pair = _measures(an, a, b, config)
    pair.update(candidate=(a, b) in an.candidates, rule=edge.reason if edge else None,
                supports=an.verify.supports(a, b))
    return {
        "records": [_describe(an, i), _describe(an, j)],
        "same_story": same,
        "verdict": verdict,
        "pair": pair,
        "path": [_edge(an, e, True, config) for e in _path(an, i, j)] if same else [],
    }


def _describe(an: Analysis, i: int) -> dict:
    r, d = an.records[i], an.decisions[i]
    story_ids = _story_ids(an.decisions)
    return {"id": r.id, "origin": r.origin, "feed": r.feed, "title": r.title,
            "text_start": r.text[:160], "story_id": story_ids[d.story]}


def _path(an: Analysis, start: int, goal: int) -> list[Edge]:
    """The joining edges from `start` to `goal` (breadth first over the story's join tree)."""
    adjacent: dict[int, list[Edge]] = defaultdict(list)
    for e, joined in an.joins:
        if joined:
            adjacent[e.a].append(e)
            adjacent[e.b].append(e)
    came: dict[int, Edge | None] = {start: None}
    queue = deque([start])
    while queue and goal not in came:
        x = queue.popleft()
        for e in adjacent[x]:
            y = e.b if e.a == x else e.a
            if y not in came:
                came[y] = e
                queue.append(y)
    path: list[Edge] = []
    x = goal
    while came.get(x) is not None:
        e = came[x]
        path.append(e)
        x = e.a if e.b == x else e.b
    return path[::-1]


def _edge(an: Analysis, e: Edge, joined: bool | None, config: DedupeConfig) -> dict:
    out = {"a": an.records[e.a].id, "b": an.records[e.b].id, "rule": e.reason,
           "joined": {True: "joined two groups", False: "refused by the chain guard",
                      None: "already in one story"}[joined]}
    out.update(_measures(an, e.a, e.b, config))
    return out


def _measures(an: Analysis, i: int, j: int, config: DedupeConfig) -> dict:
    """Every score the rules look at, for one pair."""
    fi, fj = an.features[i], an.features[j]
    ni, nj = fi.n_shingles, fj.n_shingles
    shared = an.verify.shared_shingles(i, j) if ni and nj else 0
    est = sketch.minhash(fi.shingles, config.num_perm, config.seed).jaccard(
        sketch.minhash(fj.shingles, config.num_perm, config.seed)) if ni and nj else 0.0
    short, long_ = (fi, fj) if fi.body_len <= fj.body_len else (fj, fi)
    lead = lead_alignment(short.body[:300], long_.body)
    return {
        "shingles": [ni, nj], "shared_shingles": shared,
        "estimated_jaccard": round(est, 3),
        "jaccard": round(shared / (ni + nj - shared), 3) if ni and nj else 0.0,
        "containment": round(shared / min(ni, nj), 3) if ni and nj else 0.0,
        "lead_alignment": {"score": lead.score, "offset": lead.long_start, "end": lead.long_end,
                           "of": an.records[j if short is fi else i].id},
        "shared_lead_keys": overlap(fi.lead_keys, fj.lead_keys),
        "title_score": round(title_score(fi.title.lower(), fj.title.lower()), 1) if fi.title and fj.title else None,
    }


def explain_lines(result: dict) -> list[str]:
    """The explanation as plain text, one fact a line (what the CLI prints on a terminal).

    Example:
        >>> out = explain(["Rain fell on the city all day. Rivers rose.",
        ...                "Rain fell on the city all day. Rivers rose."], ["<input>:2"])
        >>> explain_lines(out)[0]
        'record <input>:2 (<input>:2, feed <input>), story s1'
    """
    lines: list[str] = []
    for rec in result.get("records") or [result["record"]]:
        lines.append(f"record {rec['id']} ({rec['origin']}, feed {rec['feed']}), story {rec['story_id']}")
        if rec["title"]:
            lines.append(f"  title: {rec['title']}")
        lines.append(f"  text:  {rec['text_start']}")
    if "verdict" in result:
        lines.append(f"verdict: {result['verdict']}")
        lines.extend(_measure_lines(result["pair"], "pair"))
        if result["path"]:
            lines.append("path:")
            lines.extend(line for e in result["path"] for line in _edge_lines(e))
        return lines
    story, d = result["story"], result["decision"]
    lines.append(f"story: {len(story['members'])} records, canonical {story['canonical']}")
    lines.append(f"  members: {', '.join(story['members'])}")
    lines.append(f"decision: canonical={d['canonical']} truncated={d['truncated']} repair={d['repair']} "
                 f"completed_by={d['completed_by']} kicker={d['kicker']}")
    lines.append(f"  reasons: {', '.join(d['reasons']) or '-'}")
    if result["path_to_canonical"]:
        lines.append("path to the canonical:")
        lines.extend(line for e in result["path_to_canonical"] for line in _edge_lines(e))
    lines.append(f"edges touching this record: {len(result['edges'])}")
    lines.extend(line for e in result["edges"] for line in _edge_lines(e))
    return lines


def _edge_lines(e: dict) -> list[str]:
    return [f"  {e['a']} -- {e['b']}: {e['rule']} ({e['joined']})", *_measure_lines(e, "    ")]


def _measure_lines(m: dict, indent: str) -> list[str]:
    pad = "  " if indent == "pair" else indent
    lead = m["lead_alignment"]
    out = [f"{pad}jaccard {m['jaccard']} (estimated {m['estimated_jaccard']}), containment {m['containment']}, "
           f"shared shingles {m['shared_shingles']} of {m['shingles'][0]}/{m['shingles'][1]}",
           f"{pad}lead alignment {lead['score']} at offset {lead['offset']}-{lead['end']} of {lead['of']}, "
           f"shared lead keys {m['shared_lead_keys']}, title score {m['title_score']}"]
    if indent == "pair":
        out.append(f"{pad}candidate {m['candidate']}, matched by {m['rule']}, "
                   f"supports the other inside a story {m['supports']}")
    return out
