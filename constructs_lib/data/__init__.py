"""The data of one region: ``DataTier`` (database and vault) and ``CrossRegionBackup``."""

from .backup import BackupVault, CrossRegionBackup, vault_arn, vault_name
from .credentials import CredentialsSource, MasterCredentials, master_secret_name
from .database import Database, engine_parameters, parameter_family
from .tier import DataTier

__all__ = [
    "BackupVault",
    "CredentialsSource",
    "CrossRegionBackup",
    "DataTier",
    "Database",
    "MasterCredentials",
    "engine_parameters",
    "master_secret_name",
    "parameter_family",
    "vault_arn",
    "vault_name",
]
