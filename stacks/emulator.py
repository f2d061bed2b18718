"""What the local emulator (moto) needs beyond its provider endpoints, in one table.

Applied only when the config has an ``[emulator]`` section (config/local.toml): the
default synth contains none of it. Each entry names the resource by its construct path
below the stack, what changes, and why. README "Local deploy" lists the same table
(a test keeps them in step), and the deploy test prints the counts.

Kinds:
- ``ignore``: ``lifecycle.ignore_changes`` on attributes moto does not return (or
  returns differently), so the re-plan after apply is clean. On AWS these attributes
  keep being compared.
- ``exclude``: the resource is left out of the local profile (moto lacks the API).
- ``override``: an argument set differently on moto (the reason says why and what is
  then not exercised).
- ``construct``: left out at construction (GlobalStack passes a different prop when the
  config has an emulator); listed here so the table stays the one list.
"""

from __future__ import annotations

import fnmatch
from dataclasses import dataclass
from typing import Any

from cdktf import TerraformResource
from constructs import IConstruct

from constructs_lib.addressing import Facet

from .common import ReadableStack


@dataclass(frozen=True)
class Adjustment:
    stacks: str
    """"regional" (every regional stack), "primary" (the primary's only) or "global"."""
    path: str
    """Address path below the stack, e.g. ``data/db`` (``aws_db_instance.data_db``):
    the construct path without facets; ``*`` matches within a part (one per region)."""
    kind: str
    """ignore | exclude | override | construct"""
    value: Any
    """ignore: attribute names; override: {argument path: value}; exclude: None."""
    reason: str


MOTO_ADJUSTMENTS: tuple[Adjustment, ...] = (
    # --- left out (APIs moto 5.2.5 does not implement) ---------------------------------
    Adjustment(
        "primary",
        "backup/selection",
        "exclude",
        None,
        "moto has no CreateBackupSelection; the plan and the vaults are still applied",
    ),
    Adjustment(
        "global",
        "edge/security-headers",
        "construct",
        None,
        "moto has no response headers policy API; the distribution uses AWS's managed SecurityHeadersPolicy instead",
    ),
    Adjustment(
        "global",
        "edge/query-log",
        "exclude",
        None,
        "moto's CreateQueryLoggingConfig does not find the log group; the group and its policy are applied",
    ),
    # --- set differently on moto ----------------------------------------------------------
    Adjustment(
        "global",
        "edge/distribution",
        "override",
        {"default_cache_behavior.target_origin_id": "primary"},
        "moto checks a cache behaviour's target only against origins, not origin groups (NoSuchOrigin); the "
        "origin group is still created and read back, the default path targets the primary origin on moto",
    ),
    Adjustment(
        "global",
        "edge/distribution",
        "override",
        {"wait_for_deployment": False},
        "moto reports a distribution Deployed at once; waiting only adds the provider's fixed 30 s poll delay "
        "(on AWS the apply still waits for the edge locations)",
    ),
    Adjustment(
        "regional",
        "data/vault",
        "override",
        {"force_destroy": False},
        "with force_destroy the provider lists recovery points, which moto does not implement; the vault is "
        "empty on moto anyway",
    ),
    # --- attributes moto does not return as AWS does --------------------------------------
    Adjustment(
        "regional",
        "app/scale-out",
        "ignore",
        ["enabled", "predictive_scaling_configuration"],
        "moto's DescribePolicies omits Enabled and returns an empty predictive scaling block",
    ),
    Adjustment(
        "regional",
        "app/scale-in",
        "ignore",
        ["enabled", "predictive_scaling_configuration"],
        "moto's DescribePolicies omits Enabled and returns an empty predictive scaling block",
    ),
    Adjustment(
        "regional",
        "data/db",
        "ignore",
        ["performance_insights_enabled", "performance_insights_kms_key_id", "performance_insights_retention_period"],
        "moto stores Performance Insights settings only on ModifyDBInstance, not CreateDBInstance",
    ),
    Adjustment(
        "regional",
        "data/parameters",
        "ignore",
        ["parameter"],
        "moto's DescribeDBParameters returns no Source, so the provider drops every parameter it reads",
    ),
    Adjustment(
        "regional",
        "app/bastion",
        "ignore",
        ["vpc_security_group_ids"],
        "with a public IP the groups go on the network interface; moto leaves the instance's list empty",
    ),
    Adjustment(
        "regional", "app/function", "ignore", ["dead_letter_config"], "moto's Lambda does not store DeadLetterConfig"
    ),
    Adjustment(
        "regional",
        "data/vault",
        "ignore",
        ["tags_all"],
        "moto's Backup ListTags parses the ARN from the path with a trailing slash the SDK does not send",
    ),
    Adjustment(
        "primary",
        "backup/plan",
        "ignore",
        ["tags_all"],
        "moto's Backup ListTags parses the ARN from the path with a trailing slash the SDK does not send",
    ),
    Adjustment(
        "regional",
        "app/launch-template",
        "ignore",
        ["tag_specifications"],
        "moto copies the template's own tags into the data of version 1",
    ),
    Adjustment(
        "global",
        "edge/distribution",
        "ignore",
        ["default_cache_behavior", "ordered_cache_behavior", "viewer_certificate"],
        "moto returns ForwardedValues on behaviours that use cache policies, and an SNI method with the "
        "default certificate",
    ),
    Adjustment(
        "global",
        "app-bucket-replication-*/configuration",
        "ignore",
        ["rule"],
        "moto returns DeleteMarkerReplication disabled and drops SourceSelectionCriteria",
    ),
)

