"""Load the evidence tree once, validate it, and hand out one immutable Corpus.

Every builder takes a Corpus; none reads YAML again. Derived facts (harmonised bands,
SMS levels, reverse links) are computed here so each output shows the same answer.
"""

from __future__ import annotations

import datetime as dt
import os
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from types import MappingProxyType

from .. import clock
from . import evidence_map
from .load import Loaded, read_yaml
from .kinds import BY_FOLDER
from .models import Approach, Entry, ExcludedList, Exclusion, Finding, Programme, Rating, Study
from .vocabulary_models import SynonymList, Term, Vocabulary
from .problems import Problem
from .rules import REQUIRED_VOCABULARIES, Context, check_entry, check_raw_entry
from .rules_synonyms import SYNONYMS_STEM, check_synonyms, phrase_key
from .rules_text import check_values
from .rules_vocab import check_vocabulary
from .schema_check import check_model

AGE_BANDS = (("0-9", 0, 9), ("10-13", 10, 13), ("14-17", 14, 17), ("18-25", 18, 25))
STATUS_RECHECK_MONTHS = 6  # an evaluation status not re-checked for this long is shown as such


@dataclass(frozen=True)
class Corpus:
    root: Path  # the evidence/ folder
    vocabularies: Mapping[str, Vocabulary]
    approaches: tuple[Approach, ...]
    programmes: tuple[Programme, ...]
    studies: tuple[Study, ...]
    excluded: tuple[Exclusion, ...] = ()
    files: Mapping[str, str] = field(default_factory=dict)  # entry id -> "evidence/<kind>/<id>.yml"
    hashes: Mapping[str, str] = field(default_factory=dict)  # entry id -> sha256 of its file
    # vocabularies/synonyms.yml: each group's phrases, lower-cased, whitespace-normalised, in file order
    synonyms: tuple[tuple[str, ...], ...] = ()

    def __post_init__(self) -> None:
        by_id = {e.id: e for e in self.entries}
        terms = {v: {t.id: t for t in voc.terms} for v, voc in self.vocabularies.items()}
        studies_for: dict[str, list[Study]] = {}
        for study in self.studies:
            for target in study.evaluates:
                studies_for.setdefault(target, []).append(study)
        programmes_for: dict[str, list[Programme]] = {}
        for prog in self.programmes:
            for target in prog.approaches:
                programmes_for.setdefault(target, []).append(prog)
        object.__setattr__(self, "_by_id", by_id)
        object.__setattr__(self, "_terms", terms)
        object.__setattr__(self, "_studies_for", {k: tuple(v) for k, v in studies_for.items()})
        object.__setattr__(self, "_programmes_for", {k: tuple(v) for k, v in programmes_for.items()})

    @property
    def entries(self) -> tuple[Entry, ...]:
        return self.approaches + self.programmes + self.studies

    def entry(self, entry_id: str) -> Entry:
        return self._by_id[entry_id]

    def kind(self, entry_id: str) -> str:
        return {Approach: "approach", Programme: "programme", Study: "study"}[type(self._by_id[entry_id])]

    def term(self, vocabulary: str, term_id: str) -> Term:
        return self._terms[vocabulary][term_id]

    def label(self, vocabulary: str, term_id: str) -> str:
        return self._terms[vocabulary][term_id].label

    def studies_for(self, entry_id: str) -> tuple[Study, ...]:
        """Studies that evaluate this approach or programme."""
        return self._studies_for.get(entry_id, ())

    def studies_behind(self, entry: Entry) -> tuple[Study, ...]:
        """Studies held here behind an approach or programme: those that evaluate it, then the
        reviews its ratings rest on (`based_on`), each once."""
        found = {s.id: s for s in self.studies_for(entry.id)}
        found.update({i: self._by_id[i] for r in getattr(entry, "ratings", ()) for i in r.based_on})
        return tuple(found.values())

    def programmes_for(self, approach_id: str) -> tuple[Programme, ...]:
        return self._programmes_for.get(approach_id, ())

    def band(self, rating: Rating) -> str | None:
        """Harmonised impact band for a rating: the source's label looked up in sources.yml."""
        labels = self.term("sources", rating.source).impact_labels or {}
        if rating.impact is None:
            return None
        return {k.casefold(): v for k, v in labels.items()}.get(rating.impact.casefold())

    def band_rank(self, band: str | None) -> int:
        """Sort key for bands: lower is better (the order of vocabulary `impact-bands`); unrated last."""
        order = [t.id for t in self.vocabularies["impact-bands"].terms]
        return order.index(band) if band in order else len(order)

    def sms_level(self, study: Study) -> int | None:
        return self.term("designs", study.design).sms_level

    def is_comparative(self, study: Study) -> bool:
        """The design compares against something (vocabulary `designs`), so its findings can count as impact."""
        return bool(self.term("designs", study.design).comparative)

    def is_review(self, study: Study) -> bool:
        return bool(self.term("designs", study.design).review)

    def evidence_bases(self, entry: Entry) -> tuple[evidence_map.EvidenceBase, ...]:
        """What the entry's ratings rest on, each shared review once (see evidence_map)."""
        return evidence_map.evidence_bases(self, getattr(entry, "ratings", ()))

    def headline(self, entry: Entry) -> str | None:
        """Impact on violence: the one band every list, table and index shows (see evidence_map)."""
        return evidence_map.headline(self, getattr(entry, "ratings", ()))

    @property
    def gap_map(self) -> Mapping[tuple[str, str], evidence_map.GapCell]:
        """(approach id, outcome id) -> cell, computed once (see evidence_map)."""
        if "_gap_map" not in self.__dict__:
            object.__setattr__(self, "_gap_map", MappingProxyType(evidence_map.gap_map(self)))
        return self.__dict__["_gap_map"]

    def status_recheck_due(self, programme: Programme) -> dt.date:
        """When the evaluation status should be checked again: 6 months after it was."""
        checked = programme.evaluation_checked
        month = checked.month - 1 + STATUS_RECHECK_MONTHS
        year, month = checked.year + month // 12, month % 12 + 1
        next_month = dt.date(year + month // 12, month % 12 + 1, 1)
        return dt.date(year, month, min(checked.day, (next_month - dt.timedelta(days=1)).day))

    def is_harmful(self, entry: Entry) -> bool:
        """A named source rates it harmful (harmonised band `harmful`). Only sources' ratings
        count here: a single study's unfavourable finding is a backfire, shown separately."""
        return any(self.band(r) == "harmful" for r in getattr(entry, "ratings", ()))

    def backfires(self, entry: Entry) -> tuple[tuple[Study, Finding], ...]:
        """Unfavourable findings (a study found things got worse) for a study, or for the
        studies of an approach or programme."""
        studies = (entry,) if isinstance(entry, Study) else self.studies_for(entry.id)
        return tuple((s, f) for s in studies if self.is_comparative(s) for f in s.findings if f.direction == "unfavourable")

    def age_bands(self, entry: Entry) -> tuple[str, ...]:
        ages = getattr(entry, "ages", None)
        if ages is None:
            return ()
        return tuple(name for name, low, high in AGE_BANDS if ages.min <= high and ages.max >= low)


@dataclass
class LintResult:
    corpus: Corpus | None
    problems: list[Problem]
    files_checked: int


def _display(path: Path) -> str:
    try:
        return os.path.relpath(path).replace(os.sep, "/") if not os.path.relpath(path).startswith("..") else path.as_posix()
    except ValueError:  # pragma: no cover - different drive on Windows
        return path.as_posix()


def evidence_files(root: Path) -> list[Path]:
    """All YAML under evidence/ except the templates, in a stable order."""
    files = []
    for folder, dirs, names in os.walk(root):
        dirs[:] = sorted(d for d in dirs if d != "_template")
        files.extend(os.path.join(folder, n) for n in sorted(names) if n.endswith((".yml", ".yaml")))
    return [Path(f) for f in sorted(files)]


def load_corpus(root: Path, today: dt.date | None = None, progress: Callable[[int], None] | None = None,
                only: Iterable[Path] | None = None) -> LintResult:
    """Load and validate the whole tree. `only` limits which files' problems are reported."""
    today = today or clock.today()
    root = Path(root)
    if not (root / "vocabularies").is_dir():
        problem = Problem(_display(root), 0, 0, "", "no vocabularies/ folder here; is this the evidence folder?", "run from the repository root or pass --evidence", "missing-vocabulary")
        return LintResult(None, [problem], 0)
    files = evidence_files(root)
    loaded: dict[Path, Loaded] = {}
    vocabularies: dict[str, Vocabulary] = {}
    vocab_files: dict[Path, Vocabulary] = {}
    parsed: dict[str, tuple[Loaded, Entry]] = {}
    entry_files: list[tuple[Path, Loaded, str]] = []  # every entry file with data, valid or not
    raw_kinds: dict[str, str] = {}
    kinds: dict[str, list[Entry]] = {k: [] for k in BY_FOLDER}
    id_files: dict[str, Path] = {}
    excluded: tuple[Exclusion, ...] = ()
    synonyms: SynonymList | None = None

    stems: dict[tuple[str, ...], Path] = {}  # (folder..., stem) -> first file, to refuse x.yml beside x.yaml
    for n, path in enumerate(files, 1):
        rel = path.relative_to(root).parts
        item = read_yaml(path, _display(path))
        loaded[path] = item
        if progress:
            progress(n)
        if rel[0] in BY_FOLDER and len(rel) == 2:
            # The id should equal the file name: other files' references to it are not "missing"
            # when this file fails to parse or to validate (no cascade of wrong hints).
            raw_kinds.setdefault(path.stem, BY_FOLDER[rel[0]].name)
        twin = stems.setdefault(rel[:-1] + (path.stem,), path)
        if twin != path:
            item.problems.append(Problem(item.path, 0, 0, "", f"{_display(twin)} has the same name", f"keep one of {twin.name} and {path.name}", "duplicate-file"))
            continue
        if item.data is None:
            continue
        if rel[0] == "vocabularies" and len(rel) == 2 and path.stem == SYNONYMS_STEM:
            synonyms = check_model(item, SynonymList)
            if synonyms:
                check_synonyms(item, synonyms)
        elif rel[0] == "vocabularies" and len(rel) == 2:
            voc = check_model(item, Vocabulary)
            if voc:
                vocabularies[voc.id] = vocab_files[path] = voc
        elif rel == ("excluded.yml",):
            listing = check_model(item, ExcludedList)
            check_values(item)
            excluded = listing.excluded if listing else ()
        elif rel[0] in BY_FOLDER and len(rel) == 2:
            entry_files.append((path, item, rel[0]))
            if isinstance(item.data, dict) and isinstance(item.data.get("id"), str):
                raw_kinds.setdefault(item.data["id"], BY_FOLDER[rel[0]].name)
            entry = check_model(item, BY_FOLDER[rel[0]].model)
            if entry is None:
                continue
            if entry.id in id_files:
                other = _display(id_files[entry.id])
                line, col = item.mark(("id",))
                item.problems.append(Problem(item.path, line, col, "id", f"id '{entry.id}' is already used by {other}", "give each entry its own id", "duplicate-id"))
                continue
            id_files[entry.id] = path
            parsed[entry.id] = (item, entry)
            kinds[rel[0]].append(entry)
        else:
            item.problems.append(Problem(item.path, 0, 0, "", "file is not in a known folder", "put entries in approaches/, programmes/ or studies/ and lists in vocabularies/", "unknown-folder"))

    bands = {t.id for t in vocabularies["impact-bands"].terms} if "impact-bands" in vocabularies else set()
    for path, voc in vocab_files.items():
        check_vocabulary(loaded[path], voc, path.stem, bands)
    # A vocabulary whose file is there but broken is reported in that file, not as missing.
    missing = sorted(REQUIRED_VOCABULARIES - set(vocabularies) - {p.stem for p in loaded if p.parent.name == "vocabularies"})
    if missing:
        found = sorted(p for item in loaded.values() for p in item.problems)
        gone = Problem(_display(root / "vocabularies"), 0, 0, "", f"missing vocabularies: {', '.join(missing)}", "restore the files from git", "missing-vocabulary")
        return LintResult(None, found + [gone], len(files))
    raw_designs = {item.data["id"]: item.data.get("design") for _, item, folder in entry_files
                   if folder == "studies" and isinstance(item.data, dict) and isinstance(item.data.get("id"), str)}
    ctx = Context(vocabularies, raw_kinds, today, raw_designs)
    for path, item, folder in entry_files:
        check_raw_entry(ctx, item, BY_FOLDER[folder].model, path.stem)
    for item, entry in parsed.values():
        check_entry(ctx, item, entry)

    wanted = {Path(p).resolve() for p in only} if only is not None else None
    problems: list[Problem] = []
    checked = 0
    for path, item in loaded.items():
        if wanted is None or path.resolve() in wanted:
            checked += 1
            problems.extend(item.problems)
    problems.sort(key=lambda p: (p.path, p.line, p.col, p.field, p.message))
    if any(item.problems for item in loaded.values()):
        return LintResult(None, problems, checked)

    repo = root.parent
    corpus = Corpus(
        root=root,
        vocabularies=MappingProxyType(dict(sorted(vocabularies.items()))),
        approaches=tuple(sorted(kinds["approaches"], key=lambda e: e.id)),
        programmes=tuple(sorted(kinds["programmes"], key=lambda e: e.id)),
        studies=tuple(sorted(kinds["studies"], key=lambda e: e.id)),
        excluded=excluded,
        files=MappingProxyType({i: p.relative_to(repo).as_posix() for i, p in sorted(id_files.items())}),
        hashes=MappingProxyType({i: loaded[p].digest for i, p in sorted(id_files.items())}),
        synonyms=tuple(tuple(phrase_key(p) for p in group) for group in synonyms.groups) if synonyms else (),
    )
    return LintResult(corpus, problems, checked)
