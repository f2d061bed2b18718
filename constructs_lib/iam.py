"""IAM shapes the constructs share: service trust policies and service roles."""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from cdktf_cdktf_provider_aws.iam_instance_profile import IamInstanceProfile
from cdktf_cdktf_provider_aws.iam_role import IamRole
from cdktf_cdktf_provider_aws.iam_role_policy import IamRolePolicy
from cdktf_cdktf_provider_aws.iam_role_policy_attachment import IamRolePolicyAttachment
from cdktf_cdktf_provider_aws.provider import AwsProvider
from constructs import Construct

TRUST_CONDITION_SERVICES = frozenset({"vpc-flow-logs.amazonaws.com", "monitoring.rds.amazonaws.com"})
"""Services whose own documentation shows ``aws:SourceAccount`` in the trust policy of the
role they assume (VPC User Guide, "IAM role for publishing flow logs to CloudWatch Logs";
RDS User Guide, "Setting up and enabling Enhanced Monitoring"). Only these get it: a
condition key the service does not send when it assumes the role fails closed, in
silence (no credentials, no delivery), and EC2, Lambda, AWS Backup and CloudTrail
document plain trust policies."""


def assume_role_policy(service: str, source_account: str | None = None) -> str:
    """Trust policy letting ``service`` assume a role; with ``source_account`` only on
    behalf of that account (confused-deputy guard), for ``TRUST_CONDITION_SERVICES``."""
    if source_account is not None and service not in TRUST_CONDITION_SERVICES:
        raise ValueError(
            f"{service} does not document aws:SourceAccount in role trust policies; a condition it does not "
            "send would fail closed (constructs_lib.iam.TRUST_CONDITION_SERVICES)"
        )
    statement: dict[str, object] = {"Effect": "Allow", "Principal": {"Service": service}, "Action": "sts:AssumeRole"}
    if source_account is not None:
        statement["Condition"] = {"StringEquals": {"aws:SourceAccount": source_account}}
    return json.dumps({"Version": "2012-10-17", "Statement": [statement]})


def policy_document(*statements: dict[str, Any]) -> str:
    """An IAM policy document (version 2012-10-17) of ``statements``, as JSON."""
    return json.dumps({"Version": "2012-10-17", "Statement": list(statements)})


AWS_OWNED_BUCKETS = (
    # Amazon Linux 2023's package repositories (AL2023 User Guide, "Accessing AL2023
    # repositories through a gateway VPC endpoint"): dnf on the instances.
    "al2023-repos-{region}-de612dc2",
    # SSM Agent's own buckets (Systems Manager User Guide, "SSM Agent communications
    # with AWS managed S3 buckets"): agent updates, documents, patch baselines.
    "aws-ssm-{region}",
    "amazon-ssm-{region}",
    "amazon-ssm-packages-{region}",
    "{region}-birdwatcher-prod",
    "aws-ssm-document-attachments-{region}",
    "aws-ssm-distributor-file-{region}",
    "patch-baseline-snapshot-{region}",
)
"""AWS-owned buckets the instances read (GetObject only): the instance policy and the S3
gateway endpoint's policy both allow them (``aws_owned_object_arns``)."""


def aws_owned_object_arns(partition: str, region: str) -> list[str]:
    """The objects of ``AWS_OWNED_BUCKETS`` in ``region``, as policy resources."""
    return [f"arn:{partition}:s3:::{bucket.format(region=region)}/*" for bucket in AWS_OWNED_BUCKETS]


