"""Lint alone, old tree against new, alternating rounds in the same run (issue #12's re-check).

    python bench/ab_lint.py N --old TREE --new TREE [--rounds R]

bench/run.py measures every stage and takes ~15 minutes a tree at 10,000 entries; this times
only `load_corpus` (what `whatworks lint` does), so several alternating rounds fit on a busy
machine. Each round runs in a fresh process with that tree's code and its own
bench/generate.py; each prints floor and lint seconds (best of 3) and their ratio. Seconds are
CPU seconds of the process (`time.process_time`), not wall-clock: with other work on the same
two cores, wall-clock floors moved 4x between rounds, CPU time far less.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
from pathlib import Path

CODE = """
import json, sys, tempfile, time
from pathlib import Path
sys.path.insert(0, 'bench')
from common import best_of, parse_floor
from generate import generate
if Path('build_tools/evidence').is_dir():
    from build_tools.evidence.corpus import load_corpus
else:  # a tree from before the packages (issue 12)
    from build_tools.corpus import load_corpus
import build_tools
# the editable install's finder would hand a missing module from the installed tree: refuse that
assert Path(load_corpus.__code__.co_filename).resolve().is_relative_to(Path.cwd().resolve()), load_corpus.__code__.co_filename
def cpu(fn, *args):
    start = time.process_time()
    fn(*args)
    return time.process_time() - start
with tempfile.TemporaryDirectory() as tmp:
    evidence = generate({n}, Path(tmp) / 'gen')
    floor = best_of(3, cpu, parse_floor, evidence)
    def lint():
        start = time.process_time()
        result = load_corpus(evidence)
        assert result.corpus is not None, result.problems[:3]
        return time.process_time() - start
    print('RESULT ' + json.dumps({{'floor': floor, 'lint': best_of(3, lint)}}))
"""


def measure_in(tree: Path, n: int) -> dict[str, float]:
    env = {**os.environ, "PYTHONPATH": str(tree)}
    done = subprocess.run([sys.executable, "-c", CODE.format(n=n)], cwd=tree, env=env, capture_output=True, text=True)
    if done.returncode != 0:
        raise SystemExit(f"{tree}: failed:\n{done.stderr[-3000:]}")
    return json.loads(next(line for line in done.stdout.splitlines() if line.startswith("RESULT "))[7:])


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("n", type=int)
    parser.add_argument("--old", type=Path, required=True)
    parser.add_argument("--new", type=Path, required=True)
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    ratios: dict[str, list[float]] = {"old": [], "new": []}
    for round_ in range(1, args.rounds + 1):
        for label, tree in (("old", args.old), ("new", args.new)):
            r = measure_in(tree.resolve(), args.n)
            ratios[label].append(r["lint"] / r["floor"])
            print(f"round {round_} {label}: floor {r['floor']:.2f} s CPU, lint {r['lint']:.2f} s CPU, "
                  f"lint/floor {ratios[label][-1]:.2f}  (load {os.getloadavg()[0]:.1f})", flush=True)
    best = {k: min(v) for k, v in ratios.items()}
    print(f"best lint/floor: old {best['old']:.2f}, new {best['new']:.2f}, new/old {best['new'] / best['old']:.2f}")


if __name__ == "__main__":
    main()