SG_RULES_WITHOUT_DESCRIPTION = (
    "app/alb-out-app",
    "app/alb-health-out-app",
    "app/bastion-out-ssh",
    "data/app-out-db",
    "app/alb-in-80",
    "app/alb-health-in-80",
    "app/app-in-alb",
    "app/app-in-alb-health",
    "app/app-in-bastion-ssh",
    "data/in-from-app",
)
"""Rules that reference a group or prefix list: moto returns no description for them."""

MOTO_ADJUSTMENTS += tuple(
    Adjustment(
        "regional",
        path,
        "ignore",
        ["description"],
        "moto's DescribeSecurityGroupRules returns no description for rules that reference a group or prefix list",
    )
    for path in SG_RULES_WITHOUT_DESCRIPTION
)


def _by_address(stack: ReadableStack) -> dict[str, IConstruct]:
    """Every element below ``stack`` by its address path (``app/asg`` is
    ``aws_autoscaling_group.app_asg``): the table names what Terraform manages, so it
    does not change when code is regrouped into facets. Built once per stack."""
    found: dict[str, IConstruct] = {}
    for node in stack.node.find_all():
        if isinstance(node, Facet) or node is stack:
            continue
        found.setdefault("/".join(stack.address_parts(node.node.path)), node)
    return found


def applies_to(adjustment: Adjustment, stack_kind: str) -> bool:
    return adjustment.stacks == stack_kind or (adjustment.stacks == "regional" and stack_kind == "primary")


def apply(stack: ReadableStack, stack_kind: str) -> list[str]:
    """Apply the adjustments for ``stack_kind`` ("primary", "regional" for a secondary,
    or "global"); returns the excluded construct paths."""
    elements = _by_address(stack)
    excluded: list[str] = []
    for adj in MOTO_ADJUSTMENTS:
        if not applies_to(adj, stack_kind):
            continue
        if adj.kind == "construct":
            excluded.append(adj.path)
            continue
        for target in [e for path, e in elements.items() if fnmatch.fnmatchcase(path, adj.path)]:
            _adjust(adj, target, excluded)
    if excluded:
        # Recorded in the synthesized JSON metadata so the deploy test can count them.
        stack.add_override("//.emulator_exclusions", excluded)
    return excluded


def _adjust(adj: Adjustment, target: IConstruct, excluded: list[str]) -> None:
    """One adjustment on one element."""
    if adj.kind == "exclude":
        owner = target.node.scope
        assert owner is not None and owner.node.try_remove_child(target.node.id), adj.path
        excluded.append(adj.path)
    elif adj.kind == "override":
        assert isinstance(target, TerraformResource), adj.path
        for key, value in adj.value.items():
            target.add_override(key, value)
    elif adj.kind == "ignore":
        assert isinstance(target, TerraformResource), adj.path
        current = target.lifecycle.ignore_changes if target.lifecycle and target.lifecycle.ignore_changes else []
        merged = list(dict.fromkeys([*current, *adj.value]))
        target.add_override("lifecycle.ignore_changes", merged)
    else:  # pragma: no cover - the table is static
        raise ValueError(f"unknown adjustment kind {adj.kind}")
