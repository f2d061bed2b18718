"""RegionalStack: everything one region runs, with its own state."""

from __future__ import annotations

from cdktf import TerraformOutput
from constructs import Construct

from constructs_lib.config import Config, RegionConfig
from constructs_lib.kms import RegionalKey, RegionalKeyProps
from constructs_lib.naming import Naming
from constructs_lib.network import NatStrategy, RegionalNetwork, RegionalNetworkProps

from .common import ProductStack


def regional_stack_name(config: Config, region: RegionConfig) -> str:
    return f"{config.project}-{config.environment}-{region.name}"


class RegionalStack(ProductStack):
    """One region: KMS key, network (and the tiers built on it)."""

    def __init__(self, scope: Construct, *, config: Config, region: RegionConfig):
        super().__init__(scope, regional_stack_name(config, region), config=config)
        self.region = region
        self.provider = self.aws_provider(region.name)
        naming = Naming(project=config.project, environment=config.environment, region=region.name)
        self.naming = naming
        stateful = not config.disposable

        self.key = RegionalKey(
            self,
            "key",
            provider=self.provider,
            props=RegionalKeyProps(naming=naming, prevent_destroy=stateful),
        )
        self.network = RegionalNetwork(
            self,
            "network",
            provider=self.provider,
            key=self.key,
            props=RegionalNetworkProps(
                naming=naming,
                cidr=region.vpc_cidr,
                azs=region.zones,
                subnets=region.subnet_plan,
                nat=NatStrategy(region.nat.value),
                flow_log_retention_days=config.network.flow_log_retention_days,
                flow_log_traffic_type=config.network.flow_log_traffic_type,
                interface_endpoints=tuple(config.network.interface_endpoints),
            ),
        )

        TerraformOutput(self, "vpc_id", value=self.network.vpc_id, description=f"VPC id in {region.name}")
        TerraformOutput(
            self, "public_subnet_ids", value=self.network.public_subnet_ids, description="Public subnets, one per AZ"
        )
        TerraformOutput(
            self, "private_subnet_ids", value=self.network.private_subnet_ids, description="Private (app) subnets, one per AZ"
        )
        TerraformOutput(
            self, "database_subnet_ids", value=self.network.database_subnet_ids, description="Database subnets, one per AZ"
        )
        TerraformOutput(self, "kms_key_arn", value=self.key.arn, description=f"Customer-managed KMS key of {region.name}")
