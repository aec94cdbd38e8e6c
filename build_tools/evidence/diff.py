"""`whatworks diff [REV] [REV2]`: what changed in the evidence, not in the text files.

Both sides are read whole and validated with the same loader as `whatworks lint` (the
old side from `git archive`), then compared entry by entry: entries added and removed,
ratings and findings changed (old -> new, with the page the figure comes from), other
fields changed, vocabulary terms added and removed. Markdown for a pull-request comment
or job summary; `--json` for tools.
"""

from __future__ import annotations

import dataclasses
import io
import json
import subprocess
import sys
import tarfile
import tempfile
from pathlib import Path
from typing import Any

import click
from pydantic import BaseModel

from .corpus import Corpus, load_corpus
from .problems import Problem, render

WORKING_TREE = "working tree"
MAX_LISTED = 300  # entries per section in Markdown; GitHub caps a job summary at 1 MiB
_SPECIAL = {"ratings", "findings", "id"}
# fields shown in Markdown only as "edited": prose in our words (the file diff shows the words)
PROSE = {"summary", "description", "how_it_works", "for_whom", "implementation", "cost_notes", "cautions",
         "limitations", "note", "result", "evaluation_note", "references"}


class DiffError(Exception):
    pass


# ------------------------------------------------------------------ reading both sides


def _git(repo: Path, *args: str) -> bytes:
    try:
        proc = subprocess.run(["git", "-C", str(repo), *args], capture_output=True, check=False, timeout=300)
    except OSError:
        raise DiffError("git is not installed. Fix: install git; `whatworks diff` reads old revisions with it") from None
    if proc.returncode != 0:
        reason = proc.stderr.decode("utf-8", "replace").strip().splitlines()
        raise DiffError(f"git {args[0]} failed: {reason[-1] if reason else 'unknown error'}")
    return proc.stdout


def load_side(repo: Path, evidence_rel: str, rev: str | None, workdir: Path) -> Corpus:
    """The corpus at `rev` (None: the working tree), validated; DiffError with the problems if not."""
    if rev is None:
        root = repo / evidence_rel
    else:
        try:
            data = _git(repo, "archive", "--format=tar", rev, "--", evidence_rel)
        except DiffError as exc:
            raise DiffError(f"{rev}: cannot read {evidence_rel}/ ({exc}). Fix: name a commit, branch or tag that has it") from None
        target = workdir / "rev"
        with tarfile.open(fileobj=io.BytesIO(data)) as tar:
            tar.extractall(target, filter="data")
        root = target / evidence_rel
    result = load_corpus(root)
    if result.corpus is None:
        label = rev or WORKING_TREE
        shown = [_relabel(p, root, f"{rev}:{evidence_rel}" if rev else None) for p in result.problems]
        raise DiffError(f"{label}: the evidence has {len(shown)} problem(s); fix them first:\n{render(shown, 'text')}")
    return result.corpus


def _relabel(problem: Problem, root: Path, prefix: str | None) -> Problem:
    where = root.resolve().as_posix()
    if prefix and problem.path.startswith(where):
        return dataclasses.replace(problem, path=prefix + problem.path[len(where):])
    return problem


# ------------------------------------------------------------------ comparing


def evidence_changes(old: Corpus, new: Corpus) -> dict[str, Any]:
    """JSON-ready description of what changed between two corpora."""
    old_ids, new_ids = {e.id for e in old.entries}, {e.id for e in new.entries}
    brief = lambda c, i: {"id": i, "kind": c.kind(i), "name": c.entry(i).name}  # noqa: E731
    changed = []
    for entry_id in sorted(old_ids & new_ids):
        if old.hashes.get(entry_id) == new.hashes.get(entry_id) or old.entry(entry_id) == new.entry(entry_id):
            continue  # same bytes, or same meaning (comments, formatting)
        rows = _entry_rows(old, new, entry_id)
        if rows:
            changed.append({**brief(new, entry_id), "changes": rows})
    return {
        "added": [brief(new, i) for i in sorted(new_ids - old_ids)],
        "removed": [brief(old, i) for i in sorted(old_ids - new_ids)],
        "changed": changed,
        "vocabularies": _vocabulary_changes(old, new),
        "excluded": {
            "added": sorted({x.item for x in new.excluded} - {x.item for x in old.excluded}),
            "removed": sorted({x.item for x in old.excluded} - {x.item for x in new.excluded}),
        },
    }


