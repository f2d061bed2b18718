"""``make refresh-tables``: the tables of AWS offerings rewritten from AWS's APIs. Run
here against moto (EC2's real offerings data) and a paged fake (RDS, which moto does
not serve for these engines)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from constructs_lib import aws_tables
from tooling import refresh_tables
from tooling.local_aws import DUMMY, MotoServer

REGIONS = ["us-east-1", "us-west-2"]


@pytest.fixture(scope="module")
def moto(tmp_path_factory: pytest.TempPathFactory) -> Iterator[MotoServer]:
    server = MotoServer(tmp_path_factory.mktemp("moto") / "moto.log")
    yield server
    server.stop()


@pytest.mark.parametrize("name", ["ec2_instance_types", "vpc_endpoint_services", "ec2_instance_architectures"])
def test_ec2_tables_from_the_api(moto: MotoServer, tmp_path: Path, name: str, monkeypatch: pytest.MonkeyPatch) -> None:
    for key, value in DUMMY.items():
        monkeypatch.setenv(key, value)
    assert (
        refresh_tables.main(
            ["--endpoint-url", moto.endpoint, "--regions", *REGIONS, "--only", name, "--out", str(tmp_path)]
        )
        == 0
    )
    table = aws_tables.read_table(tmp_path / f"{name}.json")
    assert table.source.startswith("AWS API ec2")
    if name == "ec2_instance_architectures":
        assert set(table.regions) == {"x86_64", "arm64"}
        assert "t3.small" in table.regions["x86_64"] and "t4g.small" in table.regions["arm64"]
        return
    # The regions asked for are refreshed; every other region of the shipped table keeps its list.
    shipped = aws_tables.table(name)
    assert set(REGIONS) <= set(table.regions) and set(table.regions) - {"*"} >= set(shipped.regions) - {"*"}
    assert "*" not in table.regions
    expected = {"ec2_instance_types": "t3.small", "vpc_endpoint_services": "ssm"}[name]
    assert all(expected in table.offered(r) for r in REGIONS)
    assert not any(v.startswith("com.amazonaws.") for v in table.offered("us-east-1"))


class PagedRds:
    """DescribeDBEngineVersions / DescribeOrderableDBInstanceOptions in two pages."""

    def __init__(self) -> None:
        self.calls: list[dict[str, Any]] = []

    def describe_db_engine_versions(self, **kwargs: Any) -> dict[str, Any]:
        self.calls.append(kwargs)
        if "Marker" not in kwargs:
            return {"DBEngineVersions": [{"EngineVersion": "16.9", "Status": "available"}], "Marker": "p2"}
        return {
            "DBEngineVersions": [
                {"EngineVersion": "16.10", "Status": "available"},
                {"EngineVersion": "16.4", "Status": "deprecated"},
            ]
        }

    def describe_orderable_db_instance_options(self, **kwargs: Any) -> dict[str, Any]:
        self.calls.append(kwargs)
        if "Marker" not in kwargs:
            return {"OrderableDBInstanceOptions": [{"DBInstanceClass": "db.r6g.large"}] * 2, "Marker": "p2"}
        return {"OrderableDBInstanceOptions": [{"DBInstanceClass": "db.t4g.micro"}]}


def test_rds_tables_follow_every_page_and_keep_available_versions(tmp_path: Path) -> None:
    fake = PagedRds()
    for name in ("rds_engine_versions_postgres", "rds_instance_classes_postgres"):
        out = refresh_tables.refresh(name, lambda service, region: fake, ["eu-west-1"], aws_tables.TABLES, tmp_path)
        assert out == tmp_path / f"{name}.json"
    assert aws_tables.read_table(tmp_path / "rds_engine_versions_postgres.json").regions == {
        "eu-west-1": frozenset({"16.9", "16.10"})
    }
    assert aws_tables.read_table(tmp_path / "rds_instance_classes_postgres.json").offered("eu-west-1") == {
        "db.r6g.large",
        "db.t4g.micro",
    }
    assert [c.get("Marker") for c in fake.calls] == [None, "p2", None, "p2"]
    assert all(c["Engine"] == "postgres" for c in fake.calls)


def test_an_empty_answer_leaves_the_table_alone(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    class Empty:
        def describe_instance_type_offerings(self, **kwargs: Any) -> dict[str, Any]:
            return {"InstanceTypeOfferings": []}

    with pytest.raises(RuntimeError, match="AWS returned nothing for us-east-1"):
        refresh_tables.refresh("ec2_instance_types", lambda s, r: Empty(), ["us-east-1"], aws_tables.TABLES, tmp_path)
    assert not (tmp_path / "ec2_instance_types.json").exists()
