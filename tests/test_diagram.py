"""The architecture diagram: the graph model read from the synthesized JSON, the rendered
PNG/SVG, and the guard that keeps docs/architecture.png in step with the code."""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import ROOT, Synth, Synthesizer
from tooling import diagram
from tooling.architecture import Architecture, build_model, clusters, stack_nodes

EAST, WEST, GLOBAL = "webapp-prod-us-east-1", "webapp-prod-us-west-2", "webapp-prod-global"
COMMITTED = ROOT / "docs" / "architecture.png"


@pytest.fixture(scope="module")
def model(default_synth: Synth) -> Architecture:
    return build_model(default_synth)


def edge_labels(model: Architecture, src: str, dst: str) -> set[str]:
    return {e.label for e in model.edges if e.src == src and e.dst == dst}


def only(model: Architecture, stack: str, kind: str) -> str:
    (node,) = stack_nodes(model, stack, kind)
    return node.id


def test_each_region_has_its_alb_asg_and_database_in_its_vpc(model: Architecture) -> None:
    for stack, region, role, cidr in (
        (EAST, "us-east-1", "primary", "10.0.0.0/16"),
        (WEST, "us-west-2", "secondary", "10.1.0.0/16"),
    ):
        for kind in ("alb", "asg", "rds"):
            node = model.node(only(model, stack, kind))
            assert node.cluster == (f"{region} · {role}", f"VPC {cidr}"), node
    assert "primary, Multi-AZ" in model.node(only(model, EAST, "rds")).label
    assert "read replica" in model.node(only(model, WEST, "rds")).label


def test_request_path_alb_to_asg_to_database(model: Architecture) -> None:
    for stack in (EAST, WEST):
        alb, asg, db = (only(model, stack, k) for k in ("alb", "asg", "rds"))
        assert edge_labels(model, alb, asg) == {"forward, tcp/8080"}
        assert edge_labels(model, asg, db) == {"tcp/5432"}
        assert not edge_labels(model, alb, db), "the ALB must not reach the database"


def test_azs_and_subnet_tiers_inside_each_vpc(model: Architecture) -> None:
    paths = clusters(model)
    for region, cidr in (("us-east-1 · primary", "10.0.0.0/16"), ("us-west-2 · secondary", "10.1.0.0/16")):
        azs = {p[2] for p in paths if p[:2] == (region, f"VPC {cidr}") and len(p) == 3}
        assert len(azs) == 3
        tiers = {p[3].split()[0] for p in paths if p[:2] == (region, f"VPC {cidr}") and len(p) == 4}
        assert tiers == {"public", "private", "database"}
    nats = [n for n in model.of_kind("nat") if n.id.startswith(EAST)]
    assert len(nats) == 3 and all(n.cluster[-1].startswith("public ") for n in nats)


def test_cross_region_arrows(model: Architecture) -> None:
    east_db, west_db = only(model, EAST, "rds"), only(model, WEST, "rds")
    assert edge_labels(model, east_db, west_db) == {"async replication"}
    east_vault, west_vault = only(model, EAST, "backup"), only(model, WEST, "backup")
    assert edge_labels(model, east_vault, west_vault) == {"copy"}
    assert edge_labels(model, east_db, east_vault) == {"daily backup"}
    east_bucket, west_bucket = only(model, EAST, "s3"), only(model, WEST, "s3")
    assert edge_labels(model, east_bucket, west_bucket) == {"S3 replication"}


