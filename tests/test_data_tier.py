"""DataTier and the data-safety properties of whole stacks."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from constructs_lib.config import Engine
from tests.conftest import ROOT, Synth, resources

EAST, WEST = "webapp-prod-us-east-1", "webapp-prod-us-west-2"
KEY = "${aws_kms_key.key_key.arn}"


def db(doc: dict[str, Any]) -> dict[str, Any]:
    return resources(doc, "aws_db_instance")["data_db"]


def test_primary_is_encrypted_with_its_region_key_and_manages_its_password(default_synth: Synth) -> None:
    d = db(default_synth[EAST])
    assert (d["engine"], d["engine_version"]) == ("postgres", "16")
    assert d["storage_encrypted"] is True and d["kms_key_id"] == KEY
    assert d["performance_insights_enabled"] is True and d["performance_insights_kms_key_id"] == KEY
    assert d["manage_master_user_password"] is True and d["master_user_secret_kms_key_id"] == KEY
    assert d["multi_az"] is True and d["deletion_protection"] is True
    assert d["skip_final_snapshot"] is False and d["final_snapshot_identifier"]
    assert d["backup_retention_period"] == 7 and d["copy_tags_to_snapshot"] is True
    assert d["iam_database_authentication_enabled"] is True and d["publicly_accessible"] is False
    assert (d["storage_type"], d["allocated_storage"], d["max_allocated_storage"]) == ("gp3", 100, 500)
    assert d["enabled_cloudwatch_logs_exports"] == ["postgresql", "upgrade"]
    assert d["monitoring_interval"] == 60


def test_replica_in_the_secondary_references_the_primary_arn(default_synth: Synth) -> None:
    d = db(default_synth[WEST])
    source = d["replicate_source_db"]
    assert source.startswith(f"${{data.terraform_remote_state.cross-stack-reference-input-{EAST}.outputs.")
    output = source.split(".outputs.")[1].rstrip("}")
    assert default_synth[EAST]["output"][output]["value"] == "${aws_db_instance.data_db.arn}"
    assert d["kms_key_id"] == KEY and d["performance_insights_kms_key_id"] == KEY, "the secondary's own key"
    assert default_synth[WEST]["provider"]["aws"][0]["region"] == "us-west-2"
    for absent in ("engine", "username", "manage_master_user_password", "db_name", "allocated_storage"):
        assert absent not in d, f"a replica inherits {absent}"
    assert d["db_subnet_group_name"] == "${aws_db_subnet_group.data_subnet-group.name}"


@pytest.mark.parametrize("stack", [EAST, WEST])
def test_db_admits_only_the_app_security_group(default_synth: Synth, stack: str) -> None:
    doc = default_synth[stack]
    db_sg = "${aws_security_group.data_sg.id}"
    rules = [
        r for r in resources(doc, "aws_vpc_security_group_ingress_rule").values() if r["security_group_id"] == db_sg
    ]
    assert [(r["from_port"], r["referenced_security_group_id"]) for r in rules] == [
        (5432, "${aws_security_group.app_app-sg.id}")
    ]
    assert db(doc)["vpc_security_group_ids"] == [db_sg]
    egress = resources(doc, "aws_vpc_security_group_egress_rule")["data_app-out-db"]
    assert egress["referenced_security_group_id"] == db_sg


def walk(node: Any, path: str = "") -> Iterator[tuple[str, Any]]:
    if isinstance(node, dict):
        for k, v in node.items():
            yield f"{path}.{k}", v
            yield from walk(v, f"{path}.{k}")
    elif isinstance(node, list):
        for i, v in enumerate(node):
            yield from walk(v, f"{path}[{i}]")


def test_no_password_anywhere_in_any_stack(default_synth: Synth) -> None:
    for name, doc in default_synth.items():
        for path, _ in walk(doc):
            leaf = path.rsplit(".", 1)[-1]
            assert leaf not in ("password", "master_password", "master_password_wo"), f"{name}{path}"
        for output in doc.get("output", {}).values():
            assert "secret_string" not in output["value"] or output.get("sensitive") is True


@pytest.mark.parametrize("engine", ["postgres", "mysql"])
def test_tls_is_forced_for_each_engine(engine: str) -> None:
    from constructs_lib.data import engine_parameters, parameter_family

    params = engine_parameters(Engine(engine))
    if engine == "postgres":
        assert params["rds.force_ssl"] == "1"
        assert parameter_family(Engine.POSTGRES, "16.4") == "postgres16"
    else:
        assert params["require_secure_transport"] == "ON"
        assert parameter_family(Engine.MYSQL, "8.0.39") == "mysql8.0"


def test_parameter_group_in_both_regions(default_synth: Synth) -> None:
    for stack in (EAST, WEST):
        pg = resources(default_synth[stack], "aws_db_parameter_group")["data_parameters"]
        assert pg["family"] == "postgres16"
        assert {"name": "rds.force_ssl", "value": "1", "apply_method": "immediate"} in pg["parameter"]
        assert db(default_synth[stack])["parameter_group_name"] == "${aws_db_parameter_group.data_parameters.name}"


STATEFUL = [
    ("aws_db_instance", "data_db"),
    ("aws_kms_key", "key_key"),
    ("aws_backup_vault", "data_vault"),
    ("aws_s3_bucket", "app_app-bucket_bucket"),
]


@pytest.mark.parametrize("stack", [EAST, WEST])
def test_stateful_resources_cannot_be_destroyed_by_accident(default_synth: Synth, stack: str) -> None:
    for rtype, name in STATEFUL:
        assert resources(default_synth[stack], rtype)[name]["lifecycle"] == {"prevent_destroy": True}, (rtype, name)
    assert resources(default_synth[stack], "aws_kms_key")["key_key"]["deletion_window_in_days"] == 30


def test_disposable_environment_has_no_prevent_destroy(synthesize: Any) -> None:
    _, docs = synthesize(ROOT / "config/dev.toml")
    for name, doc in docs.items():
        for path, _value in walk(doc):
            assert not path.endswith(".prevent_destroy"), f"{name}{path}"
        if not name.endswith("-global"):
            assert db(doc)["skip_final_snapshot"] is True and db(doc)["multi_az"] is False


def test_backup_plan_copies_to_the_secondary_vault(default_synth: Synth) -> None:
    east = default_synth[EAST]
    (plan,) = resources(east, "aws_backup_plan").values()
    (rule,) = plan["rule"]
    assert rule["lifecycle"]["delete_after"] == 35
    (copy,) = rule["copy_action"]
    assert copy["destination_vault_arn"].endswith(
        ":backup:us-west-2:${data.aws_caller_identity.key_identity.account_id}:backup-vault:webapp-prod-us-west-2-vault"
    )
    assert resources(default_synth[WEST], "aws_backup_vault")["data_vault"]["name"] == "webapp-prod-us-west-2-vault"
    (selection,) = resources(east, "aws_backup_selection").values()
    assert selection["resources"] == ["${aws_db_instance.data_db.arn}", "${aws_s3_bucket.app_app-bucket_bucket.arn}"]
    assert "aws_backup_plan" not in default_synth[WEST]["resource"]


@pytest.mark.parametrize("stack", [EAST, WEST])
def test_vault_is_encrypted_and_only_the_admin_deletes_recovery_points(default_synth: Synth, stack: str) -> None:
    doc = default_synth[stack]
    assert resources(doc, "aws_backup_vault")["data_vault"]["kms_key_arn"] == KEY
    policy = json.loads(resources(doc, "aws_backup_vault_policy")["data_vault-policy"]["policy"])
    (deny,) = policy["Statement"]
    assert deny["Effect"] == "Deny" and "backup:DeleteRecoveryPoint" in deny["Action"]
    assert deny["Condition"]["ArnNotEquals"]["aws:PrincipalArn"].endswith(":role/BackupAdmin")


def test_mysql_profile_synthesizes_and_validates(synthesize: Any, terraform: Any) -> None:
    outdir, docs = synthesize(ROOT / "config/mysql.toml")
    east, west = docs["shop-prod-us-east-1"], docs["shop-prod-us-west-2"]
    assert (db(east)["engine"], db(east)["engine_version"], db(east)["port"]) == ("mysql", "8.4", 3306)
    pg = resources(east, "aws_db_parameter_group")["data_parameters"]
    assert pg["family"] == "mysql8.4"
    assert {"name": "require_secure_transport", "value": "ON", "apply_method": "immediate"} in pg["parameter"]
    assert db(east)["enabled_cloudwatch_logs_exports"] == ["error", "general", "slowquery"]
    asg = resources(east, "aws_autoscaling_group")["app_asg"]
    assert (asg["min_size"], asg["desired_capacity"], asg["max_size"]) == (2, 2, 5)
    assert "replicate_source_db" in db(west)
    terraform.validate_many([Path(outdir) / "stacks" / stack for stack in sorted(docs)], Path(outdir) / "validate")
