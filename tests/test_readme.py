"""The README's commands are the ones the tests and .ci/run run: every command it shows
is listed here with the test that runs it, a command that is not fails, and the cheap
ones run right here."""

from __future__ import annotations

import ast
import os
import re
import shutil
import subprocess
import tempfile
from pathlib import Path

import pytest

from tests import readme
from tests.conftest import ROOT, Synth

# README command -> the test that runs it (literally, or as noted).
RUNS: dict[str, str] = {
    "make install": "every make target below depends on it",
    "make synth": "test_readme.py::test_make_synth",
    "npx cdktf synth": "test_readme.py::test_make_synth (make synth runs it)",
    "make test": ".ci/run (with PYTEST_ARGS=-ra --durations=10)",
    "make help": "test_readme.py::test_make_help_lists_every_target",
    "make lint": ".ci/run (make test runs it first)",
    "make graphviz": ".ci/run (make install runs it)",
    "make diagram": "test_readme.py::test_make_diagram",
    "make cost": "test_readme.py::test_make_cost_prints_the_readme_table",
    "make bench": "test_readme.py::test_make_targets_expand (dry run; the bench itself takes minutes)",
    "make hooks": "test_readme.py::test_pre_commit_hooks_pass (runs the hooks; make hooks only installs them)",
    "STACK_CONFIG=config/dev.toml make synth": "test_readme.py::test_make_targets_expand (dry run); test_stacks.py synthesizes dev",
    'make test PYTEST_ARGS="tests/test_network.py -k nat"': "test_readme.py::test_one_test_command",
    "make test PYTEST_ARGS='-m \"not deploy\"'": "test_readme.py::test_make_targets_expand (dry run)",
    "make test PYTEST_ARGS=--snapshot-update": "test_readme.py::test_make_targets_expand (dry run)",
    "make test PYTEST_ARGS='-m deploy'": "test_readme.py::test_make_targets_expand (dry run); test_deploy.py runs them",
    "make deploy-local": "test_deploy.py (the same harness, tooling/local_aws.py); test_make_targets_expand",
    "make deploy-local DEPLOY_ARGS=--keep": "test_readme.py::test_make_targets_expand (dry run)",
    "npx cdktf deploy '*'": "test_deploy.py::deployment",
    "make deploy": "test_readme.py::test_make_deploy_stops_at_the_preflight (make deploy = make preflight + npx cdktf deploy)",
    "make preflight": "test_readme.py::test_make_deploy_stops_at_the_preflight",
    "TF_VAR_domain=shop.acme.com TF_VAR_hosted_zone_id=Z0123456789ABCDEFGHIJ make deploy": (
        "test_readme.py::test_make_deploy_stops_at_the_preflight"
    ),
    "make plan": "test_deploy.py::test_guard_stops_a_database_replacement (its tool); test_make_targets_expand",
    "make plan LOCK=false": "test_readme.py::test_make_targets_expand (dry run); test_plan.py (the no-lock plan)",
    "make drift": "test_deploy.py::test_out_of_band_changes_are_drift_and_deploy_repairs_them (its tool)",
    "make deploy ALLOW_STATEFUL=aws_db_instance.data_db": "test_readme.py::test_make_targets_expand (dry run)",
    "make checkov": "test_policy.py (what make checkov runs); test_make_targets_expand",
    "make refresh-tables": "test_readme.py::test_make_targets_expand (dry run); test_refresh_tables.py runs the tool on moto",
    "npx cdktf output '*'": "test_deploy.py::test_outputs_the_readme_lists",
    "make failover": "test_failover.py::test_readme_shows_the_dry_run_of_make_failover_for_the_default_config",
    "make failback": "test_failover.py::test_failback_rebuilds_renames_never_deletes_and_checks_every_stack (dry run)",
    "make failover EXECUTE=1": "test_drill.py::test_2_failover_with_us_east_1_cut (the tool); test_make_targets_expand",
    "make failback EXECUTE=1": "test_drill.py::test_3_failback_with_us_east_1_restored (the tool); test_make_targets_expand",
    "make test PYTEST_ARGS='-m drill'": "test_readme.py::test_make_targets_expand (dry run); test_drill.py runs them",
    "aws s3api create-bucket": "test_deploy.py::test_readme_backend_bootstrap",
    "aws s3api put-bucket-versioning": "test_deploy.py::test_readme_backend_bootstrap",
    "aws s3api put-public-access-block": "test_deploy.py::test_readme_backend_bootstrap",
}


