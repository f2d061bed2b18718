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


def test_primary_is_encrypted_with_its_region_key_and_takes_its_password_write_only(default_synth: Synth) -> None:
    d = db(default_synth[EAST])
    assert (d["engine"], d["engine_version"]) == ("postgres", "16")
    assert d["storage_encrypted"] is True and d["kms_key_id"] == KEY
    assert d["performance_insights_enabled"] is True and d["performance_insights_kms_key_id"] == KEY
    # RDS cannot create a read replica of an instance whose master password it manages
    # (RDS User Guide, "Limitations for Secrets Manager integration with Amazon RDS"):
    # the primary must not manage it, or the secondary's replica fails on AWS.
    assert "manage_master_user_password" not in d and "master_user_secret_kms_key_id" not in d
    assert "password" not in d, "a plain password argument would be kept in state"
    current = "ephemeral.aws_secretsmanager_secret_version.data_master-current"
    assert d["password_wo"] == f"${{jsondecode({current}.secret_string).password}}"
    assert d["password_wo_version"] == 1
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
    for absent in ("engine", "username", "manage_master_user_password", "password_wo", "db_name", "allocated_storage"):
        assert absent not in d, f"a replica inherits {absent}"
    assert d["db_subnet_group_name"] == "${aws_db_subnet_group.data_subnet-group.name}"


def secret_of(doc: dict[str, Any]) -> tuple[dict[str, Any], dict[str, Any]]:
    return (
        resources(doc, "aws_secretsmanager_secret")["data_master-secret"],
        resources(doc, "aws_secretsmanager_secret_version")["data_master-value"],
    )


@pytest.mark.parametrize(("stack", "region"), [(EAST, "us-east-1"), (WEST, "us-west-2")])
def test_every_region_keeps_the_master_credentials_in_its_own_secret(
    default_synth: Synth, stack: str, region: str
) -> None:
    """A failover reads credentials in the surviving region only; nothing holds the
    password but Secrets Manager (write-only arguments, ephemeral sources)."""
    doc = default_synth[stack]
    secret, version = secret_of(doc)
    assert secret["name"] == f"webapp-prod-{region}-db-master" and secret["kms_key_id"] == KEY
    assert secret["recovery_window_in_days"] == 30 and secret["lifecycle"] == {"prevent_destroy": True}
    assert secret["provider"] == version["provider"] == f"aws.{region.replace('-', '_')}"
    assert version["secret_id"] == "${aws_secretsmanager_secret.data_master-secret.id}"
    assert version["secret_string_wo_version"] == 1 and "secret_string" not in version
    assert doc["output"]["db_master_secret_arn"]["value"] == "${aws_secretsmanager_secret.data_master-secret.arn}"


def test_the_primary_generates_the_password_and_gives_the_database_what_its_secret_holds(
    default_synth: Synth,
) -> None:
    doc = default_synth[EAST]
    _, version = secret_of(doc)
    generated = doc["ephemeral"]["aws_secretsmanager_random_password"]["data_master-generated"]
    assert generated["provider"] == "aws.us_east_1" and generated["password_length"] >= 20
    assert generated["exclude_punctuation"] is True, 'RDS refuses / " @ in a master password'
    assert version["secret_string_wo"] == (
        '${jsonencode({username = "app_admin", password = '
        "ephemeral.aws_secretsmanager_random_password.data_master-generated.random_password})}"
    )
    # The database gets the value read back from the secret version just written, so a
    # database imported after a failover is given the password it already has.
    current = doc["ephemeral"]["aws_secretsmanager_secret_version"]["data_master-current"]
    assert current == {
        "provider": "aws.us_east_1",
        "secret_id": "${aws_secretsmanager_secret.data_master-secret.id}",
        "version_id": "${aws_secretsmanager_secret_version.data_master-value.version_id}",
    }
    assert db(doc)["password_wo_version"] == version["secret_string_wo_version"]