def test_edge_cloudfront_origin_group_route53_and_waf(model: Architecture) -> None:
    cf, group, waf = only(model, GLOBAL, "cloudfront"), only(model, GLOBAL, "origin_group"), only(model, GLOBAL, "waf")
    east_alb, west_alb = only(model, EAST, "alb"), only(model, WEST, "alb")
    assert edge_labels(model, waf, cf) == {"filters"}
    assert edge_labels(model, cf, group) == {"/static/*, default"}
    assert edge_labels(model, cf, east_alb) == {"/api/*"}, "writes go to the primary only"
    assert edge_labels(model, group, east_alb) == {"1st"}
    assert edge_labels(model, group, west_alb) == {"failover on 500/502/503/504 or timeout"}
    records = {model.node(n.id).label.split()[-1]: n.id for n in model.of_kind("route53_record")}
    assert set(records) == {"PRIMARY", "SECONDARY"}
    assert edge_labels(model, records["PRIMARY"], east_alb) == {"primary"}
    assert edge_labels(model, records["SECONDARY"], west_alb) == {"secondary"}
    checks = {n.label.split()[2]: n.id for n in model.of_kind("health_check")}
    assert edge_labels(model, checks["us-east-1"], east_alb) == {"probes"}
    assert edge_labels(model, records["PRIMARY"], checks["us-east-1"]) == {"evaluates"}


def test_model_follows_the_config_not_a_fixed_picture(synthesize: Synthesizer) -> None:
    """dev: 2 AZs, one NAT gateway per region, no bastion, no Multi-AZ."""
    _, docs = synthesize(ROOT / "config/dev.toml")
    dev = build_model(docs)
    for stack in (s for s in docs if not s.endswith("-global")):
        assert len(stack_nodes(dev, stack, "nat")) == 1
        assert not stack_nodes(dev, stack, "ec2")
        assert len(stack_nodes(dev, stack, "subnet")) == 6
        assert "Multi-AZ" not in dev.node(only(dev, stack, "rds")).label


def test_model_json_is_canonical(model: Architecture, default_synth: Synth) -> None:
    again = build_model(dict(reversed(list(default_synth.items()))))
    assert again.to_json() == model.to_json()


@pytest.mark.skipif(shutil.which("dot") is None, reason="Graphviz not installed (make install installs it)")
def test_render_png_and_svg(model: Architecture, tmp_path: Path) -> None:
    source = diagram.render(model, tmp_path / "arch", "test")
    png = (tmp_path / "arch.png").read_bytes()
    width, height = diagram.png_size(png)  # raises unless every chunk's CRC holds
    assert width > 1000 and height > 1000
    assert diagram.png_text(png)[diagram.FINGERPRINT_KEY] == diagram.fingerprint(model)
    assert (tmp_path / "arch.svg").read_text().count("<svg") == 1
    # The graph Graphviz drew holds a node for every stack's ALB and database.
    for stack in (EAST, WEST):
        for kind in ("alb", "rds"):
            label = model.node(only(model, stack, kind)).label
            assert f'label="{label}"' in source, (stack, kind)
    assert len(re.findall(r'subgraph "?cluster_', source)) == len(clusters(model))


def test_committed_picture_matches_the_code_and_the_default_config(model: Architecture) -> None:
    """docs/architecture.png carries the fingerprint of the model and of the drawing code it
    was made from; any change to either (or to what the constructs synthesize) needs a new
    picture. File times are no guard (git does not keep them)."""
    stamped = diagram.png_text(COMMITTED.read_bytes()).get(diagram.FINGERPRINT_KEY)
    assert stamped == diagram.fingerprint(model), "docs/architecture.png is stale: run `make diagram` and commit docs/"
    assert COMMITTED.with_suffix(".svg").read_text().count(diagram.fingerprint(model)) == 1


def test_png_reader_rejects_damage() -> None:
    data = bytearray(COMMITTED.read_bytes())
    data[40] ^= 0xFF
    with pytest.raises(diagram.DiagramError, match="CRC"):
        diagram.png_chunks(bytes(data))
    with pytest.raises(diagram.DiagramError, match="signature"):
        diagram.png_chunks(b"GIF89a")


def test_cli_without_synth_output_says_what_to_do(tmp_path: Path) -> None:
    proc = subprocess.run(
        [sys.executable, "-m", "tooling.diagram", "--outdir", str(tmp_path / "none")],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert proc.returncode == 2
    assert "synthesize first (make synth)" in proc.stderr and "Traceback" not in proc.stderr
