"""What AWS offers, as tables kept in the project (``constructs_lib/tables/*.json``).

Synthesis needs no AWS credentials and gives the same result on every machine, so
the config is checked against data kept here rather than looked up: EC2 instance
types per region, interface endpoint services, RDS engine versions and instance
classes. Each file says what it holds, where it comes from, its date (``as_of``) and
how to refresh it (``make refresh-tables``, ``tooling/refresh_tables.py``: read-only
AWS calls with your credentials). A value a table does not list is reported as
unknown *to the table*, with its date, since AWS may have added it since.

A file's ``regions`` maps a region to its values; the key ``*`` holds values known
for every region the file does not list on its own.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import cache
from pathlib import Path

TABLES = Path(__file__).resolve().parent / "tables"


@dataclass(frozen=True)
class Table:
    name: str
    as_of: str
    source: str
    regions: dict[str, frozenset[str]]

    def offered(self, region: str) -> frozenset[str]:
        """The values of ``region`` (or of ``*`` when the table has no list of its own for it)."""
        return self.regions.get(region) or self.regions.get("*", frozenset())

    def known(self, value: str) -> bool:
        """True when some region offers ``value``."""
        return any(value in values for values in self.regions.values())

    @property
    def cite(self) -> str:
        """How a message names this table: its file and date."""
        return f"constructs_lib/tables/{self.name}.json, as of {self.as_of}; make refresh-tables updates it"


@cache
def table(name: str) -> Table:
    """The table ``constructs_lib/tables/<name>.json`` (read once per process)."""
    return read_table(TABLES / f"{name}.json")


def read_table(path: Path) -> Table:
    """The table in the file ``path`` (a shipped one, or one ``make refresh-tables`` wrote)."""
    data = json.loads(path.read_text())
    return Table(
        name=path.stem,
        as_of=data["as_of"],
        source=data["source"],
        regions={region: frozenset(values) for region, values in data["regions"].items()},
    )
