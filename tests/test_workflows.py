"""CI workflows and the pre-commit hook: they parse, and every command they run exists here.

`whatworks` and `datasette` command lines are parsed by the real click commands (so an
option that does not exist fails the test); `make` targets are checked against the
Makefile; inline Python must compile and import only what exists.
"""

from __future__ import annotations

import ast
import importlib
import re
import shlex
import shutil
import sys
import tomllib

import click
import pytest
import yaml
from datasette.cli import cli as datasette_cli

from build_tools.cli import cli as whatworks_cli
from build_tools.evidence.corpus import load_corpus
from build_tools.evidence.problems import render
from conftest import REPO

WORKFLOWS = {name: REPO / ".github" / "workflows" / f"{name}.yml" for name in ("validate", "publish", "links", "release")}
PINNED = re.compile(r"^[\w.-]+/[\w.-]+@[0-9a-f]{40}$")  # a commit SHA; the tag is in a comment
COMMAND = re.compile(r"^(?:\.venv/bin/)?(whatworks|datasette|make)(?=\s|$)(.*)")


def load(name: str) -> dict:
    return yaml.safe_load(WORKFLOWS[name].read_text(encoding="utf-8"))


def triggers(workflow: dict) -> dict:
    return workflow.get("on", workflow.get(True))  # PyYAML reads a bare `on:` key as True


def steps(workflow: dict) -> list[dict]:
    return [step for job in workflow["jobs"].values() for step in job["steps"]]


def scripts(workflow: dict) -> list[str]:
    return [step["run"] for step in steps(workflow) if "run" in step]


def split_script(script: str) -> tuple[list[str], list[str]]:
    """(shell command lines with continuations joined, inline Python heredoc bodies)."""
    lines, heredocs = [], []
    raw = script.replace("\\\n", " ").split("\n")
    i = 0
    while i < len(raw):
        line = raw[i]
        match = re.search(r"<<'(\w+)'", line)
        if match:
            end = raw.index(match.group(1), i + 1)
            heredocs.append("\n".join(raw[i + 1:end]))
            lines.append(line[: match.start()])
            i = end + 1
            continue
        lines.append(line)
        i += 1
    return lines, heredocs


def command_lines(script: str) -> list[tuple[str, list[str]]]:
    """(program, argv) for each whatworks/datasette/make call; shell variables become 'X'."""
    found = []
    for line in split_script(script)[0]:
        line = re.sub(r"\$\([^)]*\)|\$\{?[A-Za-z_]+\}?", "X", line)
        for segment in re.split(r"&&|\|\||;|\|", line):
            match = COMMAND.match(segment.strip())
            if match:
                argv = re.split(r"\s\d?>>?\s?", match.group(2))[0]
                found.append((match.group(1), shlex.split(argv, comments=True)))
    return found


def parse(command: click.Command, name: str, args: list[str]) -> click.Context:
    """Parse args exactly as the command would (unknown options and commands raise)."""
    ctx = command.make_context(name, list(args))
    if isinstance(command, click.Group):
        sub_name, sub, rest = command.resolve_command(ctx, [*ctx._protected_args, *ctx.args])
        return parse(sub, sub_name, rest)
    return ctx


def make_targets() -> set[str]:
    text = (REPO / "Makefile").read_text(encoding="utf-8")
    return set(re.findall(r"^([a-z][\w-]*):", text, re.M))


@pytest.fixture
def build_dir(tmp_path, monkeypatch):
    """Stand-ins for the build outputs the commands name, so path options can be checked."""
    build = tmp_path / "_build"
    (build / "search").mkdir(parents=True)
    for name in ("evidence.db", "metadata.json", "ci-metadata.json", "publish-metadata.json"):
        (build / name).write_text("{}")
    monkeypatch.chdir(tmp_path)
    return build


def test_workflows_parse_and_trigger_as_intended():
    validate, publish, links = load("validate"), load("publish"), load("links")
    assert set(triggers(validate)) == {"pull_request", "push", "workflow_dispatch"}
    assert triggers(publish) == {"push": {"branches": ["main"]}, "workflow_dispatch": None}
    assert set(triggers(links)) == {"schedule", "workflow_dispatch"}
    assert links["jobs"]["links"]["continue-on-error"] is True  # never blocks
    for workflow in (validate, publish, links):
        assert workflow["permissions"] == {"contents": "read"}
    assert publish["jobs"]["pages"]["permissions"] == {"pages": "write", "id-token": "write"}


