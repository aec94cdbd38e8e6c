"""Forest plot of an approach's or programme's findings: one row per finding with a
confidence interval, one panel (own axis) per effect type, the no-effect line drawn and
the favourable side named in words.

Only findings of comparative designs are drawn (the designs vocabulary's `comparative`
flag): monitoring figures have nothing to compare against, so they have no effect to plot.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from markupsafe import Markup

from ...evidence.corpus import Corpus
from ...evidence.models import Study
from ..text import fmt_effect, fmt_number
from . import render_svg

# The no-effect value comes from effect-types.yml (`no_effect`); a type with no effect at 1 is a
# ratio, drawn on a log scale so that halving and doubling sit equally far from the line.


def scale_of(corpus: Corpus, effect_type: str) -> tuple[bool, float] | None:
    """(log scale, no-effect value) of an effect type, or None if the vocabulary gives no no-effect value."""
    null = corpus.term("effect-types", effect_type).no_effect
    return None if null is None else (null == 1, float(null))


# Which way is good on each outcome (the outcomes vocabulary does not say). Outcomes in
# neither set (behaviour, family, workforce: measured either way) get neutral axis words.
LOWER_IS_BETTER = frozenset({
    "violence-perpetration", "violence-victimisation", "offending", "reoffending", "exploitation",
    "weapon-carrying", "bullying", "exclusion", "suspension", "hidden-moves", "hospital-use",
    "out-of-home-placement", "crime-place", "child-protection",
})
HIGHER_IS_BETTER = frozenset({"attendance", "attainment", "wellbeing", "eet", "safety-perception"})

WIDTH = 640
PLOT_LEFT, PLOT_RIGHT = 330, 620  # x range of the plot area; labels sit left of it
TOP = 44  # first row's top: the title and the no-effect label sit above
ROW = 36
LABEL_CHARS = 48


@dataclass(frozen=True)
class ForestRow:
    study_id: str
    label: str  # the study's name, shortened to fit
    detail: str  # outcome (and subgroup) and the effect in words
    description: str  # the whole row in words, for the text alternative
    y: float
    x: float  # point estimate
    x_low: float
    x_high: float


@dataclass(frozen=True)
class Panel:
    effect_type: str
    title: str
    log: bool
    null: float
    null_x: float
    rows: tuple[ForestRow, ...]
    ticks: tuple[tuple[float, str], ...]  # (x, label)
    lower_side: str  # words at the left end of the axis
    higher_side: str  # words at the right end
    height: float

    @property
    def axis_y(self) -> float:
        return TOP + len(self.rows) * ROW


def _polarity(outcome: str) -> str | None:
    return "lower" if outcome in LOWER_IS_BETTER else "higher" if outcome in HIGHER_IS_BETTER else None


def plotted_findings(corpus: Corpus, studies: tuple[Study, ...]) -> list[tuple[Study, object]]:
    """(study, finding) pairs a forest plot draws: comparative design, effect with value and CI."""
    found = []
    for study in sorted(studies, key=lambda s: (-s.year, s.id)):
        if not corpus.is_comparative(study):
            continue
        for finding in study.findings:
            e = finding.effect
            if e is None or None in (e.value, e.ci_low, e.ci_high) or scale_of(corpus, e.type) is None:
                continue
            if scale_of(corpus, e.type)[0] and min(e.value, e.ci_low, e.ci_high) <= 0:
                continue  # a ratio must be positive to sit on a log axis; lint checks values elsewhere
            found.append((study, finding))
    return found


def _nice_step(span: float) -> float:
    raw = span / 5
    power = 10 ** math.floor(math.log10(raw))
    return next(m * power for m in (1, 2, 2.5, 5, 10) if m * power >= raw)


def _ticks(lo: float, hi: float, log: bool, null: float) -> list[float]:
    if log:
        candidates = (0.01, 0.02, 0.05, 0.1, 0.2, 0.3, 0.5, 0.7, 1, 1.5, 2, 3, 5, 10, 20, 50, 100)
        inside = [t for t in candidates if lo <= math.log10(t) <= hi]
        while len(inside) > 7:  # thin out, always keeping the no-effect value
            inside = [t for i, t in enumerate(inside) if i % 2 == inside.index(null) % 2]
        return inside
    step = _nice_step(hi - lo)
    first = math.ceil(lo / step)
    return [round(k * step, 10) for k in range(first, math.floor(hi / step) + 1)]


def _side_words(polarity: str | None) -> tuple[str, str]:
    if polarity == "lower":
        return "\u2190 favours the intervention", "favours the comparison \u2192"
    if polarity == "higher":
        return "\u2190 favours the comparison", "favours the intervention \u2192"
    return "\u2190 lower with the intervention", "higher with the intervention \u2192"


def _short(text: str, limit: int = LABEL_CHARS) -> str:
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "\u2026"


def forest_panels(corpus: Corpus, studies: tuple[Study, ...]) -> list[Panel]:
    """One panel per (effect type, which way is favourable), in the effect-types vocabulary's order."""
    groups: dict[tuple[str, str | None], list] = {}
    for study, finding in plotted_findings(corpus, studies):
        groups.setdefault((finding.effect.type, _polarity(finding.outcome)), []).append((study, finding))
    order = [t.id for t in corpus.vocabularies["effect-types"].terms]
    panels = []
    for (etype, polarity), items in sorted(groups.items(), key=lambda kv: (order.index(kv[0][0]) if kv[0][0] in order else len(order), str(kv[0][1]))):
        log, null = scale_of(corpus, etype)
        f = (lambda v: math.log10(v)) if log else (lambda v: v)  # noqa: E731 - the axis transform
        values = [f(v) for _, fi in items for v in (fi.effect.ci_low, fi.effect.ci_high)] + [f(null)]
        lo, hi = min(values), max(values)
        pad = (hi - lo) * 0.08 or 0.5
        lo, hi = lo - pad, hi + pad
        scale = lambda v: round(PLOT_LEFT + (f(v) - lo) / (hi - lo) * (PLOT_RIGHT - PLOT_LEFT), 1)  # noqa: E731
        type_label = corpus.label("effect-types", etype)
        rows = []
        for i, (study, finding) in enumerate(items):
            e = finding.effect
            outcome = corpus.label("outcomes", finding.outcome) + (f" ({finding.subgroup})" if finding.subgroup else "")
            effect_words = fmt_effect(e, corpus.term("effect-types", etype))
            rows.append(ForestRow(
                study_id=study.id, label=_short(study.name), detail=_short(f"{outcome}: {fmt_number(e.value)} ({fmt_number(e.ci_low)} to {fmt_number(e.ci_high)})", 56),
                description=f"{study.name}, {outcome.lower()}: {effect_words}.",
                y=TOP + i * ROW, x=scale(e.value), x_low=scale(e.ci_low), x_high=scale(e.ci_high),
            ))
        low_words, high_words = _side_words(polarity)
        title = type_label + (" (log scale)" if log else "")
        if polarity:
            title += f", {'lower' if polarity == 'lower' else 'higher'} is better"
        panels.append(Panel(
            effect_type=etype, title=title, log=log, null=null, null_x=scale(null), rows=tuple(rows),
            ticks=tuple((scale(t), fmt_number(t)) for t in _ticks(lo, hi, log, null)),
            lower_side=low_words, higher_side=high_words, height=TOP + len(rows) * ROW + 58,
        ))
    return panels


def forest_plot(corpus: Corpus, entry_id: str, name: str) -> Markup:
    """The figure for an entry page, or nothing if no finding qualifies."""
    panels = forest_panels(corpus, corpus.studies_for(entry_id))
    if not panels:
        return Markup("")
    return render_svg("forest.svg.j2", panels=panels, name=name, entry_id=entry_id, width=WIDTH,
                      plot_left=PLOT_LEFT, plot_right=PLOT_RIGHT, top=TOP, row=ROW)