def registered(cmd: str) -> str | None:
    """The registry key a README command falls under (exact, or a registered aws/terraform prefix)."""
    if cmd in RUNS:
        return cmd
    for key in RUNS:
        if cmd.split(maxsplit=1)[0] in ("aws", "terraform") and cmd.startswith(key + " "):
            return key
    return None


def test_every_readme_command_is_run_by_a_test() -> None:
    missing = [c for c in readme.commands() if registered(c) is None]
    assert not missing, f"README commands no test runs (run them in a test and list them in RUNS): {missing}"


def test_registry_has_no_stale_entries_and_names_real_tests() -> None:
    used = {registered(c) for c in readme.commands()}
    assert set(RUNS) <= used, f"RUNS lists commands the README no longer shows: {set(RUNS) - used}"
    for where in RUNS.values():
        m = re.match(r"(test_\w+\.py)::(\w+)", where)
        if m:
            tree = ast.parse((ROOT / "tests" / m.group(1)).read_text())
            names = {n.name for n in ast.walk(tree) if isinstance(n, ast.FunctionDef)}
            assert m.group(2) in names, f"{where}: no such test"


def clean_env() -> dict[str, str]:
    """This environment without an enclosing make's variables (``make test`` runs these
    tests: a nested make would inherit its command-line overrides and print
    "Entering directory")."""
    return {k: v for k, v in os.environ.items() if not k.startswith("MAKE") and k not in ("MFLAGS", "MAKELEVEL")}


def shell(cmd: str, timeout: int = 900, **env: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        ["bash", "-c", cmd],
        cwd=ROOT,
        env={**clean_env(), **env},
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )


def test_make_help_lists_every_target() -> None:
    proc = shell(readme.command("make help"))
    assert proc.returncode == 0, proc.stderr
    documented = re.findall(r"^([a-z-]+):.*## ", (ROOT / "Makefile").read_text(), re.M)
    listed = [line.split()[0] for line in proc.stdout.splitlines() if line.strip()]
    assert listed == documented and len(listed) >= 12
    for target in ("install", "synth", "diagram", "cost", "lint", "test", "hooks", "deploy-local", "bench"):
        assert target in listed


@pytest.mark.parametrize(
    ("cmd", "expect"),
    [
        ("STACK_CONFIG=config/dev.toml make synth", "npx cdktf synth"),
        ("make test PYTEST_ARGS='-m \"not deploy\"'", '-m pytest -n auto --dist loadfile -m "not deploy"'),
        ("make test PYTEST_ARGS=--snapshot-update", "-m pytest -n auto --dist loadfile --snapshot-update"),
        ("make test PYTEST_ARGS='-m deploy'", "-m pytest -n auto --dist loadfile -m deploy"),
        ("make test PYTEST_ARGS='-m drill'", "-m pytest -n auto --dist loadfile -m drill"),
        ("make failover EXECUTE=1", "-m tooling.failover failover --config config/default.toml --execute"),
        ("make failback EXECUTE=1", "-m tooling.failover failback --config config/default.toml --execute"),
        ("make deploy-local DEPLOY_ARGS=--keep", "scripts/deploy_local.py --keep"),
        ("make deploy-local", "scripts/deploy_local.py"),
        ("make bench", "scripts/bench.py"),
        ("make hooks", "pre-commit install"),
        ("make refresh-tables", "-m tooling.refresh_tables"),
        ("make plan", "-m tooling.plan\n"),
        ("make drift", "-m tooling.plan --drift"),
        ("make plan LOCK=false", "-m tooling.plan --no-lock"),
        (
            "make deploy ALLOW_STATEFUL=aws_db_instance.data_db",
            '-m tooling.plan --allow "aws_db_instance.data_db" --apply',
        ),
        ("make checkov", "-m pytest -n 0 -p no:cacheprovider tests/test_policy.py"),
    ],
)
def test_make_targets_expand(cmd: str, expect: str) -> None:
    """Commands too slow or too invasive to run here: `make -n` proves the target and its
    variables still exist and expand to what the README promises."""
    assert cmd in readme.commands()
    proc = shell(cmd.replace("make ", "make -n ", 1))
    assert proc.returncode == 0, proc.stderr
    assert expect in proc.stdout, proc.stdout[-2000:]


def test_make_synth() -> None:
    """The README's first command: npx cdktf synth of the default config into cdktf.out."""
    proc = shell(readme.command("make synth"), STACK_CONFIG="config/default.toml")
    assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-3000:]
    stacks = sorted(p.name for p in (ROOT / "cdktf.out" / "stacks").iterdir())
    assert stacks == ["webapp-prod-global", "webapp-prod-us-east-1", "webapp-prod-us-west-2"]


