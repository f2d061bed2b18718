"""The data of one region: ``DataTier`` (database and vault) and ``CrossRegionBackup``."""

from .backup import BackupVault, CrossRegionBackup, vault_arn, vault_name
from .database import Database, engine_parameters, parameter_family
from .tier import DataTier

__all__ = [
    "BackupVault",
    "CrossRegionBackup",
    "DataTier",
    "Database",
    "engine_parameters",
    "parameter_family",
    "vault_arn",
    "vault_name",
]
