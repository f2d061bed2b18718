"""The monthly cost estimate: counted from the synthesized JSON, and the README's table
is the one the code prints (so neither can drift from the other)."""

from __future__ import annotations

import pytest

from tests import readme
from tests.conftest import ROOT, Synth, Synthesizer
from tooling import cost
from tooling.cost import HOURS_PER_MONTH as H
from tooling.cost import UNIT

SHIPPED = ("default.toml", "mysql.toml", "dev.toml")


@pytest.fixture(scope="module")
def estimates(synthesize: Synthesizer) -> dict[str, list[cost.Item]]:
    return {name: cost.estimate(synthesize(ROOT / "config" / name)[1]) for name in SHIPPED}


def items(estimate: list[cost.Item], stack_suffix: str, category: str) -> dict[str, float]:
    return {i.what: i.monthly for i in estimate if i.stack.endswith(stack_suffix) and i.category == category}


def test_default_counts_what_the_synth_holds(estimates: dict[str, list[cost.Item]]) -> None:
    east = estimates["default.toml"]
    assert items(east, "us-east-1", "network") == {
        "3 NAT gateway(s)": round(3 * H * UNIT["nat_gateway_hour"], 2),
        "3 Elastic IP(s)": round(3 * H * UNIT["public_ipv4_hour"], 2),
        "bastion public IPv4": round(H * UNIT["public_ipv4_hour"], 2),
        "interface endpoints (18 endpoint-AZs)": round(18 * H * UNIT["interface_endpoint_az_hour"], 2),
    }
    assert items(east, "us-east-1", "database") == {
        "RDS postgres db.r6g.large primary Multi-AZ": round(2 * H * 0.225, 2),
        "RDS gp3 100 GB x 2": round(2 * 100 * UNIT["rds_gp3_gb_month"], 2),
    }
    # The replica bills its own instance (and standby) in us-west-2.
    assert "RDS postgres db.r6g.large replica Multi-AZ" in items(east, "us-west-2", "database")
    assert items(east, "global", "edge")["web ACL + 4 rules"] == UNIT["web_acl_month"] + 4 * UNIT["web_acl_rule_month"]


def test_categories_add_up_and_profiles_rank(estimates: dict[str, list[cost.Item]]) -> None:
    for estimate in estimates.values():
        assert round(sum(cost.by_category(estimate).values()), 2) == pytest.approx(cost.total(estimate), abs=0.05)
    dev, mysql, default = (cost.total(estimates[n]) for n in ("dev.toml", "mysql.toml", "default.toml"))
    assert dev < mysql < default
    assert dev < 0.2 * default, "dev is the cheap profile: one NAT, no endpoints, micro instances"


def test_dev_has_one_nat_per_region_and_no_endpoints(estimates: dict[str, list[cost.Item]]) -> None:
    for region in ("us-east-1", "us-west-2"):
        network = items(estimates["dev.toml"], region, "network")
        assert network == {
            "1 NAT gateway(s)": round(H * UNIT["nat_gateway_hour"], 2),
            "1 Elastic IP(s)": round(H * UNIT["public_ipv4_hour"], 2),
        }


def test_unknown_instance_type_names_the_type_and_the_fix(default_synth: Synth) -> None:
    docs = {k: dict(v) for k, v in default_synth.items()}
    east = next(k for k in docs if k.endswith("us-east-1"))
    resources = dict(docs[east]["resource"])
    lt = dict(resources["aws_launch_template"])
    name = next(iter(lt))
    lt[name] = {**lt[name], "instance_type": "x9.huge"}
    resources["aws_launch_template"] = lt
    docs[east] = {**docs[east], "resource": resources}
    with pytest.raises(
        cost.PriceMissing, match=r"no price for EC2 instance type 'x9\.huge': add it to tooling/cost\.py"
    ):
        cost.estimate(docs)


def test_readme_table_is_what_make_cost_prints(estimates: dict[str, list[cost.Item]]) -> None:
    assert readme.cost_table() == cost.markdown(estimates), "README cost table is stale: paste `make cost` output"
    text = readme.README.read_text()
    for unit, price in UNIT.items():
        assert f"`{unit}` {price:g}" in text, f"README must state the unit price {unit}"