@pytest.mark.skipif(shutil.which("dot") is None, reason="Graphviz not installed (make install installs it)")
def test_make_diagram(tmp_path: Path) -> None:
    """`make diagram`, drawn into a temporary path (DIAGRAM_OUT) so the committed picture
    is left as it is; the graph itself is tested in test_diagram.py."""
    out = tmp_path / "architecture"
    proc = shell(f"{readme.command('make diagram')} DIAGRAM_OUT={out}", STACK_CONFIG="config/default.toml")
    assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-3000:]
    assert out.with_suffix(".png").stat().st_size > 100_000 and out.with_suffix(".svg").is_file()
    assert f"wrote {out}.png" in proc.stdout


def test_make_cost_prints_the_readme_table() -> None:
    proc = shell(readme.command("make cost"))
    assert proc.returncode == 0, proc.stderr[-3000:]
    assert readme.cost_table() in proc.stdout


def test_one_test_command() -> None:
    proc = shell(readme.command('make test PYTEST_ARGS="tests/test_network.py'))
    assert proc.returncode == 0, proc.stdout[-3000:]
    assert re.search(r"\d+ passed", proc.stdout) and "failed" not in proc.stdout


def test_pre_commit_hooks_pass(tmp_path: Path) -> None:
    """What `make hooks` installs: run every hook over the whole tree (no downloads: local hooks)."""
    if not (ROOT / ".git").exists():
        pytest.skip("not a git checkout")
    pre_commit = ROOT / ".venv" / "bin" / "pre-commit"
    proc = subprocess.run(
        [str(pre_commit), "run", "--all-files", "--show-diff-on-failure"],
        cwd=ROOT,
        env={**os.environ, "PRE_COMMIT_HOME": str(tmp_path / "cache")},
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
    assert proc.returncode == 0, proc.stdout[-3000:]
    assert proc.stdout.count("Passed") == 3


def test_outputs_table_lists_every_output(default_synth: Synth, dev_synth: Synth) -> None:
    """The README's Outputs table names exactly the outputs the stacks declare."""
    text = readme.README.read_text()
    section = text[text.index("## Outputs") :]
    section = section[: section.index("\n## ", 1)]
    listed: set[str] = set()
    for row in section.splitlines():
        cells = [c.strip() for c in row.split("|")]
        if len(cells) > 3 and cells[2].startswith("`"):
            listed |= set(re.findall(r"`([a-z_0-9]+)`", cells[2]))
    declared = {
        name
        # dev.toml: a zone the stack creates has name servers to delegate to.
        for doc in [*default_synth.values(), *dev_synth.values()]
        for name in doc.get("output", {})
        if not name.startswith("cross-stack-output-")
    }
    assert listed == declared, f"missing from README: {declared - listed}; not declared: {listed - declared}"


def test_make_deploy_stops_at_the_preflight() -> None:
    """A shipped config names no domain (it must be one the user owns): `make deploy`
    stops in the preflight, one line naming what to set, before cdktf runs at all."""
    for cmd in ("make deploy", "make preflight"):
        assert cmd in readme.commands()
        proc = shell(cmd, STACK_CONFIG="config/default.toml")
        assert proc.returncode != 0, proc.stdout[-2000:]
        assert "preflight: config/default.toml: edge.domain: not set; set edge.domain" in proc.stderr, proc.stderr
        assert "cdktf deploy" not in proc.stdout.replace(cmd, "")
    deploy = "TF_VAR_domain=shop.acme.com TF_VAR_hosted_zone_id=Z0123456789ABCDEFGHIJ make deploy"
    assert deploy in readme.commands()
    with tempfile.TemporaryDirectory() as tmp:
        config = Path(tmp) / "prod.toml"
        config.write_text(
            (ROOT / "config/default.toml").read_text()
            + '\n[account]\nid = "111122223333"\n\n[backend]\nbucket = "acme-terraform-state"\nregion = "us-east-1"\n'
            + '\n[alerts]\nemail = ["oncall@acme.com"]\n'
        )
        domain, zone = (v.split("=", 1)[1] for v in deploy.split()[:2])
        proc = shell("make preflight", STACK_CONFIG=str(config), TF_VAR_domain=domain, TF_VAR_hosted_zone_id=zone)
    assert proc.returncode == 0 and "ready to deploy" in proc.stdout, proc.stderr
