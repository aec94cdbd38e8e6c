"""Full build against a one-entry incremental build, as a user runs them (issue #8).

    python bench/bench_incremental.py [N ...]      (default: 1000 10000)

For each N: a synthetic corpus (bench/generate.py) in a repository-shaped folder, then
`whatworks build --full` (everything from scratch), an edit of one approach's summary
and name, and `whatworks build` (what the content-hash cache lets it skip). Each build
is a fresh process, timed whole (Python start-up and loading the evidence included).
Prints both times, the ratio (target <= 0.10), how many site pages were redone, and the
incremental build's own steps. tests/pages/test_incremental.py checks the two give equal outputs.
"""

from __future__ import annotations

import platform
import re
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
REPO = HERE.parent
sys.path[:0] = [str(HERE), str(REPO / "tests")]
from generate import generate  # noqa: E402
from site_support import site_repo  # noqa: E402

WHATWORKS = [sys.executable, "-m", "build_tools", "build"]


def timed_build(root: Path, *args: str) -> tuple[float, str]:
    start = time.perf_counter()
    done = subprocess.run([*WHATWORKS, *args], cwd=root, capture_output=True, text=True)
    seconds = time.perf_counter() - start
    if done.returncode != 0:
        raise SystemExit(f"build failed:\n{done.stderr[-3000:]}")
    return seconds, done.stderr


def steps(log: str) -> str:
    """'database 1.9, search index 0.5, ...' from the build's progress lines."""
    return ", ".join(f"{name} {float(s):.1f}" for name, s in re.findall(r"^  (.+?): done in ([\d.]+) s", log, re.M))


def measure(n: int, root: Path) -> dict[str, object]:
    site_repo(root)
    shutil.copy(REPO / "datasette_metadata.yml", root / "datasette_metadata.yml")
    # A frozen copy of the code, found first by `python -m` (cwd leads sys.path): others edit
    # build_tools/ while this runs, and a code change rightly makes the next build a full one.
    shutil.copytree(REPO / "build_tools", root / "build_tools", ignore=shutil.ignore_patterns("__pycache__"))
    generate(n, root)
    full, full_log = timed_build(root, "--full")
    source = root / "evidence" / "approaches" / "approach-00007.yml"
    text = source.read_text(encoding="utf-8")
    source.write_text(text.replace("summary: ", "summary: Edited for the benchmark. ", 1)
                      .replace("name: ", "name: Renamed ", 1), encoding="utf-8")
    inc, inc_log = timed_build(root)
    nothing, _ = timed_build(root)
    pages = re.search(r"site: (.*pages)", inc_log).group(1)
    return {"full": full, "inc": inc, "nothing": nothing, "pages": pages, "full_steps": steps(full_log),
            "inc_steps": steps(inc_log)}


def main(sizes: list[int]) -> None:
    print(f"machine: {platform.machine()}, {platform.python_implementation()} {platform.python_version()}")
    print(f"{'N':>6} {'full s':>8} {'one edit s':>10} {'ratio':>6} {'no change s':>11}  site pages redone")
    for n in sizes:
        with tempfile.TemporaryDirectory() as tmp:
            r = measure(n, Path(tmp) / "repo")
        print(f"{n:>6} {r['full']:>8.1f} {r['inc']:>10.1f} {r['inc'] / r['full']:>6.3f} {r['nothing']:>11.1f}  {r['pages']}")
        print(f"{'':>6} full steps (s): {r['full_steps']}")
        print(f"{'':>6} one-edit steps (s): {r['inc_steps']}", flush=True)


if __name__ == "__main__":
    main([int(a) for a in sys.argv[1:]] or [1000, 10000])
