"""The import contract: the folder names show the data flow, and this test keeps it true.

evidence/ (lint) <- tables/ <- database/, exports   ;  evidence/ <- pages/, search/
build.py runs the builders; cli.py and serve/ sit on top. A builder never imports another
builder, nothing below build.py imports the CLI, build or serve, and no module imports another
module's private (`_x`) names."""

from __future__ import annotations

import ast
from pathlib import Path

PACKAGE = Path(__file__).resolve().parents[1] / "build_tools"
BUILDERS = {"database", "pages", "search", "exports"}
ABOVE_BUILD = {"cli", "build", "serve", "__main__"}


def _modules() -> dict[str, ast.Module]:
    return {".".join(p.relative_to(PACKAGE).with_suffix("").parts): ast.parse(p.read_text(encoding="utf-8"))
            for p in sorted(PACKAGE.rglob("*.py"))}


def _imports(name: str, tree: ast.Module):
    """(imported module under build_tools, imported names) for every import in the module."""
    package = name.split(".")[:-1] if not name.endswith("__init__") else name.split(".")[:-1]
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom):
            if node.level:
                base = package[: len(package) - node.level + 1]
                target = ".".join(base + ([node.module] if node.module else []))
            elif (node.module or "").startswith("build_tools"):
                target = node.module.removeprefix("build_tools").lstrip(".")
            else:
                continue
            yield target, [a.name for a in node.names]
        elif isinstance(node, ast.Import):
            for alias in node.names:
                if alias.name.startswith("build_tools."):
                    yield alias.name.removeprefix("build_tools."), []


def _top(module: str) -> str:
    return module.split(".")[0] if module else ""


def test_the_package_has_the_packages_the_readme_names():
    assert {p.name for p in PACKAGE.iterdir() if (p / "__init__.py").is_file()} == {
        "evidence", "tables", "database", "search", "pages", "serve"}


def test_builders_do_not_import_each_other():
    bad = [(name, target) for name, tree in _modules().items() for target, _ in _imports(name, tree)
           if _top(name) in BUILDERS and _top(target) in BUILDERS and _top(target) != _top(name)]
    assert bad == []


def test_nothing_below_build_imports_the_cli_build_or_serve():
    bad = [(name, target) for name, tree in _modules().items() for target, _ in _imports(name, tree)
           if _top(name) not in ABOVE_BUILD and _top(target) in ABOVE_BUILD]
    assert bad == []


def test_evidence_imports_no_output():
    bad = [(name, target) for name, tree in _modules().items() for target, _ in _imports(name, tree)
           if _top(name) == "evidence" and _top(target) not in {"evidence", "clock", "atomic", ""}]
    assert bad == []


def test_no_module_imports_another_modules_private_names():
    bad = [(name, target, n) for name, tree in _modules().items() for target, names in _imports(name, tree)
           for n in names if n.startswith("_") and not n.startswith("__")]
    assert bad == []


def test_the_contract_sees_imports():
    """Guard against a contract that passes because it parses nothing."""
    edges = {(name, target) for name, tree in _modules().items() for target, _ in _imports(name, tree)}
    assert ("database.build", "tables.catalogue") in edges and ("evidence.rules", "evidence.load") in edges
    assert ("cli", "") in edges  # `from . import __version__, clock`


CONFIG_READERS = {"read_config", "read_mkdocs", "read_release"}


def test_builders_take_their_configuration_from_the_build_config():
    """build.py reads mkdocs.yml, datasette_metadata.yml, CITATION.cff and the environment once;
    a builder that read one itself could see other settings than its neighbours."""
    bad = []
    for name, tree in _modules().items():
        if _top(name) not in BUILDERS:
            continue
        bad += [(name, n) for target, names in _imports(name, tree) for n in names if n in CONFIG_READERS]
        for node in ast.walk(tree):
            if isinstance(node, ast.Attribute) and node.attr in {"getenv", "environ"}:
                bad.append((name, f"line {node.lineno}: os.{node.attr}"))
    # the one exception: the site hands its own environment on to the `mkdocs` child process
    assert bad == [("pages.build", "line %d: os.environ" % _line_of("pages/build.py", "{**os.environ"))]


def _line_of(relative: str, text: str) -> int:
    lines = (PACKAGE / relative).read_text(encoding="utf-8").splitlines()
    return next(n for n, line in enumerate(lines, 1) if text in line)