@pytest.mark.parametrize("name", sorted(WORKFLOWS))
def test_actions_are_pinned_by_commit_sha_with_their_tag_beside(name):
    uses = [step["uses"] for step in steps(load(name)) if "uses" in step]
    assert uses and [u for u in uses if not PINNED.match(u)] == []
    text = WORKFLOWS[name].read_text(encoding="utf-8")
    assert [u for u in uses if not re.search(re.escape(u) + r"  # v\d+\.\d+\.\d+\n", text)] == []


@pytest.mark.parametrize("name", sorted(WORKFLOWS))
def test_checkouts_do_not_keep_credentials(name):
    checkouts = [s for s in steps(load(name)) if s.get("uses", "").startswith("actions/checkout@")]
    assert checkouts and all(s.get("with", {}).get("persist-credentials") is False for s in checkouts)


def test_deployment_secrets_are_read_only_inside_an_environment():
    jobs = load("publish")["jobs"]
    using = {name for name, job in jobs.items() if "secrets." in yaml.safe_dump(job)}
    assert using == {"datasette"} and jobs["datasette"]["environment"]["name"] == "cloud-run"


def test_secrets_only_by_name_and_only_where_needed():
    for name in ("validate", "links"):
        assert "secrets." not in WORKFLOWS[name].read_text(encoding="utf-8")
    text = WORKFLOWS["publish"].read_text(encoding="utf-8")
    assert set(re.findall(r"\$\{\{\s*secrets\.(\w+)\s*\}\}", text)) == {"GCP_WORKLOAD_IDENTITY_PROVIDER", "GCP_SERVICE_ACCOUNT", "GCP_PROJECT"}
    for name in WORKFLOWS:  # no ${{ }} expansions inside shell scripts (script injection)
        assert [s for s in scripts(load(name)) if "${{" in s] == []


def test_validate_runs_lint_tests_build_datasette_and_diff_in_order():
    validate = {"jobs": {"validate": load("validate")["jobs"]["validate"]}}
    calls = [(program, args[:2]) for script in scripts(validate) for program, args in command_lines(script)]
    assert calls == [
        ("make", ["install"]),
        ("whatworks", ["lint", "--format"]),
        ("make", ["test"]),
        ("make", ["build"]),
        ("datasette", ["serve", "-i"]),
        ("whatworks", ["diff", "X"]),
    ]
    diff_step = steps(validate)[-1]
    assert diff_step["run"].endswith('>> "$GITHUB_STEP_SUMMARY"') and "pull_request" in diff_step["if"]


def test_validate_runs_pa11y_on_debian_with_node_and_chromium():
    job = load("validate")["jobs"]["a11y"]
    runs = [s["run"] for s in job["steps"] if "run" in s]
    assert job["container"].startswith("python:3.11-trixie")  # Debian 13: Node 20, which pa11y needs
    assert "apt-get install -y -qq nodejs npm chromium" in runs[1] and runs[-1] == "make pa11y"
    recipe = (REPO / "Makefile").read_text(encoding="utf-8").split("\npa11y:", 1)[1].split("\n\n", 1)[0]
    assert "PUPPETEER_SKIP_DOWNLOAD=1 npm ci" in recipe and "tests/a11y/pa11y.py _build/site" in recipe.replace("$(A11Y)", "tests/a11y")


@pytest.mark.parametrize("name", sorted(WORKFLOWS))
def test_every_command_exists_with_its_options(name, build_dir):
    targets = make_targets()
    assert {"install", "test", "serve", "build", "lint", "bench", "load", "clean"} <= targets
    checked = 0
    for script in scripts(load(name)):
        for program, args in command_lines(script):
            if program == "make":
                assert args and set(args) <= targets, f"{name}: make {args}: no such target"
            elif program == "whatworks":
                parse(whatworks_cli, "whatworks", args)
            else:
                parse(datasette_cli, "datasette", args)
            checked += 1
    assert checked >= {"validate": 6, "publish": 3, "links": 1, "release": 2}[name]


@pytest.mark.parametrize("name", sorted(WORKFLOWS))
def test_inline_python_compiles_and_imports_exist(name):
    bodies = [body for script in scripts(load(name)) for body in split_script(script)[1]]
    assert bodies, "expected inline Python in each workflow"
    for body in bodies:
        tree = ast.parse(body)
        for node in ast.walk(tree):
            if isinstance(node, ast.ImportFrom):
                module = importlib.import_module(node.module)
                assert all(hasattr(module, alias.name) for alias in node.names), ast.unparse(node)
            elif isinstance(node, ast.Import):
                for alias in node.names:
                    importlib.import_module(alias.name)


