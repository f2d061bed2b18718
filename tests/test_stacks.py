"""Whole stacks from the shipped configs: structure, snapshots, terraform validate."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest
from syrupy.extensions.json import JSONSnapshotExtension

from tests.conftest import CONFIG_DIR, ROOT, Synth, resources, run_main

EAST, WEST, GLOBAL = "webapp-prod-us-east-1", "webapp-prod-us-west-2", "webapp-prod-global"


def test_one_stack_per_region_and_a_global_stack(default_synth: Synth) -> None:
    assert set(default_synth) == {EAST, WEST, GLOBAL}


@pytest.mark.parametrize(("stack", "vpc_cidr"), [(EAST, "10.0.0.0/16"), (WEST, "10.1.0.0/16")])
def test_reference_network_per_region(default_synth: Synth, stack: str, vpc_cidr: str) -> None:
    doc = default_synth[stack]
    (vpc,) = resources(doc, "aws_vpc").values()
    assert vpc["cidr_block"] == vpc_cidr
    assert vpc["enable_dns_support"] is True and vpc["enable_dns_hostnames"] is True
    assert len(resources(doc, "aws_subnet")) == 9
    assert len(resources(doc, "aws_nat_gateway")) == 3


@pytest.mark.parametrize("stack", [EAST, WEST])
def test_provider_is_aliased_pinned_and_tags_everything(default_synth: Synth, stack: str) -> None:
    doc = default_synth[stack]
    region = stack.removeprefix("webapp-prod-")
    provider, *others = doc["provider"]["aws"]
    assert provider["alias"] == region.replace("-", "_") and provider["region"] == region
    # A secondary also has the primary's region, for one thing only: the ephemeral read
    # of the primary's master secret it copies (MasterCredentials).
    assert [p["region"] for p in others] == ([] if region == "us-east-1" else ["us-east-1"])
    for p in others:
        assert [
            (t, n)
            for t, items in doc["ephemeral"].items()
            for n, body in items.items()
            if body["provider"] == f"aws.{p['alias']}"
        ] == [("aws_secretsmanager_secret_version", "data_master-source")]
    assert provider["default_tags"] == [
        {
            "tags": {
                "Project": "webapp",
                "Environment": "prod",
                "Region": region,
                "ManagedBy": "cdktf",
                "Owner": "platform-team",
                "CostCenter": "cc-1000",
            }
        }
    ]
    assert doc["terraform"]["required_providers"]["aws"] == {"source": "hashicorp/aws", "version": "~> 5.100"}
    for block in ("resource", "data"):
        for rtype, items in doc.get(block, {}).items():
            for name, body in items.items():
                if rtype == "terraform_remote_state":
                    continue
                assert body.get("provider") == f"aws.{provider['alias']}", f"{rtype}.{name}"


@pytest.mark.parametrize("stack", [EAST, WEST])
def test_outputs_are_described(default_synth: Synth, stack: str) -> None:
    outputs = default_synth[stack]["output"]
    assert {"vpc_id", "public_subnet_ids", "private_subnet_ids", "database_subnet_ids"} <= set(outputs)
    for name, output in outputs.items():
        assert output.get("description") or name.startswith("cross-stack-output-"), name


def test_local_backend_has_no_machine_paths(default_synth: Synth) -> None:
    for name, doc in default_synth.items():
        assert doc["terraform"]["backend"] == {"local": {"path": f"../../../terraform.{name}.tfstate"}}
        assert str(ROOT) not in json.dumps(doc)
        assert "/tmp" not in json.dumps(doc)


def test_s3_backend_per_stack(synthesize: Any, tmp_path: Path) -> None:
    text = (ROOT / "config/default.toml").read_text()
    config = tmp_path / "s3.toml"
    config.write_text(
        text.replace("[network]", '[backend]\nbucket = "acme-tf-state"\nregion = "us-east-1"\n\n[network]')
    )
    _, docs = synthesize(config)
    for name, doc in docs.items():
        assert doc["terraform"]["backend"] == {
            "s3": {
                "bucket": "acme-tf-state",
                "key": f"multi-region-web/{name}.tfstate",
                "region": "us-east-1",
                "encrypt": True,
                "use_lockfile": True,
            }
        }


def test_s3_backend_with_a_kms_key(synthesize: Any, tmp_path: Path) -> None:
    """State holds the origin secret: with [backend] kms_key_id, reading it also needs
    kms:Decrypt on that key."""
    key = "arn:aws:kms:us-east-1:111122223333:key/0b1c2d3e-4f50-6172-8394-a5b6c7d8e9f0"
    text = (ROOT / "config/default.toml").read_text()
    config = tmp_path / "kms.toml"
    config.write_text(
        text.replace(
            "[network]", f'[backend]\nbucket = "acme-tf-state"\nregion = "us-east-1"\nkms_key_id = "{key}"\n\n[network]'
        )
    )
    _, docs = synthesize(config)
    for doc in docs.values():
        assert doc["terraform"]["backend"]["s3"]["kms_key_id"] == key
        assert doc["terraform"]["backend"]["s3"]["encrypt"] is True


SHIPPED_CONFIGS = sorted(p.stem for p in (ROOT / "config").glob("*.toml"))


def without_construct_paths(value: Any) -> Any:
    """The synthesized JSON minus each element's construct path (``//.metadata.path``):
    the path says where the code that made a resource lives, not what Terraform
    manages, so grouping code into constructs changes it and nothing else. The
    address (``uniqueId``) and every attribute are kept."""
    if isinstance(value, dict):
        out = {k: without_construct_paths(v) for k, v in value.items()}
        meta = out.get("//", {}).get("metadata")
        if isinstance(meta, dict) and "path" in meta:
            out["//"] = {**out["//"], "metadata": {k: v for k, v in meta.items() if k != "path"}}
        return out
    if isinstance(value, list):
        return [without_construct_paths(v) for v in value]
    return value


def shipped_stacks() -> list[tuple[str, str]]:
    """(config, stack) for every stack of every shipped config, without synthesizing:
    stack names follow from the config (regional: <project>-<env>-<region>, global)."""
    from constructs_lib.config import load

    pairs = []
    for name in SHIPPED_CONFIGS:
        config = load(ROOT / "config" / f"{name}.toml")
        prefix = f"{config.project}-{config.environment}"
        pairs += [(name, f"{prefix}-{r.name}") for r in config.regions] + [(name, f"{prefix}-global")]
    return pairs


@pytest.mark.parametrize(("config", "stack"), shipped_stacks(), ids=str)
def test_snapshot(synthesize: Any, config: str, stack: str, snapshot: Any) -> None:
    """One snapshot per stack of every shipped config: a refactor must leave every
    address and attribute as it was (update with --snapshot-update only for an
    intended change to the infrastructure)."""
    _, docs = synthesize(ROOT / "config" / f"{config}.toml")
    assert without_construct_paths(docs[stack]) == snapshot(extension_class=JSONSnapshotExtension)


@pytest.mark.parametrize("stack", [EAST, WEST, GLOBAL])
def test_terraform_validate(default_outdir: Path, terraform: Any, stack: str) -> None:
    terraform.validate(default_outdir / "stacks" / stack)


def test_main_synthesizes_dev_profile(tmp_path: Path) -> None:
    """The real entry point, as the README and cdktf.json run it, on the cheap profile."""
    proc = run_main(STACK_CONFIG=str(ROOT / "config/dev.toml"), CDKTF_OUTDIR=str(tmp_path / "out"))
    assert proc.returncode == 0, proc.stderr
    stacks = tmp_path / "out" / "stacks"
    assert sorted(p.name for p in stacks.iterdir()) == [
        "webapp-dev-global",
        "webapp-dev-us-east-1",
        "webapp-dev-us-west-2",
    ]
    east = json.loads((stacks / "webapp-dev-us-east-1" / "cdk.tf.json").read_text())
    assert len(resources(east, "aws_nat_gateway")) == 1
    assert len(resources(east, "aws_subnet")) == 6
    assert "prevent_destroy" not in json.dumps(east)
    assert "Node 20 is end-of-life" not in proc.stdout + proc.stderr


def test_a_secondary_reads_only_its_replica_source_from_the_primary(default_synth: Synth) -> None:
    """What crosses from the primary's stack to a secondary's: the database ARN its
    replica follows, and nothing else (no secret, nothing the edge reads)."""
    west = json.dumps(default_synth[WEST])
    refs = set(re.findall(r"cross-stack-reference-input-[\w-]+\.outputs\.([\w-]+)", west))
    (only,) = refs
    assert default_synth[EAST]["output"][only]["value"] == "${aws_db_instance.data_db.arn}"


def test_upgrade_blocks_point_at_what_the_stacks_declare(default_synth: Synth) -> None:
    """moved blocks land on resources the stack declares; removed blocks name addresses
    it no longer declares (Terraform refuses both mistakes at plan time)."""
    for stack, doc in default_synth.items():
        declared = {f"{t}.{n}" for t, rs in doc.get("resource", {}).items() for n in rs}
        for block in doc.get("moved", []):
            assert block["to"] in declared and block["from"] not in declared, (stack, block)
        for block in doc.get("removed", []):
            assert block["from"] not in declared and block["lifecycle"] == {"destroy": False}, (stack, block)
    assert {b["from"] for b in default_synth[WEST]["removed"]} == {
        "aws_lb_listener_rule.app_from-cloudfront",
        "aws_secretsmanager_secret.origin-secret_secret",
        "aws_secretsmanager_secret_version.origin-secret_value",
    }
    assert [b["to"] for b in default_synth[GLOBAL]["moved"]] == [
        "aws_iam_role.app-bucket-replication-us-east-1_role",
        "aws_iam_role_policy.app-bucket-replication-us-east-1_policy",
        "aws_s3_bucket_replication_configuration.app-bucket-replication-us-east-1_configuration",
    ]


@pytest.mark.parametrize("stack", [EAST, WEST])
def test_app_outputs_published(default_synth: Synth, stack: str) -> None:
    outputs = default_synth[stack]["output"]
    assert {
        "alb_dns_name",
        "alb_zone_id",
        "alb_arn",
        "target_group_arn",
        "asg_name",
        "sns_topic_arn",
        "app_bucket_name",
        "log_bucket_name",
        "bastion_id",
    } <= set(outputs)


def test_readme_lists_every_emulator_adjustment() -> None:
    from stacks.emulator import MOTO_ADJUSTMENTS

    readme = (ROOT / "README.md").read_text()
    section = readme.split("## Local deploy", 1)[1].split("\n## ", 1)[0]
    for adjustment in MOTO_ADJUSTMENTS:
        assert f"`{adjustment.path}`" in section, adjustment.path
    assert section.count("**excluded**") == sum(a.kind in ("exclude", "construct") for a in MOTO_ADJUSTMENTS)


def test_default_synth_has_nothing_of_the_emulator(default_synth: Synth) -> None:
    text = json.dumps(default_synth)
    for marker in ("skip_credentials_validation", "s3_use_path_style", "127.0.0.1", "emulator", "access_key"):
        assert marker not in text, marker


def test_emulator_profile_names_its_domain(synthesize: Any) -> None:
    _, docs = synthesize(CONFIG_DIR / "local.toml")
    assert all("variable" not in doc for doc in docs.values())


def test_each_region_reaches_its_own_emulator_endpoint_and_global_services_us_east_1s(
    synthesize: Any, tmp_path: Path
) -> None:
    """[emulator.regions] (the region-loss drill): a provider of us-west-2, in any stack,
    sends its regional calls to us-west-2's endpoint and IAM, Route 53 and CloudFront to
    us-east-1's, where their control planes are; it checks credentials with its own
    region's STS (skipping the check would send the account lookup to IAM)."""
    east, west = "http://127.0.0.1:5001", "http://127.0.0.1:5002"
    config = tmp_path / "drill.toml"
    config.write_text(
        (CONFIG_DIR / "local.toml").read_text()
        + f'\n[emulator.regions]\n"us-east-1" = "{east}"\n"us-west-2" = "{west}"\n'
    )
    _, docs = synthesize(config)
    providers = [p for doc in docs.values() for p in doc["provider"]["aws"]]
    assert len(providers) == 5, "east, west (+ east for the copied master secret), global: east and west"
    for provider in providers:
        (endpoints,) = provider["endpoints"]
        own = east if provider["region"] == "us-east-1" else west
        assert {endpoints[s] for s in ("ec2", "rds", "sts", "s3", "backup", "elbv2", "kms")} == {own}
        assert {endpoints[s] for s in ("iam", "route53", "cloudfront")} == {east}
        assert "skip_credentials_validation" not in provider


