"""Bastion: one small instance in a public subnet for break-glass access."""

from __future__ import annotations

from cdktf import TerraformResourceLifecycle
from cdktf_cdktf_provider_aws.instance import Instance, InstanceMetadataOptions, InstanceRootBlockDevice
from cdktf_cdktf_provider_aws.provider import AwsProvider
from cdktf_cdktf_provider_aws.security_group import SecurityGroup
from constructs import Construct

from ..addressing import Facet
from ..config import BastionConfig
from ..context import Context
from ..iam import session_instance_profile
from ..kms import RegionalKey
from ..network import RegionalNetwork
from ..security_groups import ANYWHERE, HTTPS, IN, OUT, SSH, Peer, Rule, add_rules, security_group


class Bastion(Facet):
    """A hardened jump host.

    Creates: its security group (SSH in only from ``allowed_ssh_cidrs``, none by
    default: Session Manager only; SSH out to the app group, HTTPS out for SSM and
    packages), the app group's SSH rule from it, and the instance (public subnet,
    IMDSv2 only, KMS-encrypted gp3 root volume, EBS-optimized, AMI changes ignored so
    a newer image never replaces it under someone's session).

    Example::

        Bastion(tier, "bastion", provider=provider, ctx=ctx, props=config.app.bastion, network=network,
                key=key, app_security_group=groups.app,
                image_id=fleet.image_id)
    """

    def __init__(
        self,
        scope: Construct,
        id: str,
        *,
        provider: AwsProvider,
        ctx: Context,
        props: BastionConfig,
        network: RegionalNetwork,
        key: RegionalKey,
        app_security_group: SecurityGroup,
        image_id: str,
    ):
        super().__init__(scope, id)
        n = ctx.naming
        # A role of its own (not the fleet's): a jump host needs Session Manager only,
        # and a compromise of one must not carry the other's permissions.
        self.instance_profile = session_instance_profile(
            self,
            "bastion-",
            provider=provider,
            name=n.name("bastion"),
            region=n.region,
            partition=key.partition_name,
            account=key.account_id,
        )
        group = security_group(
            self,
            "bastion-sg",
            provider=provider,
            name=n.name("bastion"),
            description="Bastion: SSH from the configured ranges only",
            vpc_id=network.vpc_id,
        )
        add_rules(
            self,
            provider,
            *(
                Rule(f"bastion-in-ssh-{i}", IN, group.id, SSH, Peer.cidr(cidr), f"SSH from allowed range {cidr}")
                for i, cidr in enumerate(props.allowed_ssh_cidrs)
            ),
            Rule("bastion-out-ssh", OUT, group.id, SSH, Peer.group(app_security_group.id), "SSH to the app instances"),
            Rule(
                "bastion-out-https", OUT, group.id, HTTPS, Peer.cidr(ANYWHERE), "HTTPS to SSM and package repositories"
            ),
            Rule("app-in-bastion-ssh", IN, app_security_group.id, SSH, Peer.group(group.id), "SSH from the bastion"),
        )
        self.instance = Instance(
            self,
            "bastion",
            provider=provider,
            ami=image_id,
            instance_type=props.instance_type,
            subnet_id=network.public_subnet_ids[0],
            vpc_security_group_ids=[group.id],
            associate_public_ip_address=True,
            iam_instance_profile=self.instance_profile.name,
            key_name=props.key_name,
            monitoring=props.detailed_monitoring,
            ebs_optimized=True,
            metadata_options=InstanceMetadataOptions(
                http_endpoint="enabled", http_tokens="required", http_put_response_hop_limit=1
            ),
            root_block_device=InstanceRootBlockDevice(
                encrypted=True, kms_key_id=key.arn, volume_type="gp3", volume_size=props.root_volume_gb
            ),
            tags={"Name": n.name("bastion")},
            # A newer AMI must not replace the bastion under someone's session.
            lifecycle=TerraformResourceLifecycle(ignore_changes=["ami"]),
        )
