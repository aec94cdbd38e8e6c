"""`make pa11y`: pa11y-ci (WCAG2AA, warnings included) over five pages of the built site, served
on 127.0.0.1, in Debian's chromium. Every issue in Material's own markup is listed in
material.yml with the reason; anything else is ours and fails the run (exit 1).

    python tests/a11y/pa11y.py _build/site   (after `npm ci` in tests/a11y; the Makefile does both)
"""

from __future__ import annotations

import functools
import http.server
import json
import os
import re
import subprocess
import sys
import tempfile
import threading
from collections import Counter
from pathlib import Path

import yaml

HERE = Path(__file__).resolve().parent
# home, an approach page, the gap map, a borough page, the overview
PAGES = ["index.html", "approaches/mentoring.html", "gap-map/index.html", "london/lambeth.html", "overview/index.html"]


def material_rules(path: Path = HERE / "material.yml") -> list[dict]:
    return yaml.safe_load(path.read_text(encoding="utf-8"))


def is_materials(issue: dict, rules: list[dict]) -> bool:
    where = f"{issue['selector']} {issue['context']}"
    return any(issue["code"].endswith(r["code"]) and re.search(r["where"], where) for r in rules)


class Quiet(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args) -> None:  # keep the report readable
        pass


def config(chromium: str) -> dict:
    return {"defaults": {"standard": "WCAG2AA", "includeWarnings": True, "timeout": 60000,
                         "chromeLaunchConfig": {"executablePath": chromium, "args": ["--no-sandbox"]}}}


def run_pa11y(site: Path, chromium: str) -> dict[str, list[dict]]:
    """page -> pa11y's issues, the site served by a throwaway static server."""
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(Quiet, directory=str(site)))
    threading.Thread(target=server.serve_forever, daemon=True).start()
    base = f"http://127.0.0.1:{server.server_address[1]}/"
    with tempfile.TemporaryDirectory() as tmp:
        (Path(tmp) / "config.json").write_text(json.dumps(config(chromium)), encoding="utf-8")
        try:
            # the report goes to a file: Node cuts output to a pipe short when it exits (at 64 KB)
            with (Path(tmp) / "report.json").open("w") as report:
                done = subprocess.run([str(HERE / "node_modules" / ".bin" / "pa11y-ci"), "--config", str(Path(tmp) / "config.json"),
                                       "--json", *(base + p for p in PAGES)], stdout=report, stderr=subprocess.PIPE, text=True)
        finally:
            server.shutdown()
        try:
            results = json.loads((Path(tmp) / "report.json").read_text(encoding="utf-8"))["results"]
        except (ValueError, KeyError):
            sys.exit(f"pa11y-ci gave no report (exit {done.returncode}):\n{done.stderr}")
    return {url.removeprefix(base): [i for i in issues if isinstance(i, dict)] for url, issues in results.items()}


def main(argv: list[str]) -> int:
    site = Path(argv[1] if len(argv) > 1 else "_build/site")
    if not (site / "index.html").is_file():
        print(f"{site}: no built site here. Fix: run `make build` first", file=sys.stderr)
        return 2
    rules = material_rules()
    found = run_pa11y(site, os.environ.get("CHROMIUM", "/usr/bin/chromium"))
    ours = []
    print(f"pa11y WCAG2AA (warnings included) on {len(found)} pages: all, Material's (tests/a11y/material.yml), ours")
    for page, issues in found.items():
        mine = [i for i in issues if not is_materials(i, rules)]
        print(f"  {page:32} {len(issues):4} {len(issues) - len(mine):4} {len(mine):4}")
        ours += [(page, i) for i in mine]
    counts = Counter(i["code"] for issues in found.values() for i in issues)
    print("by code: " + ", ".join(f"{code.split('.', 3)[-1]} {n}" for code, n in counts.most_common()))
    for page, issue in ours:
        print(f"OURS {page}: {issue['type']} {issue['code']}: {issue['message']}\n     {issue['selector']}\n     {issue['context']}")
    print(f"{len(ours)} in our own markup" + ("" if ours else ": pass"))
    return 1 if ours else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