def test_account_guard_rails_reach_every_provider(synthesize: Any, tmp_path: Path, terraform: Any) -> None:
    """[account]: every provider of every stack refuses other accounts' credentials and
    assumes the deploy role (with a session name CloudTrail shows)."""
    config = tmp_path / "prod.toml"
    config.write_text(
        (CONFIG_DIR / "default.toml").read_text()
        + '\n[account]\nid = "111122223333"\nrole_arn = "arn:aws:iam::111122223333:role/path/deployer"\n'
        + 'external_id = "webapp-prod"\n'
    )
    outdir, docs = synthesize(config)
    terraform.validate_many([Path(outdir) / "stacks" / stack for stack in sorted(docs)], tmp_path / "validate")
    providers = [p for doc in docs.values() for p in doc["provider"]["aws"]]
    assert len(providers) == 5, "one per regional stack, the primary's region in the secondary, two in the global"
    for provider in providers:
        assert provider["allowed_account_ids"] == ["111122223333"]
        # A dynamic block: with TF_VAR_assume_role_arn="" there is no assume_role at all
        # (an empty role_arn makes provider 5.100 warn on every plan).
        assert "assume_role" not in provider
        assert provider["dynamic"]["assume_role"] == {
            "for_each": '${var.assume_role_arn == "" ? [] : [var.assume_role_arn]}',
            "content": {
                "role_arn": "${assume_role.value}",
                "session_name": "webapp-prod-terraform",
                "external_id": "webapp-prod",
            },
        }
    for doc in docs.values():
        # CI, already holding the deploy role through OIDC, sets TF_VAR_assume_role_arn="".
        assert doc["variable"]["assume_role_arn"]["default"] == "arn:aws:iam::111122223333:role/path/deployer"


