"""DataTier: one region's database and its backup vault."""

from __future__ import annotations

from cdktf_cdktf_provider_aws.provider import AwsProvider
from constructs import Construct

from ..config import DatabaseConfig
from ..context import Context
from ..kms import RegionalKey
from ..network import RegionalNetwork
from .backup import BackupVault
from .credentials import CredentialsSource, MasterCredentials
from .database import Database


class DataTier(Construct):
    """What holds data in one region: ``MasterCredentials`` (credentials.py: the master
    user's secret), ``Database`` (database.py: the primary, or a
    cross-region read replica of it, with its subnet group, security group, parameter
    group, log groups and monitoring role) and ``BackupVault`` (backup.py). Both are
    facets, so addresses stay ``<tier id>_<resource id>`` (``aws_db_instance.data_db``).

    Example::

        data = DataTier(stack, "data", provider=provider, ctx=ctx, props=config.database, network=network,
                        key=key, app_security_group_id=app.app_security_group_id, log_retention_days=365)
        data.endpoint
    """

    def __init__(
        self,
        scope: Construct,
        id: str,
        *,
        provider: AwsProvider,
        ctx: Context,
        props: DatabaseConfig,
        network: RegionalNetwork,
        key: RegionalKey,
        app_security_group_id: str,
        log_retention_days: int,
        replicate_from: str | None = None,
        credentials_from: CredentialsSource | None = None,
    ):
        """``replicate_from``: ARN of the primary DB instance; set, this region runs a
        cross-region read replica of it, and ``credentials_from`` (the primary's secret)
        is required. Default: none, this region runs the primary."""
        super().__init__(scope, id)
        self.is_replica = replicate_from is not None
        if self.is_replica != (credentials_from is not None):
            raise ValueError("a replica needs credentials_from (the primary's secret), and only a replica")
        self.credentials = MasterCredentials(
            self, "credentials", provider=provider, ctx=ctx, props=props, key=key, copy_from=credentials_from
        )
        self.database = Database(
            self,
            "database",
            provider=provider,
            ctx=ctx,
            props=props,
            network=network,
            key=key,
            app_security_group_id=app_security_group_id,
            log_retention_days=log_retention_days,
            credentials=self.credentials,
            replicate_from=replicate_from,
        )
        self.vault = BackupVault(self, "vault", provider=provider, ctx=ctx, props=props.backup, key=key)

    @property
    def endpoint(self) -> str:
        return self.database.instance.endpoint

    @property
    def address(self) -> str:
        return self.database.instance.address

    @property
    def port(self) -> float:
        return self.database.instance.port

    @property
    def arn(self) -> str:
        return self.database.instance.arn

    @property
    def identifier(self) -> str:
        return self.database.instance.identifier

    @property
    def vault_arn(self) -> str:
        return self.vault.arn

    @property
    def master_secret_arn(self) -> str:
        """ARN of this region's master secret (``MasterCredentials``)."""
        return self.credentials.arn
