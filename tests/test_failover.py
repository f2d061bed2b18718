"""make failover / make failback (tooling/failover.py) without an emulator: what the dry
run prints, which region each step talks to, the role swap, the edge check. The drill
(tests/test_drill.py) runs both with --execute on moto with a region cut."""

from __future__ import annotations

import re
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest

from constructs_lib import config as config_module
from tests.conftest import CONFIG_DIR, ROOT
from tooling.failover import edge_problems, global_api_problems, swap_roles_text

README = ROOT / "README.md"


def parse(text: str, source: str) -> config_module.Config:
    return config_module.parse(tomllib.loads(text), source)


def dry_run(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "tooling.failover", *args],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def readme_block(title: str) -> str:
    """The code block that follows ``title`` in the README (fenced with ```text)."""
    text = README.read_text()
    start = text.index(title)
    body = text[text.index("```text\n", start) + len("```text\n") :]
    return body[: body.index("```")]


def test_readme_shows_the_dry_run_of_make_failover_for_the_default_config() -> None:
    proc = dry_run("failover", "--config", "config/default.toml")
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout == readme_block("Dry run of `make failover` for config/default.toml"), (
        "README: paste the output of make -s failover again"
    )


@pytest.mark.parametrize("config", ["default.toml", "dev.toml", "mysql.toml", "local.toml"])
def test_failover_talks_to_the_surviving_region_only(config: str) -> None:
    """Every command of the failover says where it goes; none goes to the lost primary,
    nor to a global service (IAM, Route 53, CloudFront) or the global stack."""
    proc = dry_run("failover", "--config", f"config/{config}")
    assert proc.returncode == 0, proc.stderr
    parsed = parse((CONFIG_DIR / config).read_text(), config)
    lost, survivor = parsed.primary.name, parsed.secondaries[0].name
    commands = [line.strip()[2:] for line in proc.stdout.splitlines() if line.strip().startswith("$ [")]
    assert commands
    regions = {re.match(r"\[([^\]]+)\]", c).group(1) for c in commands}  # type: ignore[union-attr]
    assert regions <= {survivor, "local"}, regions
    assert not [c for c in commands if lost in c and "role" not in c]
    assert not [c for c in commands if re.search(r"\b(iam|route53|cloudfront)\b", c)]
    assert not [c for c in commands if "-global" in c]
    aws = [c for c in commands if " aws " in f" {c.split('] ', 1)[1]}"]
    assert aws and all(f"--region {survivor}" in c for c in aws)
    plan = next(c for c in commands if " terraform plan " in c)
    assert "-refresh=false" in plan, "the plan reads nothing (IAM's API is in us-east-1)"
    if parsed.emulator is not None:
        assert all(f"--endpoint-url {parsed.emulator.url(survivor)}" in c for c in aws)
    else:
        assert not [c for c in commands if "--endpoint-url" in c]


def test_failback_rebuilds_renames_never_deletes_and_checks_every_stack(tmp_path: Path) -> None:
    """After a failover (the config's roles swapped): both phases."""
    swapped = tmp_path / "default.toml"
    swapped.write_text(swap_roles_text((CONFIG_DIR / "default.toml").read_text(), "us-west-2"))
    proc = dry_run("failback", "--config", str(swapped), "--region", "us-east-1")
    assert proc.returncode == 0, proc.stderr
    out = proc.stdout
    assert "delete-db-instance" not in out and "destroy" not in out.replace("destroyed", "")
    assert out.count("--new-db-instance-identifier") == 2, "each diverged database is kept under a new name"
    commands = [line.strip() for line in out.splitlines() if line.strip().startswith("$ [")]
    assert len([c for c in commands if "-detailed-exitcode" in c]) == 3, "every stack re-planned at the end"
    assert "ReplicaLag" in out


def test_promotion_keeps_the_configs_backup_retention() -> None:
    proc = dry_run("failover", "--config", "config/default.toml")
    (promote,) = [line for line in proc.stdout.splitlines() if "promote-read-replica" in line]
    assert "--backup-retention-period 7" in promote


def test_switch_back_checks_which_database_holds_the_writes_before_retiring_any() -> None:
    proc = dry_run("failback", "--config", "config/default.toml")
    titles = [line for line in proc.stdout.splitlines() if re.match(r"^\d+\. ", line)]
    assert titles[0].startswith("1. Check that webapp-prod-us-east-1-db follows webapp-prod-us-west-2-db")
    assert "Key=failback,Value=us-west-2" in proc.stdout


def test_failback_after_the_roles_are_back_builds_only_the_switch_back() -> None:
    """A re-run after phase 2 swapped the roles back must never retire the new primary."""
    proc = dry_run("failback", "--config", "config/default.toml")
    assert proc.returncode == 0, proc.stderr
    assert "only phase 2 remains" in proc.stdout
    assert "webapp-prod-us-east-1-db --new-db-instance-identifier" not in proc.stdout
    assert "webapp-prod-us-west-2-db --new-db-instance-identifier" in proc.stdout


def test_bad_region_is_refused_before_anything_runs() -> None:
    proc = dry_run("failover", "--config", "config/default.toml", "--region", "eu-west-9")
    assert proc.returncode == 2
    assert "--region eu-west-9 is not a region of config/default.toml" in proc.stderr
    assert "Traceback" not in proc.stderr


def test_bad_config_is_refused_with_the_field() -> None:
    proc = dry_run("failover", "--config", "config/nope.toml")
    assert proc.returncode == 2 and "Traceback" not in proc.stderr and "nope.toml" in proc.stderr


