"""The subnet plan is pure: exact values, and properties over any valid input."""

from __future__ import annotations

import ipaddress

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from constructs_lib import cidr


def test_reference_plan_for_a_16_and_three_azs() -> None:
    p = cidr.plan("10.0.0.0/16", 3)
    assert p.public == ("10.0.0.0/24", "10.0.1.0/24", "10.0.2.0/24")
    assert p.private == ("10.0.16.0/20", "10.0.32.0/20", "10.0.48.0/20")
    assert p.database == ("10.0.240.0/24", "10.0.241.0/24", "10.0.242.0/24")


def test_adding_an_az_keeps_existing_subnets() -> None:
    three, four = cidr.plan("10.1.0.0/16", 3), cidr.plan("10.1.0.0/16", 4)
    assert four.public[:3] == three.public
    assert four.private[:3] == three.private
    assert four.database[:3] == three.database


@pytest.mark.parametrize(
    ("vpc", "azs", "message"),
    [
        ("10.0.0.0/15", 3, "/16 to /20"),
        ("10.0.0.0/21", 2, "/16 to /20"),
        ("10.0.0.0/16", 7, "az_count must be 1..6"),
        ("10.0.0.0/16", 0, "az_count must be 1..6"),
    ],
)
def test_plan_rejects_what_does_not_fit(vpc: str, azs: int, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        cidr.plan(vpc, azs)


@st.composite
def vpcs(draw: st.DrawFn) -> tuple[str, int]:
    prefix = draw(st.integers(cidr.MIN_VPC_PREFIX, cidr.MAX_VPC_PREFIX))
    base = draw(st.sampled_from(["10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16"]))
    block = ipaddress.IPv4Network(base)
    index = draw(st.integers(0, 2 ** (prefix - block.prefixlen) - 1))
    net = ipaddress.IPv4Network((int(block.network_address) + index * 2 ** (32 - prefix), prefix))
    return str(net), draw(st.integers(1, cidr.MAX_AZS))


@settings(max_examples=200, deadline=None)
@given(vpcs())
def test_any_valid_plan_is_disjoint_and_inside_the_vpc(case: tuple[str, int]) -> None:
    vpc_cidr, azs = case
    vpc = ipaddress.IPv4Network(vpc_cidr)
    p = cidr.plan(vpc_cidr, azs)
    nets = [ipaddress.IPv4Network(n) for n in p.all()]
    assert len(p.public) == len(p.private) == len(p.database) == azs
    assert all(n.subnet_of(vpc) for n in nets)
    assert all(n.prefixlen <= 28 for n in nets), "AWS subnets are at most /28"
    for i, a in enumerate(nets):
        for b in nets[i + 1 :]:
            assert not a.overlaps(b), f"{a} overlaps {b}"