def _entry_rows(old: Corpus, new: Corpus, entry_id: str) -> list[dict[str, Any]]:
    a, b = old.entry(entry_id), new.entry(entry_id)
    rows: list[dict[str, Any]] = []
    rows += _list_rows("rating", old, new, getattr(a, "ratings", ()), getattr(b, "ratings", ()),
                       key=lambda r: (r.source, r.outcome, r.outcome_wording), facts=_rating_facts,
                       label=lambda c, r: f"{c.label('sources', r.source)} · {r.outcome_wording or c.label('outcomes', r.outcome)}",
                       source=lambda r: r.url)
    study_url = lambda s: lambda f: f.url or s.url  # noqa: E731
    rows += _list_rows("finding", old, new, getattr(a, "findings", ()), getattr(b, "findings", ()),
                       key=lambda f: (f.outcome, f.measure, f.subgroup), facts=_finding_facts,
                       label=lambda c, f: f"{c.label('outcomes', f.outcome)} · {f.measure}" + (f" ({f.subgroup})" if f.subgroup else ""),
                       source=study_url(b) if hasattr(b, "url") else (lambda f: f.url))
    old_fields, new_fields = _flatten(a), _flatten(b)
    names = [*new_fields, *(k for k in old_fields if k not in new_fields)]
    for name in sorted(names, key=lambda n: n.startswith("review.")):  # stable: model order, review last
        before, after = old_fields.get(name), new_fields.get(name)
        if before != after:
            rows.append({"part": "field", "label": name, "field": name, "change": "changed", "old": before, "new": after, "source": None})
    return rows


def _list_rows(part, old, new, before, after, key, facts, label, source) -> list[dict[str, Any]]:
    rows = []
    was = {key(x): x for x in before}
    now = {key(x): x for x in after}
    for k in [*now, *(k for k in was if k not in now)]:
        x, y = was.get(k), now.get(k)
        if x == y:
            continue
        corpus, item = (new, y) if y is not None else (old, x)
        base = {"part": part, "label": label(corpus, item), "source": source(item)}
        if x is None or y is None:
            shown = "; ".join(f"{f} {v}" for f, v in facts(corpus, item).items() if v is not None)
            change = "added" if x is None else "removed"
            rows.append({**base, "field": None, "change": change, "old": None if x is None else shown, "new": shown if x is None else None})
            continue
        fx, fy = facts(old, x), facts(new, y)
        for field in fy:
            if fx[field] != fy[field]:
                rows.append({**base, "field": field, "change": "changed", "old": fx[field], "new": fy[field]})
    return rows


def _rating_facts(corpus: Corpus, r) -> dict[str, Any]:
    return {"impact": r.impact, "band": corpus.band(r), "estimate": _effect(r.estimate), "evidence": r.evidence,
            "cost": r.cost, "in_words": r.in_words, "strand": r.strand, "based_on": ", ".join(r.based_on) or None,
            "url": r.url, "checked": r.checked.isoformat(), "note": r.note}


def _finding_facts(corpus: Corpus, f) -> dict[str, Any]:
    return {"direction": f.direction, "effect": _effect(f.effect), "significant": f.effect.significant if f.effect else None,
            "follow_up_months": _value(f.follow_up_months), "result": f.result, "url": f.url, "note": f.note}


def _effect(e) -> str | None:
    if e is None:
        return None
    ci = f" [{e.ci_low:g}, {e.ci_high:g}]" if e.ci_low is not None and e.ci_high is not None else ""
    span = f" range {e.range_low:g} to {e.range_high:g}" if e.range_low is not None and e.range_high is not None else ""
    value = "" if e.value is None else f"{e.value:g}"
    return f"{value}{span}{ci} ({e.type})".strip()


def _flatten(model: BaseModel, prefix: str = "") -> dict[str, Any]:
    out: dict[str, Any] = {}
    for name in type(model).model_fields:
        if not prefix and name in _SPECIAL:
            continue
        value = getattr(model, name)
        if isinstance(value, BaseModel):
            out.update(_flatten(value, f"{prefix}{name}."))
        else:
            out[prefix + name] = _value(value)
    return out


def _value(value: Any) -> Any:
    if isinstance(value, tuple):
        if value and isinstance(value[0], BaseModel):
            return [_value(v.model_dump(mode="json")) for v in value]
        return ", ".join(map(str, value)) if value else None
    if isinstance(value, float):
        return f"{value:g}"
    if hasattr(value, "isoformat"):
        return value.isoformat()
    return value


def _vocabulary_changes(old: Corpus, new: Corpus) -> list[dict[str, Any]]:
    out = []
    for vocab in sorted(set(old.vocabularies) | set(new.vocabularies)):
        was = {t.id: t for t in old.vocabularies[vocab].terms} if vocab in old.vocabularies else {}
        now = {t.id: t for t in new.vocabularies[vocab].terms} if vocab in new.vocabularies else {}
        added = [{"id": i, "label": now[i].label} for i in now if i not in was]
        removed = [{"id": i, "label": was[i].label} for i in was if i not in now]
        changed = [i for i in now if i in was and now[i] != was[i]]
        if added or removed or changed:
            out.append({"vocabulary": vocab, "added": added, "removed": removed, "changed": changed})
    return out


# ------------------------------------------------------------------ Markdown