def session_manager_policy(partition: str, region: str, account: str) -> str:
    """What an instance needs for SSM Session Manager and nothing more (Systems Manager
    User Guide, "Create a custom IAM role for Session Manager"): register itself and open
    the session channels, and read the AWS-owned buckets the agent and dnf use. Unlike
    AmazonSSMManagedInstanceCore it cannot read the account's SSM parameters or
    documents. The ssmmessages actions have no resource type (Service Authorization
    Reference), so their resource is "*"."""
    return policy_document(
        {
            "Sid": "RegisterThisInstance",
            "Effect": "Allow",
            "Action": "ssm:UpdateInstanceInformation",
            "Resource": f"arn:{partition}:ec2:{region}:{account}:instance/*",
        },
        {
            "Sid": "SessionChannels",
            "Effect": "Allow",
            "Action": [
                "ssmmessages:CreateControlChannel",
                "ssmmessages:CreateDataChannel",
                "ssmmessages:OpenControlChannel",
                "ssmmessages:OpenDataChannel",
            ],
            "Resource": "*",
        },
        {
            # SSM Agent's own buckets (and dnf's repositories) must also be allowed in
            # the instance's policy when it reaches S3 through a VPC endpoint (Systems
            # Manager User Guide, "SSM Agent communications with AWS managed S3 buckets").
            "Sid": "ReadAwsOwnedBuckets",
            "Effect": "Allow",
            "Action": "s3:GetObject",
            "Resource": aws_owned_object_arns(partition, region),
        },
    )


def session_instance_profile(
    scope: Construct, prefix: str, *, provider: AwsProvider, name: str, region: str, partition: str, account: str
) -> IamInstanceProfile:
    """An instance profile whose role (``<prefix>role``, trusted by EC2 of ``account``)
    may do Session Manager and nothing else (``<prefix>policy``, ``session_manager_policy``);
    the profile is ``<prefix>profile``, created after the policy, so whatever launches
    with it (a launch template, an instance) starts with its permissions in place."""
    role = service_role(
        scope,
        prefix,
        provider=provider,
        name=name,
        service="ec2.amazonaws.com",
        # No aws:SourceAccount: EC2's documented instance-role trust policy has none, and
        # a condition the service does not send would leave instances without
        # credentials, silently (see TRUST_CONDITION_SERVICES).
        inline_policy=("session-manager", session_manager_policy(partition, region, account)),
    )
    # After the policy: an instance booted before its permissions exist gets AccessDenied,
    # and the SSM agent then backs off for up to an hour before registering.
    return IamInstanceProfile(
        scope, f"{prefix}profile", provider=provider, name=name, role=role.name, depends_on=list(role.policies)
    )


def managed_policy_arn(partition: str, path: str) -> str:
    """``arn:<partition>:iam::aws:policy/<path>`` (AWS-managed policies have no account)."""
    return f"arn:{partition}:iam::aws:policy/{path}"


@dataclass
class ServiceRole:
    """A role and the policies attached to it (wait on ``policies`` when a service
    checks the role's permissions as the resource is created)."""

    role: IamRole
    policies: list[IamRolePolicy | IamRolePolicyAttachment] = field(default_factory=list)

    @property
    def arn(self) -> str:
        return self.role.arn

    @property
    def name(self) -> str:
        return self.role.name


def service_role(
    scope: Construct,
    prefix: str,
    *,
    provider: AwsProvider,
    name: str,
    service: str,
    source_account: str | None = None,
    managed_policy_arns: Sequence[str] = (),
    inline_policy: tuple[str, str] | None = None,
) -> ServiceRole:
    """A role ``service`` assumes, with its policies.

    Ids below ``scope``: ``<prefix>role`` for the role; ``<prefix>policy`` for the one
    policy (inline, or a single managed attachment), ``<prefix>policy-<i>`` for several
    managed attachments. ``inline_policy`` is ``(policy name, document)``.
    """
    role = IamRole(
        scope,
        f"{prefix}role",
        provider=provider,
        name=name,
        assume_role_policy=assume_role_policy(service, source_account),
    )
    made = ServiceRole(role)
    if inline_policy is not None:
        policy_name, document = inline_policy
        made.policies.append(
            IamRolePolicy(scope, f"{prefix}policy", provider=provider, role=role.id, name=policy_name, policy=document)
        )
    for i, arn in enumerate(managed_policy_arns):
        made.policies.append(
            IamRolePolicyAttachment(
                scope,
                f"{prefix}policy" if len(managed_policy_arns) == 1 else f"{prefix}policy-{i}",
                provider=provider,
                role=role.name,
                policy_arn=arn,
            )
        )
    return made
