"""Refresh the tables of AWS offerings the config is checked against
(``constructs_lib/tables``, see ``constructs_lib/aws_tables.py``) from AWS's own APIs.

Read-only calls with your AWS credentials, one per table and region (paginated):

    ec2_instance_types               ec2 DescribeInstanceTypeOfferings (LocationType=region)
    ec2_instance_architectures       ec2 DescribeInstanceTypes (one region: x86_64/arm64 per type)
    vpc_endpoint_services            ec2 DescribeVpcEndpointServices (service-type Interface)
    rds_engine_versions_<engine>     rds DescribeDBEngineVersions
    rds_instance_classes_<engine>    rds DescribeOrderableDBInstanceOptions (in a VPC)

Each table is rewritten with today's date as ``as_of``, the API as its ``source`` and
one list per region (regions not asked for keep their lists). ``engine_reserved_words`` comes from engine manuals, not an API,
and is left alone.

    make refresh-tables                        # every table, every supported region
    python -m tooling.refresh_tables --regions us-east-1 us-west-2 --only ec2_instance_types
    python -m tooling.refresh_tables --endpoint-url http://127.0.0.1:5000 --out /tmp/tables   # an emulator
"""

from __future__ import annotations

import argparse
import datetime
import json
import sys
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

from constructs_lib.aws_tables import TABLES
from constructs_lib.config import Engine
from constructs_lib.regions import SUPPORTED_REGIONS

ClientFor = Callable[[str, str], Any]
"""``(service, region) -> boto3 client``."""


def pages(
    call: Callable[..., dict[str, Any]], token: str, next_key: str | None = None, **kwargs: Any
) -> Iterator[dict[str, Any]]:
    """Every page of a paginated AWS call: the request parameter ``token`` carries the
    response key ``next_key`` (default: the same name) until it is absent."""
    next_key = next_key or token
    while True:
        page = call(**kwargs)
        yield page
        if not page.get(next_key):
            return
        kwargs[token] = page[next_key]


def ec2_instance_types(client: Any, region: str) -> list[str]:
    return sorted(
        offer["InstanceType"]
        for page in pages(client.describe_instance_type_offerings, "NextToken", LocationType="region")
        for offer in page["InstanceTypeOfferings"]
    )


def vpc_endpoint_services(client: Any, region: str) -> list[str]:
    prefix = f"com.amazonaws.{region}."
    names = (
        name
        for page in pages(
            client.describe_vpc_endpoint_services,
            "NextToken",
            Filters=[{"Name": "service-type", "Values": ["Interface"]}],
        )
        for name in page["ServiceNames"]
    )
    return sorted({name[len(prefix) :] for name in names if name.startswith(prefix)})


def ec2_instance_architectures(client: Any) -> dict[str, list[str]]:
    """Architecture -> instance types (one region's DescribeInstanceTypes suffices: an
    instance type's architecture is the same everywhere)."""
    found: dict[str, list[str]] = {"x86_64": [], "arm64": []}
    for page in pages(client.describe_instance_types, "NextToken"):
        for itype in page["InstanceTypes"]:
            for arch in itype.get("ProcessorInfo", {}).get("SupportedArchitectures", []):
                if arch in found:
                    found[arch].append(itype["InstanceType"])
    return {arch: sorted(types) for arch, types in found.items()}


def rds_engine_versions(engine: str) -> Callable[[Any, str], list[str]]:
    def fetch(client: Any, region: str) -> list[str]:
        versions = {
            v["EngineVersion"]
            for page in pages(client.describe_db_engine_versions, "Marker", Engine=engine)
            for v in page["DBEngineVersions"]
            if v.get("Status", "available") == "available"
        }
        return sorted(versions, key=_version_key)

    return fetch


def rds_instance_classes(engine: str) -> Callable[[Any, str], list[str]]:
    def fetch(client: Any, region: str) -> list[str]:
        return sorted(
            {
                option["DBInstanceClass"]
                for page in pages(client.describe_orderable_db_instance_options, "Marker", Engine=engine, Vpc=True)
                for option in page["OrderableDBInstanceOptions"]
            }
        )

    return fetch