def to_markdown(report: dict[str, Any]) -> str:
    old, new = report["from"], report["to"]
    title = f"## Evidence changes: `{old}` → {'working tree' if new == WORKING_TREE else f'`{new}`'}"
    counts = [len(report["added"]), len(report["removed"]), len(report["changed"])]
    terms = sum(len(v["added"]) + len(v["removed"]) + len(v["changed"]) for v in report["vocabularies"])
    if not any(counts) and not terms and not any(report["excluded"].values()):
        return f"{title}\n\nNo changes to the evidence.\n"
    plural = lambda n, word: f"{n} {word}{'s' * (n != 1)}"  # noqa: E731
    lines = [title, "", f"{plural(counts[0], 'entry')} added, {counts[1]} removed, {counts[2]} changed; "
             f"{plural(terms, 'vocabulary term')} changed.".replace("entrys", "entries")]
    for section, items in (("Added", report["added"]), ("Removed", report["removed"])):
        if items:
            lines += ["", f"### {section}", ""]
            lines += [f"- {e['kind']} `{e['id']}`: {_cell(e['name'])}" for e in items[:MAX_LISTED]]
            lines += [f"- … and {len(items) - MAX_LISTED} more"] if len(items) > MAX_LISTED else []
    if report["changed"]:
        lines += ["", "### Changed"]
        for e in report["changed"][:MAX_LISTED]:
            lines += ["", f"#### {e['kind']} `{e['id']}`: {_cell(e['name'])}", "", "| what | old | new | source |", "|---|---|---|---|"]
            for row in e["changes"]:
                what = row["label"] if row["part"] == "field" else f"{row['part']} {row['label']}: {row['field'] or row['change']}"
                before, after = _shown(row["field"], row["old"], row["new"])
                lines.append(f"| {_cell(what)} | {before} | {after} | {_cell(row['source'])} |")
        if len(report["changed"]) > MAX_LISTED:
            lines += ["", f"… and {len(report['changed']) - MAX_LISTED} more changed entries (see `whatworks diff --json`)."]
    if report["vocabularies"]:
        lines += ["", "### Vocabularies", ""]
        for v in report["vocabularies"]:
            parts = []
            if v["added"]:
                parts.append("added " + ", ".join(f"`{t['id']}` ({_cell(t['label'])})" for t in v["added"]))
            if v["removed"]:
                parts.append("removed " + ", ".join(f"`{t['id']}`" for t in v["removed"]))
            if v["changed"]:
                parts.append("changed " + ", ".join(f"`{t}`" for t in v["changed"]))
            lines.append(f"- `{v['vocabulary']}`: {'; '.join(parts)}")
    if any(report["excluded"].values()):
        lines += ["", "### Excluded list", ""]
        lines += [f"- added: {_cell(x)}" for x in report["excluded"]["added"]]
        lines += [f"- removed: {_cell(x)}" for x in report["excluded"]["removed"]]
    return "\n".join(lines) + "\n"


def _shown(field: str | None, old: Any, new: Any) -> tuple[str, str]:
    """Facts are shown old -> new; prose only as edited (the file diff shows the words)."""
    if (field or "").rsplit(".", 1)[-1] not in PROSE:
        return _cell(old), _cell(new)
    if old is None:
        return "—", "(text added)"
    return ("(text)", "(text removed)") if new is None else ("(text)", "(text edited)")


def _cell(value: Any) -> str:
    if value is None:
        return "—"
    text = str(value).replace("\n", " ").replace("|", "\\|")
    return text if len(text) <= 160 else text[:157] + "…"


# ------------------------------------------------------------------ command


def run_diff(evidence: Path, rev: str, rev2: str | None) -> dict[str, Any]:
    evidence = Path(evidence).resolve()
    if not evidence.is_dir():
        raise DiffError(f"{evidence}: no evidence folder here. Fix: run from the repository root or pass --evidence")
    top = Path(_git(evidence, "rev-parse", "--show-toplevel").decode().strip()).resolve()
    rel = evidence.relative_to(top).as_posix()  # inside the work tree, since git found it from there
    with tempfile.TemporaryDirectory(prefix="whatworks-diff-") as tmp:
        (Path(tmp) / "a").mkdir()
        (Path(tmp) / "b").mkdir()
        old = load_side(top, rel, rev, Path(tmp) / "a")
        new = load_side(top, rel, rev2, Path(tmp) / "b")
        return {"from": rev, "to": rev2 or WORKING_TREE, **evidence_changes(old, new)}


@click.command("diff")
@click.argument("rev", default="HEAD")
@click.argument("rev2", required=False)
@click.option("--json", "as_json", is_flag=True, help="Print JSON instead of Markdown.")
@click.option("--evidence", default="evidence", show_default=True, type=click.Path(file_okay=False, path_type=Path),
              help="The evidence folder (inside a git repository).")
def diff_command(rev: str, rev2: str | None, as_json: bool, evidence: Path) -> None:
    """What changed in the evidence between REV (default HEAD) and REV2 (default: the working tree).

    Both sides are validated. Prints Markdown for a pull-request comment, or --json.
    Exit 0 with a report, 1 if either side cannot be read or has problems.
    """
    try:
        report = run_diff(evidence, rev, rev2)
    except DiffError as exc:
        click.echo(f"whatworks diff: {exc}", err=True)
        sys.exit(1)
    click.echo(json.dumps(report, indent=2, ensure_ascii=False) if as_json else to_markdown(report), nl=as_json)
