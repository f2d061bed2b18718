"""moto's server with the fixes the region-loss drill needs, for the local profile only.

- moto 5.2.5's ``PromoteReadReplica`` only flips an internal flag: the promoted instance
  keeps ``ReadReplicaSourceDBInstanceIdentifier`` and its source keeps listing it as a
  replica, so nothing (Terraform's import, the failover tool, a test) could see that the
  promotion happened. On AWS a promoted instance is standalone (RDS User Guide,
  "Promoting a read replica to be a standalone DB instance"); this makes moto say so too.
- moto gives every DB instance the same ``DbiResourceId``, which the AWS provider reads
  instances by: once a region holds two (a failback's new replica beside the kept
  diverged database) the provider finds the wrong one. On AWS it is unique per instance;
  here each instance, replicas included, gets its own.
- moto keeps a deleted backup plan's name taken (``AlreadyExistsException``), so a
  region that was primary before cannot get its plan back after a failback; AWS lets a
  new plan take the name of a deleted one.

Run as ``python -m tooling.emulator_server -H 127.0.0.1 -p PORT`` (the arguments of
``moto_server``); ``tooling.local_aws.MotoServer`` does.
"""

from __future__ import annotations

import secrets
import string
import sys
from typing import Any


def unique_resource_id() -> str:
    """An id shaped like RDS's: ``db-`` and 26 upper-case letters and digits."""
    return "db-" + "".join(secrets.choice(string.ascii_uppercase + string.digits) for _ in range(26))


def promote_read_replica(self: Any, db_kwargs: dict[str, Any]) -> Any:
    database = self.databases[db_kwargs["db_instance_identifier"]]
    if database.is_replica:
        source = database.source_db_instance_identifier
        database.is_replica = False
        database.source_db_instance_identifier = None
        try:
            primary = self.find_db_from_id(source)
        except Exception:  # the source is gone (a lost region): nothing to unlink
            primary = None
        if primary is not None:
            for name in (database.db_instance_arn, database.db_instance_identifier):
                if name in primary.replicas:
                    primary.replicas.remove(name)
        database.update(**db_kwargs)
    return database


def create_backup_plan(original: Any) -> Any:
    def create(self: Any, *args: Any, **kwargs: Any) -> Any:
        deleted = {k: p for k, p in self.plans.items() if p.deletion_date is not None}
        for key in deleted:
            del self.plans[key]
        try:
            return original(self, *args, **kwargs)
        finally:
            self.plans.update(deleted)

    return create


def main() -> None:
    from moto.backup.models import BackupBackend
    from moto.rds.models import DBInstance, RDSBackend
    from moto.server import main as moto_main

    BackupBackend.create_backup_plan = create_backup_plan(BackupBackend.create_backup_plan)  # type: ignore[method-assign]

    RDSBackend.promote_read_replica = promote_read_replica  # type: ignore[method-assign]
    create_instance = DBInstance.__init__
    create_replica = RDSBackend.create_db_instance_read_replica

    def init(self: Any, *args: Any, **kwargs: Any) -> None:
        create_instance(self, *args, **kwargs)
        self.dbi_resource_id = unique_resource_id()

    def replica(self: Any, db_kwargs: dict[str, Any]) -> Any:
        made = create_replica(self, db_kwargs)
        made.dbi_resource_id = unique_resource_id()  # a copy of its source's otherwise
        return made

    DBInstance.__init__ = init  # type: ignore[method-assign]
    RDSBackend.create_db_instance_read_replica = replica  # type: ignore[method-assign]
    moto_main(sys.argv[1:])


if __name__ == "__main__":
    main()