def test_publish_sends_the_database_with_metadata_and_search_plugin(build_dir):
    datasette = [args for script in scripts(load("publish")) for program, args in command_lines(script) if program == "datasette"]
    assert datasette[0] == ["plugins"]  # the slim environment loads the plugin, checked before publishing
    publish = [args for args in datasette if args[:1] == ["publish"]]
    assert len(publish) == 1
    ctx = parse(datasette_cli, "datasette", publish[0])
    assert ctx.info_name == "cloudrun"
    assert ctx.params["files"] == ("_build/evidence.db",)
    assert ctx.params["metadata"].name == "_build/publish-metadata.json"
    assert ctx.params["static"] == (("search-index", str(build_dir / "search")),)
    # the search plugin alone, from this repository at this commit (not the whole build)
    assert ctx.params["install"] == ("https://github.com/X/archive/X.tar.gz#subdirectory=plugins/datasette-whatworks-search",)
    assert (ctx.params["min_instances"], ctx.params["max_instances"]) == (0, 10)  # scales out, and to zero
    script = next(s for s in scripts(load("publish")) if "index_dir" in s)
    assert '"index_dir": "search-index"' in script
    job = load("publish")["jobs"]["datasette"]
    installs = [s["run"] for s in job["steps"] if "pip install" in s.get("run", "")]
    assert installs == ["python -m venv .venv\n.venv/bin/python -m pip install --quiet ./plugins/datasette-whatworks-search\n"]
    assert not [s for s in job["steps"] if "make install" in s.get("run", "")]


def test_the_search_plugin_needs_only_datasette_and_whoosh():
    plugin = tomllib.loads((REPO / "plugins" / "datasette-whatworks-search" / "pyproject.toml").read_text(encoding="utf-8"))
    assert [re.match(r"[\w-]+", d).group(0) for d in plugin["project"]["dependencies"]] == ["datasette", "whoosh3"]
    assert plugin["project"]["entry-points"]["datasette"] == {"whatworks_search": "datasette_whatworks_search.plugin"}
    package = REPO / "plugins" / "datasette-whatworks-search" / "datasette_whatworks_search"
    for path in package.glob("*.py"):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        imported = {(n.module or "").split(".")[0] for n in ast.walk(tree) if isinstance(n, ast.ImportFrom) and not n.level}
        imported |= {a.name.split(".")[0] for n in ast.walk(tree) if isinstance(n, ast.Import) for a in n.names}
        assert imported - set(sys.stdlib_module_names) <= {"datasette", "whoosh"}, path.name


def test_pre_commit_hooks_lint_changed_evidence():
    config = yaml.safe_load((REPO / ".pre-commit-config.yaml").read_text(encoding="utf-8"))
    hooks = {hook["id"]: hook for repo in config["repos"] for hook in repo["hooks"]}
    assert set(hooks) == {"whatworks-lint", "whatworks-lint-all"}
    for hook in hooks.values():
        program, args = command_lines(hook["entry"])[0]
        assert (program, args) == ("whatworks", ["lint"])
        parse(whatworks_cli, "whatworks", [*args, "evidence/approaches"] if hook["pass_filenames"] else args)
    entry = re.compile(hooks["whatworks-lint"]["files"])
    assert entry.match("evidence/programmes/divert.yml") and not entry.match("evidence/_template/programme.yml")
    assert re.match(hooks["whatworks-lint-all"]["files"], "evidence/vocabularies/settings.yml")
    assert hooks["whatworks-lint"]["pass_filenames"] is True and hooks["whatworks-lint-all"]["pass_filenames"] is False