def test_shipped_configs_leave_the_account_to_the_user(default_synth: Synth) -> None:
    for doc in default_synth.values():
        for provider in doc["provider"]["aws"]:
            assert "allowed_account_ids" not in provider and "assume_role" not in provider


def test_trust_conditions_only_where_the_service_documents_them(default_synth: Synth) -> None:
    """aws:SourceAccount guards the roles of services that document it (flow logs, RDS
    monitoring); on EC2, Lambda, AWS Backup or CloudTrail roles a condition the service
    does not send would fail closed in silence (constructs_lib.iam.TRUST_CONDITION_SERVICES)."""
    from constructs_lib.iam import TRUST_CONDITION_SERVICES

    seen: dict[str, bool] = {}
    for doc in default_synth.values():
        for role in doc["resource"].get("aws_iam_role", {}).values():
            (statement,) = json.loads(role["assume_role_policy"])["Statement"]
            service = statement["Principal"]["Service"]
            seen[service] = "Condition" in statement
            if service in TRUST_CONDITION_SERVICES:
                (account,) = statement["Condition"]["StringEquals"].values()
                assert account.endswith(".account_id}")
    assert seen == {
        "ec2.amazonaws.com": False,
        "lambda.amazonaws.com": False,
        "backup.amazonaws.com": False,
        "cloudtrail.amazonaws.com": False,
        "s3.amazonaws.com": False,
        "vpc-flow-logs.amazonaws.com": True,
        "monitoring.rds.amazonaws.com": True,
    }
