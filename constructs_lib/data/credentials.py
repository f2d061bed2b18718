"""MasterCredentials: the database master user's credentials, in Secrets Manager in
every region, never in Terraform state."""

from __future__ import annotations

from dataclasses import dataclass

from cdktf import TerraformProvider
from cdktf_cdktf_provider_aws.provider import AwsProvider
from cdktf_cdktf_provider_aws.secretsmanager_secret import SecretsmanagerSecret
from cdktf_cdktf_provider_aws.secretsmanager_secret_version import SecretsmanagerSecretVersion
from constructs import Construct

from ..addressing import Facet
from ..config import DatabaseConfig
from ..context import Context
from ..ephemeral import ephemeral
from ..guards import protect, secret_recovery_window
from ..kms import RegionalKey
from ..naming import Naming

PASSWORD_LENGTH = 32
"""Letters and digits only (~190 bits): within every engine's limit (MySQL: 41) and free of
the characters RDS refuses in a master password (``/``, ``"``, ``@``, space)."""


def master_secret_name(naming: Naming) -> str:
    """``<project>-<env>-<region>-db-master``: the secret of ``naming``'s region."""
    return naming.name("db-master")


@dataclass(frozen=True, kw_only=True)
class CredentialsSource:
    """Where a secondary region copies the credentials from: the primary's secret."""

    provider: TerraformProvider
    """A provider for the primary's region, declared by the secondary's stack."""
    secret_id: str
    """The primary's secret (name or ARN)."""


class MasterCredentials(Facet):
    """The master user's name and password as RDS writes them for a managed secret
    (``{"username": ..., "password": ...}``), in a secret of this region encrypted with
    the region key. Each region has its own, so an application, and a failover, read
    credentials in their own region only.

    Why not RDS-managed (``manage_master_user_password``): RDS cannot create a read
    replica of an instance whose master password it manages, for every engine but SQL
    Server (RDS User Guide, "Limitations for Secrets Manager integration with Amazon
    RDS"), and the secondaries are such replicas.

    The password lives in write-only arguments fed by ephemeral resources (Terraform
    1.11), so no state or plan file holds it:

    - in the primary, Secrets Manager generates it (``GetRandomPassword``, ephemeral) and
      it is written to the secret (``secret_string_wo``); the database is then given the
      value read back from that secret (:attr:`password`), so a database imported into
      the state after a failover is given the password it already has;
    - in a secondary, the secret is a copy of the primary's secret, read at apply time
      (the replica itself takes its password from the primary by replication).

    Both write only when ``master_password_version`` changes: raising it rotates the
    password (primary first, then every secondary copies it, in one ``make deploy``).

    Creates: ``aws_secretsmanager_secret`` and ``aws_secretsmanager_secret_version``,
    with the ephemeral ``aws_secretsmanager_random_password`` and
    ``aws_secretsmanager_secret_version`` they are written from.

    Example::

        creds = MasterCredentials(tier, "credentials", provider=provider, ctx=ctx,
                                  props=config.database, key=key)
        DbInstance(..., password_wo=creds.password, password_wo_version=creds.version_number)
    """

    def __init__(
        self,
        scope: Construct,
        id: str,
        *,
        provider: AwsProvider,
        ctx: Context,
        props: DatabaseConfig,
        key: RegionalKey,
        copy_from: CredentialsSource | None = None,
    ):
        """``copy_from``: the primary's secret; set, this region keeps a copy of it.
        Default: none, this region generates the password (the primary)."""
        super().__init__(scope, id)
        self.version_number = props.master_password_version
        self.secret = SecretsmanagerSecret(
            self,
            "master-secret",
            provider=provider,
            name=master_secret_name(ctx.naming),
            description=f"Master user of the {props.engine.value} database in this region (username, password)",
            kms_key_id=key.arn,
            recovery_window_in_days=secret_recovery_window(ctx.stateful),
            lifecycle=protect(ctx.stateful),
        )
        if copy_from is None:
            generated = ephemeral(
                self,
                "aws_secretsmanager_random_password",
                "master-generated",
                provider=provider,
                password_length=PASSWORD_LENGTH,
                exclude_punctuation=True,
                include_space=False,
            )
            value = f'${{jsonencode({{username = "{props.username}", password = {generated}.random_password}})}}'
        else:
            source = ephemeral(
                self,
                "aws_secretsmanager_secret_version",
                "master-source",
                provider=copy_from.provider,
                secret_id=copy_from.secret_id,
            )
            value = f"${{{source}.secret_string}}"
        self.version = SecretsmanagerSecretVersion(
            self,
            "master-value",
            provider=provider,
            secret_id=self.secret.id,
            secret_string_wo=value,
            secret_string_wo_version=self.version_number,
        )
        self.password: str | None = None
        """The password as the secret holds it (a reference for ``password_wo``); primary only."""
        if copy_from is None:
            current = ephemeral(
                self,
                "aws_secretsmanager_secret_version",
                "master-current",
                provider=provider,
                secret_id=self.secret.id,
                version_id=self.version.version_id,
            )
            self.password = f"${{jsondecode({current}.secret_string).password}}"

    @property
    def arn(self) -> str:
        return self.secret.arn
