"""The plan tool (make plan / drift / deploy) on plan JSON as ``terraform show -json``
prints it; the same tool runs against moto in test_deploy.py."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from tooling import plan as tool


def change(address: str, *actions: str, replace_paths: list[list[str]] | None = None) -> dict[str, Any]:
    rtype, name = address.rsplit(".", 2)[-2:]
    body: dict[str, Any] = {"actions": list(actions)}
    if replace_paths:
        body["replace_paths"] = replace_paths
    return {"address": address, "mode": "managed", "type": rtype, "name": name, "change": body}


PLAN = {
    "resource_changes": [
        change("aws_db_instance.data_db", "delete", "create", replace_paths=[["engine"]]),
        change("aws_security_group.app_sg", "create", "delete"),
        change("aws_vpc_security_group_ingress_rule.app_alb", "create"),
        change("aws_autoscaling_group.app_asg", "update"),
        change("aws_s3_bucket.app_logs", "delete"),
        change("aws_iam_role.old", "delete"),
        change("aws_vpc.network_vpc", "no-op"),
        {"address": "data.aws_ami.al2023", "mode": "data", "change": {"actions": ["read"]}},
    ],
    "resource_drift": [change("aws_kms_key.key", "update")],
    "output_changes": {"alb_arn": {"actions": ["create"]}, "vpc_id": {"actions": ["no-op"]}},
    "applyable": True,
}


def test_summary_counts_each_action_once() -> None:
    p = tool.summarize("webapp-prod-us-east-1", PLAN)
    assert p.add == ["aws_vpc_security_group_ingress_rule.app_alb"]
    assert p.change == ["aws_autoscaling_group.app_asg"]
    assert p.destroy == ["aws_s3_bucket.app_logs", "aws_iam_role.old"]
    assert p.replace == ["aws_db_instance.data_db", "aws_security_group.app_sg"]
    assert p.outputs == ["alb_arn"] and p.applyable and p.changes
    assert p.at_risk() == ["aws_s3_bucket.app_logs", "aws_db_instance.data_db"]


def test_a_plan_that_only_adds_an_output_is_applied() -> None:
    """A new cross-stack output must reach the state before a downstream stack reads it."""
    p = tool.summarize("s", {"output_changes": {"new": {"actions": ["create"]}}, "applyable": True})
    assert p.changes and p.outputs == ["new"] and not p.at_risk()
    assert not tool.summarize("s", {"resource_changes": [change("aws_vpc.v", "no-op")]}).changes


def test_deposed_forgotten_and_tainted_objects() -> None:
    tainted = change("aws_db_instance.data_db", "create", "delete")
    tainted["action_reason"] = "replace_because_tainted"
    deposed = change("aws_db_instance.data_db", "delete")
    deposed["deposed"] = "a1b2c3"
    forgotten = change("aws_kms_key.key", "forget")
    p = tool.summarize("s", {"resource_changes": [tainted, deposed, forgotten]})
    assert p.replace == ["aws_db_instance.data_db"] and p.destroy == ["aws_db_instance.data_db (deposed a1b2c3)"]
    assert p.replace_reasons["aws_db_instance.data_db"] == ["replace_because_tainted"]
    assert p.forget == ["aws_kms_key.key"] and "aws_kms_key.key" not in p.at_risk()
    assert "(forced by replace_because_tainted)" in tool.guard([p])[1]


def test_guard_names_each_stateful_resource_and_what_forces_it() -> None:
    p = tool.summarize("webapp-prod-us-east-1", PLAN)
    problems = tool.guard([p])
    assert problems == [
        "plan guard: webapp-prod-us-east-1: the plan would destroy aws_s3_bucket.app_logs, a stateful resource; "
        "change the config back, or allow it with ALLOW_STATEFUL=aws_s3_bucket.app_logs after taking a backup",
        "plan guard: webapp-prod-us-east-1: the plan would replace aws_db_instance.data_db (forced by engine), a "
        "stateful resource; change the config back, or allow it with ALLOW_STATEFUL=aws_db_instance.data_db after "
        "taking a backup",
    ]


def test_guard_override_names_addresses_not_a_blanket_flag() -> None:
    p = tool.summarize("webapp-prod-us-east-1", PLAN)
    assert len(tool.guard([p], ["aws_db_instance.data_db"])) == 1
    assert tool.guard([p], ["aws_db_instance.data_db", "webapp-prod-us-east-1:aws_s3_bucket.app_logs"]) == []
    assert len(tool.guard([p], ["other-stack:aws_s3_bucket.app_logs", "aws_db_instance.data_db"])) == 1


@pytest.mark.parametrize("rtype", sorted(tool.STATEFUL_TYPES))
def test_every_stateful_type_is_guarded(rtype: str) -> None:
    p = tool.summarize("s", {"resource_changes": [change(f"module.m.{rtype}.this[0]", "delete", "create")]})
    assert p.at_risk() == [f"module.m.{rtype}.this[0]"]


def test_table_and_drift_report() -> None:
    plans = [
        tool.summarize("webapp-prod-us-east-1", PLAN),
        tool.StackPlan("webapp-prod-us-west-2"),
        tool.StackPlan("webapp-prod-global", waits_on=["webapp-prod-us-east-1"]),
    ]
    assert tool.table(plans).splitlines()[2:] == [
        "| webapp-prod-us-east-1 | 1 | 1 | 2 | 2 | 1 | `aws_s3_bucket.app_logs`, `aws_db_instance.data_db` |",
        "| webapp-prod-us-west-2 | 0 | 0 | 0 | 0 | 0 | - |",
        "| webapp-prod-global | | | | | | planned once webapp-prod-us-east-1 is applied |",
    ]
    report = tool.drift_report(plans)
    assert report[0] == "webapp-prod-us-east-1: 6 resource(s) drifted"
    assert "  aws_autoscaling_group.app_asg" in report and "  output.alb_arn" in report
    assert "  aws_kms_key.key" not in report, "resource_drift alone (attributes no plan uses) is not drift"
    assert not any("west-2" in line for line in report)


def test_stack_order_follows_the_manifest(tmp_path: Path) -> None:
    manifest = {
        "stacks": {
            "g": {"dependencies": ["e", "w"]},
            "w": {"dependencies": ["e"]},
            "e": {},
        }
    }
    (tmp_path / "manifest.json").write_text(json.dumps(manifest))
    assert tool.stack_order(tmp_path) == ["e", "w", "g"]
    manifest["stacks"]["e"] = {"dependencies": ["g"]}
    (tmp_path / "manifest.json").write_text(json.dumps(manifest))
    with pytest.raises(RuntimeError, match="cycle"):
        tool.stack_order(tmp_path)


def test_without_a_synth_it_says_what_to_run(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert tool.main(["--outdir", str(tmp_path)]) == tool.EXIT_ERROR
    assert "run make synth first" in capsys.readouterr().err


def test_saved_plans_go_to_an_absolute_path(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Terraform runs inside each stack's folder: a relative --outdir (the Makefile's
    cdktf.out) must not be handed to it as is."""
    (tmp_path / "cdktf.out" / "stacks" / "s").mkdir(parents=True)
    (tmp_path / "cdktf.out" / "manifest.json").write_text(json.dumps({"stacks": {"s": {}}}))
    seen: list[tuple[str, ...]] = []

    def fake_run(self: tool.Runner, stack: str, *args: str, ok: tuple[int, ...] = (0,)) -> Any:
        seen.append(args)
        if args[0] == "show":
            return type("P", (), {"stdout": "{}"})()
        return None

    monkeypatch.chdir(tmp_path)
    monkeypatch.setattr(tool.Runner, "__call__", fake_run)
    assert tool.main(["--outdir", "cdktf.out"]) == tool.EXIT_OK
    (plan,) = [a for a in seen if a[0] == "plan"]
    out = next(a for a in plan if a.startswith("-out="))
    assert out == f"-out={tmp_path / 'cdktf.out' / 'plans' / 's.tfplan'}"
    assert "-lock-timeout=10m" in plan
    seen.clear()
    assert tool.main(["--outdir", "cdktf.out", "--drift"]) == tool.EXIT_OK
    assert "-lock=false" in next(a for a in seen if a[0] == "plan"), "drift takes no lock (read-only role)"


def test_job_summary_is_appended_when_github_asks(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    summary = tmp_path / "summary.md"
    monkeypatch.setenv("GITHUB_STEP_SUMMARY", str(summary))
    tool.report_summary("| a |")
    tool.report_summary("| b |")
    assert summary.read_text() == "| a |\n| b |\n"