def test_a_secondary_copies_the_primarys_secret_and_generates_nothing(default_synth: Synth) -> None:
    doc = default_synth[WEST]
    _, version = secret_of(doc)
    assert set(doc["ephemeral"]) == {"aws_secretsmanager_secret_version"}
    source = doc["ephemeral"]["aws_secretsmanager_secret_version"]["data_master-source"]
    east = next(p for p in doc["provider"]["aws"] if p["region"] == "us-east-1")
    assert source == {"provider": f"aws.{east['alias']}", "secret_id": "webapp-prod-us-east-1-db-master"}
    assert source["secret_id"] == secret_of(default_synth[EAST])[0]["name"]
    assert (
        version["secret_string_wo"] == "${ephemeral.aws_secretsmanager_secret_version.data_master-source.secret_string}"
    )


def test_stacks_require_the_terraform_that_has_write_only_arguments(default_synth: Synth) -> None:
    for doc in default_synth.values():
        assert doc["terraform"]["required_version"] == ">= 1.11"


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
    assert deny["Effect"] == "Deny" and deny["Principal"] == {"AWS": "*"}
    # Nobody but the admin role may delete or loosen, nor replace or delete this policy
    # (else any admin of the account could lift the deny first). Vault access policies
    # take no wildcard actions (AWS Backup Developer Guide, "Vault access policies").
    assert set(deny["Action"]) == {
        "backup:DeleteRecoveryPoint",
        "backup:UpdateRecoveryPointLifecycle",
        "backup:DeleteBackupVault",
        "backup:PutBackupVaultAccessPolicy",
        "backup:DeleteBackupVaultAccessPolicy",
    }
    assert not [a for a in deny["Action"] if "*" in a]
    assert deny["Condition"]["ArnNotEquals"]["aws:PrincipalArn"].endswith(":role/BackupAdmin")
    # Governance lock by default: every recovery point is kept its full retention.
    lock = resources(doc, "aws_backup_vault_lock_configuration")["data_vault-lock"]
    assert lock["backup_vault_name"] == "${aws_backup_vault.data_vault.name}"
    assert lock["min_retention_days"] == 35 and "changeable_for_days" not in lock and "max_retention_days" not in lock


@pytest.mark.parametrize(
    ("lock", "expected"),
    [
        (
            "compliance",
            {
                "min_retention_days": 35,
                "changeable_for_days": 3,
                # AWS refuses to delete a compliance lock after its grace days, and every
                # argument forces a replacement: its retention is left as created.
                # The mode is not ignored: governance -> compliance replaces the lock.
                "lifecycle": {"prevent_destroy": True, "ignore_changes": ["min_retention_days", "max_retention_days"]},
            },
        ),
        ("none", None),
    ],
)
def test_vault_lock_mode_comes_from_the_config(
    synthesize: Any, tmp_path: Path, lock: str, expected: dict[str, int] | None
) -> None:
    config = tmp_path / "lock.toml"
    text = (ROOT / "config/default.toml").read_text()
    config.write_text(text.replace("[database.backup]\n", f'[database.backup]\nvault_lock = "{lock}"\n'))
    _, docs = synthesize(config)
    for stack in (EAST, WEST):
        found = resources(docs[stack], "aws_backup_vault_lock_configuration").get("data_vault-lock")
        if expected is None:
            assert found is None
        else:
            assert found is not None and {k: found.get(k) for k in expected} == expected


def test_disposable_vaults_have_no_lock(dev_synth: Synth) -> None:
    for doc in dev_synth.values():
        assert "aws_backup_vault_lock_configuration" not in doc.get("resource", {})


@pytest.mark.parametrize("stack", [EAST, WEST])
def test_parameter_group_is_replaced_before_it_is_destroyed(default_synth: Synth, stack: str) -> None:
    """A major version upgrade changes the family: RDS refuses to delete a parameter
    group a database still uses (InvalidDBParameterGroupState), so the new group comes
    first; its name carries the family, so the two never collide."""
    group = resources(default_synth[stack], "aws_db_parameter_group")["data_parameters"]
    assert group["lifecycle"] == {"create_before_destroy": True}
    assert group["family"].replace(".", "-") in group["name"] and group["family"] in group["description"]


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