def _version_key(version: str) -> list[int | str]:
    return [int(p) if p.isdigit() else p for p in version.replace("-", ".").split(".")]


REFRESHERS: dict[str, tuple[str, Callable[[Any, str], list[str]], str]] = {
    "ec2_instance_types": (
        "ec2",
        ec2_instance_types,
        "AWS API ec2 DescribeInstanceTypeOfferings (LocationType=region)",
    ),
    "vpc_endpoint_services": (
        "ec2",
        vpc_endpoint_services,
        "AWS API ec2 DescribeVpcEndpointServices (service-type Interface, com.amazonaws.<region>. names)",
    ),
    **{
        f"rds_engine_versions_{e.value}": ("rds", rds_engine_versions(e.value), "AWS API rds DescribeDBEngineVersions")
        for e in Engine
    },
    **{
        f"rds_instance_classes_{e.value}": (
            "rds",
            rds_instance_classes(e.value),
            "AWS API rds DescribeOrderableDBInstanceOptions (Vpc=true)",
        )
        for e in Engine
    },
}
"""Table name -> (service, fetch(client, region), source)."""


ARCHITECTURES = "ec2_instance_architectures"


def write_table(path: Path, meta: dict[str, str], regions: dict[str, list[str]]) -> None:
    """The table format of ``constructs_lib/tables``: metadata, then one line per region
    (diffs show which region gained or lost what)."""
    lines = ["{", *(f"  {json.dumps(k)}: {json.dumps(v)}," for k, v in meta.items()), '  "regions": {']
    rows = [f"    {json.dumps(region)}: {json.dumps(values)}" for region, values in regions.items()]
    lines += [",\n".join(rows), "  }", "}"]
    path.write_text("\n".join(lines) + "\n")


def refresh(name: str, client_for: ClientFor, regions: list[str], source_dir: Path, out_dir: Path) -> Path:
    """Rewrite table ``name`` from AWS for ``regions``, keeping the lists of the regions
    not asked for (and the file's ``what`` and ``refresh``)."""
    old = json.loads((source_dir / f"{name}.json").read_text())
    if name == ARCHITECTURES:
        data = ec2_instance_architectures(client_for("ec2", regions[0]))
        source = f"AWS API ec2 DescribeInstanceTypes ({regions[0]})"
    else:
        service, fetch, api = REFRESHERS[name]
        fetched = {region: fetch(client_for(service, region), region) for region in regions}
        # A "*" list stands for the regions without a list of their own: once regions
        # have their own, it no longer says anything.
        data = {**{r: v for r, v in old["regions"].items() if r != "*"}, **fetched}
        source = f"{api}, per region"
    empty = [key for key, values in data.items() if not values]
    if empty:
        raise RuntimeError(f"{name}: AWS returned nothing for {', '.join(empty)}; table left unchanged")
    meta = {
        "what": old["what"],
        "as_of": datetime.date.today().isoformat(),
        "source": source,
        "refresh": old["refresh"],
    }
    out = out_dir / f"{name}.json"
    write_table(out, meta, data)
    return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--regions", nargs="+", default=list(SUPPORTED_REGIONS))
    names = sorted([*REFRESHERS, ARCHITECTURES])
    parser.add_argument("--only", nargs="+", choices=names, default=names)
    parser.add_argument("--endpoint-url", help="an AWS API emulator on loopback (tests)")
    parser.add_argument("--out", type=Path, default=TABLES, help="where to write (default: constructs_lib/tables)")
    args = parser.parse_args(argv)
    import boto3
    from botocore.exceptions import BotoCoreError, ClientError

    def client_for(service: str, region: str) -> Any:
        return boto3.client(service, region_name=region, endpoint_url=args.endpoint_url)

    args.out.mkdir(parents=True, exist_ok=True)
    for name in args.only:
        try:
            path = refresh(name, client_for, args.regions, TABLES, args.out)
        except (RuntimeError, BotoCoreError, ClientError) as err:
            # One line, and the tables not yet written stay as they were.
            print(f"refresh-tables: {name}: {err}", file=sys.stderr)
            return 1
        print(f"refresh-tables: wrote {path} ({len(args.regions)} regions)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
