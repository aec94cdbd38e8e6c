"""What publish.yml deploys, run for real up to the cloud: its own steps write the metadata and
run `datasette publish cloudrun`, with a stand-in `gcloud` that keeps the folder it would upload;
the Dockerfile's own command then serves that folder, and the API is checked as the public sees
it (CORS on the JSON, the robots policy at the root)."""

from __future__ import annotations

import os
import re
import shlex
import subprocess
from pathlib import Path

import httpx
import pytest
import yaml

from conftest import REPO, TODAY, first_response, free_port, make_tree
from datasette_whatworks_search.robots import robots_txt

VENV_BIN = REPO / ".venv" / "bin"
FAKE_GCLOUD = """#!/bin/sh
# stands in for the Google Cloud CLI: answers what `datasette publish cloudrun` asks, and keeps
# the folder `gcloud builds submit` would upload
case "$*" in
  "config get-value project") echo test-project ;;
  "builds submit"*) cp -rL . "$UPLOADED" ;;
esac
"""


def publish_steps() -> tuple[dict, list[str]]:
    workflow = yaml.safe_load((REPO / ".github" / "workflows" / "publish.yml").read_text(encoding="utf-8"))
    runs = [step["run"] for step in workflow["jobs"]["datasette"]["steps"] if "run" in step]
    return workflow["env"], [r for r in runs if "publish-metadata.json" in r]


@pytest.fixture(scope="module")
def uploaded(tmp_path_factory) -> Path:
    """The folder publish.yml would send to Cloud Run, made by its own steps from a real build."""
    root = tmp_path_factory.mktemp("publish")
    evidence = make_tree(root)
    env = {**os.environ, "WHATWORKS_TODAY": TODAY.isoformat()}
    subprocess.run([str(VENV_BIN / "whatworks"), "build", "--only", "db", "--only", "search", "--evidence", str(evidence),
                    "--out", str(root / "_build")], cwd=root, env=env, check=True, capture_output=True)
    (root / ".venv").symlink_to(REPO / ".venv")
    (root / "bin").mkdir()
    (root / "bin" / "gcloud").write_text(FAKE_GCLOUD, encoding="utf-8")
    (root / "bin" / "gcloud").chmod(0o755)
    workflow_env, scripts = publish_steps()
    assert len(scripts) == 2  # writes publish-metadata.json, then publishes with it
    env |= workflow_env | {"PATH": f"{root / 'bin'}:{os.environ['PATH']}", "UPLOADED": str(root / "uploaded"),
                           "GITHUB_REPOSITORY": "london-vru/whatworks", "GITHUB_SHA": "0" * 40}
    for script in scripts:
        done = subprocess.run(["bash", "--noprofile", "--norc", "-eo", "pipefail", "-c", script], cwd=root, env=env,
                              capture_output=True, text=True)
        assert done.returncode == 0, done.stderr
    return root / "uploaded"


def docker_commands(folder: Path) -> tuple[str, str]:
    """(the `datasette inspect` build step, the container's command) from the Dockerfile."""
    dockerfile = (folder / "Dockerfile").read_text(encoding="utf-8")
    inspect = re.search(r"^RUN (datasette inspect .*)$", dockerfile, re.M).group(1)
    return inspect, re.search(r"^CMD (.*)$", dockerfile, re.M).group(1)


def test_the_published_command_passes_cors(uploaded):
    argv = shlex.split(docker_commands(uploaded)[1])
    assert argv[:2] == ["datasette", "serve"] and "--cors" in argv
    assert argv[argv.index("--static") + 1] == "search-index:search-index"


@pytest.mark.slow
def test_the_published_datasette_answers_as_the_public_sees_it(uploaded):
    inspect, command = docker_commands(uploaded)
    port = free_port()
    command = command.replace("--host 0.0.0.0", "--host 127.0.0.1").replace("$PORT", str(port))
    env = {**os.environ, "PATH": f"{VENV_BIN}:{os.environ['PATH']}"}
    subprocess.run(inspect, shell=True, cwd=uploaded, env=env, check=True, capture_output=True)
    server = subprocess.Popen(command, shell=True, cwd=uploaded, env=env, stdout=subprocess.DEVNULL,
                              stderr=subprocess.PIPE, start_new_session=True)
    base = f"http://127.0.0.1:{port}"
    try:
        robots = first_response(f"{base}/robots.txt", server, timeout=30)
        assert (robots.status_code, robots.text) == (200, robots_txt("/"))
        for path in ("/evidence/approaches.json?_size=1", "/evidence.json?sql=select+count(*)+from+approaches",
                     "/-/search.json?q=mentoring"):
            response = httpx.get(base + path, timeout=10)
            assert (response.status_code, response.headers.get("access-control-allow-origin")) == (200, "*"), path
        assert "sample-mentoring" in {r["id"] for r in httpx.get(f"{base}/-/search.json?q=mentoring").json()["results"]}
    finally:
        os.killpg(server.pid, 15)  # the shell and the datasette it started
        server.wait(timeout=10)
