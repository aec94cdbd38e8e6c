"""Synthetic corpus for benchmarks: N realistic, lint-clean entries with references between them.

    python bench/generate.py N OUTDIR      -> OUTDIR/evidence (real vocabularies + N entries)

Deterministic (seeded): the same N gives the same files. Roughly 20% approaches, 30%
programmes, 50% studies; each file is about 2 KB, like a real entry.
"""

from __future__ import annotations

import random
import shutil
import sys
from pathlib import Path

import yaml

REPO = Path(__file__).resolve().parent.parent
WORDS = (
    "mentoring young people violence school exclusion pupil referral unit alternative provision family "
    "parenting therapy cognitive behavioural trauma hospital navigator custody diversion police youth "
    "worker community sport arts after-school bullying relationship knife weapon exploitation county "
    "lines attendance attainment wellbeing employment training restorative justice deterrence hot spots "
    "patrol street lighting summer jobs social skills emotional learning behaviour classroom teacher "
    "mentor coach group session weekly trusted adult support referral assessment risk outcome trial "
    "evaluation comparison impact evidence cost London borough partnership safeguarding"
).split()


def _vocab(name: str) -> list[str]:
    data = yaml.safe_load((REPO / "evidence" / "vocabularies" / f"{name}.yml").read_text(encoding="utf-8"))
    return [t["id"] for t in data["terms"]]


def _text(rng: random.Random, n: int) -> str:
    words = [rng.choice(WORDS) for _ in range(n)]
    return (" ".join(words).capitalize() + ".").replace("  ", " ")


def _review(rng: random.Random) -> dict:
    day = rng.randint(1, 28)
    return {"status": "reviewed", "last_reviewed": f"2026-0{rng.randint(1, 9)}-{day:02d}",
            "next_review_due": f"2027-0{rng.randint(1, 9)}-{day:02d}", "reviewers": ["bench-bot"]}


def generate(n: int, out: Path, seed: int = 7) -> Path:
    rng = random.Random(seed)
    evidence = Path(out) / "evidence"
    if evidence.exists():
        shutil.rmtree(evidence)
    shutil.copytree(REPO / "evidence" / "vocabularies", evidence / "vocabularies")
    v = {name: _vocab(name) for name in ("priority-areas", "settings", "outcomes", "designs", "countries", "boroughs", "evaluation-statuses")}
    designs = yaml.safe_load((evidence / "vocabularies" / "designs.yml").read_text(encoding="utf-8"))["terms"]
    comparative = {t["id"] for t in designs if t.get("comparative")}
    n_app, n_prog = max(1, n // 5), max(1, n * 3 // 10)
    n_study = max(0, n - n_app - n_prog)
    approaches = [f"approach-{i:05d}" for i in range(n_app)]
    programmes = [f"programme-{i:05d}" for i in range(n_prog)]

    def common(entry_id: str, kind: str) -> dict:
        return {"id": entry_id, "name": f"{_text(rng, 3)[:-1]} {kind} {entry_id[-5:]}", "summary": _text(rng, 30)[:390]}

    def intervention(entry_id: str, kind: str) -> dict:
        data = common(entry_id, kind)
        data.update({
            "description": _text(rng, 60), "priority_areas": rng.sample(v["priority-areas"], 2),
            "settings": rng.sample(v["settings"], 3), "ages": {"min": 10, "max": rng.randint(14, 25)},
            "outcomes": rng.sample(v["outcomes"], 3), "how_it_works": _text(rng, 40), "implementation": _text(rng, 30),
            "ratings": [{"source": "yef-toolkit", "outcome": "violence-perpetration", "impact": rng.choice(["High", "Moderate", "Low"]),
                         "estimate": {"type": "percent-change", "value": -rng.randint(2, 40)},
                         "url": f"https://example.org/{entry_id}", "checked": "2026-01-15"}],
            "related": rng.sample(approaches, min(2, len(approaches) - 1)) if kind == "approach" else rng.sample(approaches, 1),
            "review": _review(rng),
        })
        data["related"] = [r for r in data["related"] if r != entry_id]
        return data

    files: dict[str, dict] = {}
    for a in approaches:
        files[f"approaches/{a}.yml"] = intervention(a, "approach")
    for p in programmes:
        data = intervention(p, "programme")
        data.update({"approaches": rng.sample(approaches, 1), "countries": ["england"], "boroughs": rng.sample(v["boroughs"], 2),
                     "vru_funded": rng.random() < 0.5, "evaluation_status": rng.choice(v["evaluation-statuses"]),
                     "evaluation_checked": "2026-01-15", "evaluation_url": f"https://example.org/{p}/evaluation"})
        files[f"programmes/{p}.yml"] = data
    for i in range(n_study):
        sid = f"study-{i:05d}"
        data = common(sid, "study")
        data.update({
            "title": _text(rng, 12), "authors": ["Bench A", "Bench B"], "year": rng.randint(1995, 2025),
            "url": f"https://example.org/{sid}", "design": rng.choice(v["designs"]), "countries": ["england"],
            "settings": rng.sample(v["settings"], 2), "sample": {"size": rng.randint(20, 5000), "unit": "young people"},
            "evaluates": [rng.choice(approaches), rng.choice(programmes)],
            "findings": [{"outcome": rng.choice(v["outcomes"]), "measure": _text(rng, 6), "result": _text(rng, 12),
                          "direction": rng.choice(["favourable", "no-difference", "mixed"]),
                          "effect": {"type": "smd", "value": round(rng.uniform(-0.5, 0.5), 2)}} for _ in range(2)],
            "limitations": _text(rng, 30), "review": _review(rng),
        })
        if data["design"] not in comparative:  # without a comparison a finding has no direction
            for finding in data["findings"]:
                del finding["direction"]
        files[f"studies/{sid}.yml"] = data
    for rel, data in files.items():
        path = evidence / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(yaml.safe_dump(data, sort_keys=False, allow_unicode=True, width=100), encoding="utf-8")
    return evidence


if __name__ == "__main__":
    if len(sys.argv) != 3:
        sys.exit("usage: python bench/generate.py N OUTDIR")
    where = generate(int(sys.argv[1]), Path(sys.argv[2]))
    print(f"wrote {sys.argv[1]} entries to {where}")