@pytest.mark.parametrize("config", ["default.toml", "local.toml", "dev.toml", "mysql.toml"])
def test_role_swap_changes_only_the_two_roles_and_round_trips(config: str) -> None:
    text = (CONFIG_DIR / config).read_text()
    original = parse(text, config)
    survivor = original.secondaries[0].name
    swapped = swap_roles_text(text, survivor)
    changed = [(a, b) for a, b in zip(text.splitlines(), swapped.splitlines(), strict=True) if a != b]
    assert sorted(changed) == sorted(
        [('role = "primary"', 'role = "secondary"'), ('role = "secondary"', 'role = "primary"')]
    )
    after = parse(swapped, config)
    assert after.primary.name == survivor and after.home.name == original.home.name
    assert swap_roles_text(swapped, original.primary.name) == text


def test_role_swap_with_three_regions_leaves_the_third_alone() -> None:
    text = (CONFIG_DIR / "default.toml").read_text()
    head, sep, tail = text.partition("[network]")
    three = head + '[[regions]]\nname = "eu-west-1"\nrole = "secondary"\nvpc_cidr = "10.2.0.0/16"\n\n' + sep + tail
    swapped = parse(swap_roles_text(three, "eu-west-1"), "three")
    assert [(r.name, r.role.value) for r in swapped.regions] == [
        ("us-east-1", "secondary"),
        ("us-west-2", "secondary"),
        ("eu-west-1", "primary"),
    ]


def test_edge_check_allows_new_outputs_and_stops_changed_ones() -> None:
    plan = {
        "output_changes": {
            "cross-stack-output-aws_db_instancedata_dbarn": {"actions": ["create"]},
            "cross-stack-output-aws_lbapp_albdns_name": {"actions": ["no-op"]},
            "db_master_secret_arn": {"actions": ["update"]},
        }
    }
    assert edge_problems("s", plan) == []
    plan["output_changes"]["cross-stack-output-aws_lb_listenerapp_httparn"] = {"actions": ["update"]}
    (problem,) = edge_problems("s", plan)
    assert "aws_lb_listenerapp_httparn would update" in problem


def test_make_targets_run_the_tool() -> None:
    for target in ("failover", "failback"):
        proc = subprocess.run(
            ["make", "-n", target, "REGION=us-west-2", "EXECUTE=1"],
            cwd=ROOT,
            capture_output=True,
            text=True,
            check=True,
        )
        assert f"-m tooling.failover {target} --config config/default.toml --region us-west-2 --execute" in proc.stdout


@pytest.mark.parametrize(
    ("east", "west", "safe"),
    [
        ({"ReadReplicaSourceDBInstanceIdentifier": "arn:aws:rds:us-west-2:1:db:webapp-prod-us-west-2-db"}, {}, True),
        ({}, {"ReadReplicaSourceDBInstanceIdentifier": "arn:aws:rds:us-east-1:1:db:webapp-prod-us-east-1-db"}, True),
        ({"TagList": [{"Key": "failback", "Value": "us-west-2"}]}, {}, True),
        ({}, {}, False),
        ({"TagList": [{"Key": "failback", "Value": "eu-west-1"}]}, {}, False),
    ],
    ids=["not-started", "done", "re-run", "both-standalone", "other-tag"],
)
def test_switch_back_refuses_when_both_databases_are_standalone(
    monkeypatch: pytest.MonkeyPatch, east: dict[str, object], west: dict[str, object], safe: bool
) -> None:
    from tooling.failover import Runbook, StepFailed

    book = Runbook(CONFIG_DIR / "default.toml", config_module.load(CONFIG_DIR / "default.toml"), ROOT, False)
    found = {"us-east-1": east, "us-west-2": west}
    monkeypatch.setattr(Runbook, "describe", lambda self, region, ident: found[region])
    step = book.phase2_check("us-east-1", "us-west-2")
    assert step.action is not None
    if safe:
        step.action()
    else:
        with pytest.raises(StepFailed, match="may hold every write since the failover"):
            step.action()


def test_failover_plan_stops_on_a_change_to_a_global_control_plane() -> None:
    """A role, a record or a distribution changed since the last deploy (new code or
    config) would make the failover's apply call IAM, Route 53 or CloudFront in us-east-1
    and hang in retries while that region is lost: the guard stops before the apply."""
    plan = {
        "resource_changes": [
            {"address": "aws_db_instance.data_db", "type": "aws_db_instance", "change": {"actions": ["update"]}},
            {"address": "aws_iam_role.app_instance-role", "type": "aws_iam_role", "change": {"actions": ["no-op"]}},
            {"address": "aws_backup_plan.backup_plan", "type": "aws_backup_plan", "change": {"actions": ["create"]}},
        ]
    }
    assert global_api_problems("s", plan) == []
    plan["resource_changes"].append(
        {
            "address": "aws_iam_role_policy.app_instance-policy",
            "type": "aws_iam_role_policy",
            "change": {"actions": ["update"]},
        }
    )
    plan["resource_changes"].append(
        {"address": "aws_route53_record.x", "type": "aws_route53_record", "change": {"actions": ["delete", "create"]}}
    )
    problems = global_api_problems("s", plan)
    assert [p.split(" would")[0] for p in problems] == [
        "s: aws_iam_role_policy.app_instance-policy",
        "s: aws_route53_record.x",
    ]
    assert all("its API is in us-east-1" in p and "after failback" in p for p in problems)