def test_contributing_commands_exist(build_dir):
    """Every make target and whatworks command CONTRIBUTING.md tells a newcomer to run: the
    shell blocks are parsed in full, commands named in the prose must exist."""
    text = (REPO / "CONTRIBUTING.md").read_text(encoding="utf-8")
    calls = command_lines("\n".join(re.findall(r"```sh\n(.*?)```", text, re.S)))
    assert calls == [
        ("make", ["install"]),
        ("whatworks", ["new", "programme", "Youth Club Plus"]),
        ("whatworks", ["lint", "evidence/programmes/youth-club-plus.yml"]),
        ("make", ["serve"]),
    ]
    (build_dir.parent / "evidence" / "programmes").mkdir(parents=True)
    (build_dir.parent / "evidence" / "programmes" / "youth-club-plus.yml").write_text("")  # what `new` wrote
    for program, args in calls:
        if program == "make":
            assert set(args) <= make_targets(), args
        else:
            parse(whatworks_cli, "whatworks", args)
    named = set(re.findall(r"`(?:\.venv/bin/)?((?:whatworks|make) [a-z-]+)", text))
    assert named == {"make serve", "make schema", "whatworks new", "whatworks lint", "whatworks diff"}
    commands = set(whatworks_cli.list_commands(click.Context(whatworks_cli)))
    for name in named:
        program, sub = name.split()
        assert sub in (make_targets() if program == "make" else commands), name


def test_contributing_example_programme_lints_clean(tmp_path):
    """The filled-in programme shown in CONTRIBUTING.md is valid against the real evidence."""
    example = (REPO / "CONTRIBUTING.md").read_text(encoding="utf-8").split("```yaml\n", 1)[1].split("```", 1)[0]
    evidence = tmp_path / "evidence"
    shutil.copytree(REPO / "evidence", evidence)
    target = evidence / "programmes" / "youth-club-plus.yml"
    assert not target.exists()
    target.write_text(example, encoding="utf-8")
    result = load_corpus(evidence, only=[target])
    assert (result.files_checked, render(result.problems, "text")) == (1, "")


def test_issue_form_and_pull_request_template():
    form = yaml.safe_load((REPO / ".github" / "ISSUE_TEMPLATE" / "suggest-evidence.yml").read_text(encoding="utf-8"))
    assert form["name"] == "Suggest evidence" and form["description"]
    fields = [item for item in form["body"] if item["type"] != "markdown"]
    assert [f["id"] for f in fields] == ["kind", "name", "links", "why", "existing", "licence"]
    assert [f["id"] for f in fields if f.get("validations", {}).get("required")] == ["kind", "name", "links"]
    template = (REPO / ".github" / "pull_request_template.md").read_text(encoding="utf-8")
    assert template.count("- [ ] ") == 5 and "CONTRIBUTING.md" in template and "REVIEWING.md" in template
    citation = yaml.safe_load((REPO / "CITATION.cff").read_text(encoding="utf-8"))
    assert (citation["cff-version"], citation["license"]) == ("1.2.0", ["CC-BY-4.0", "MIT"])
    assert (REPO / "LICENSE").read_text(encoding="utf-8").startswith("MIT License\n")
    assert "https://creativecommons.org/licenses/by/4.0/legalcode" in (REPO / "LICENSE-DATA").read_text(encoding="utf-8")


def test_validate_runs_the_third_party_checks_on_every_pull_request():
    """check-jsonschema on every evidence folder with its schema (editor_schema.schema_for), the
    schemas against the metaschema, frictionless, the feed and sitemap check, zizmor."""
    from build_tools.evidence.editor_schema import FOLDER_SCHEMAS, schema_for

    lines = [line.strip() for script in scripts(load("validate")) for line in split_script(script)[0]]
    checked = {}
    for line in lines:
        if line.startswith(".venv/bin/check-jsonschema --schemafile "):
            _, _, schema, files = line.split(" ", 3)
            checked[files] = schema
    expected = {f"evidence/{folder}/*.yml": f"schema/{schema_for(folder + '/x.yml')}" for folder in FOLDER_SCHEMAS}
    expected["$(ls evidence/vocabularies/*.yml | grep -v /synonyms.yml)"] = expected.pop("evidence/vocabularies/*.yml")
    assert checked == {**expected, "evidence/excluded.yml": "schema/excluded.schema.json",
                       "evidence/vocabularies/synonyms.yml": f"schema/{schema_for('vocabularies/synonyms.yml')}"}
    for command in (".venv/bin/check-jsonschema --check-metaschema schema/*.schema.json",
                    ".venv/bin/frictionless validate _build/exports/datapackage.json",
                    ".venv/bin/python tests/ecosystem_checks.py",
                    ".venv/bin/zizmor --offline --no-progress .github/workflows/"):
        assert command in lines, command
    assert (REPO / "tests" / "ecosystem_checks.py").is_file()
    assert "pull_request" in triggers(load("validate"))
