"""Draw the architecture of a synthesized app (``make diagram``).

    python -m tooling.diagram [--outdir cdktf.out] [--out docs/architecture] [--describe]

reads ``<outdir>/stacks/*/cdk.tf.json`` through :mod:`tooling.architecture` and renders
``<out>.png`` and ``<out>.svg`` with the ``diagrams`` package (Graphviz's ``dot`` must be
on PATH). The PNG carries a ``tEXt`` chunk ``architecture-fingerprint``: the SHA-256 of
the graph model and of the code that draws it. The tests recompute it from the default
config, so a committed picture that no longer matches the code or the architecture fails
CI (file times are no guard: git does not keep them).
"""

from __future__ import annotations

import argparse
import itertools
import shutil
import struct
import sys
import zlib
from pathlib import Path
from typing import Any

from tooling.architecture import Architecture, Node, describe, model_from_outdir

FINGERPRINT_KEY = "architecture-fingerprint"
PNG_MAGIC = b"\x89PNG\r\n\x1a\n"
_CODE = (Path(__file__).with_name("architecture.py"), Path(__file__))

# kind -> (module, class) of the icon; subnets pick public/private by tier.
ICONS: dict[str, tuple[str, str]] = {
    "alb": ("diagrams.aws.network", "ElbApplicationLoadBalancer"),
    "asg": ("diagrams.aws.compute", "EC2AutoScaling"),
    "rds": ("diagrams.aws.database", "RDS"),
    "nat": ("diagrams.aws.network", "NATGateway"),
    "subnet": ("diagrams.aws.network", "PrivateSubnet"),
    "public_subnet": ("diagrams.aws.network", "PublicSubnet"),
    "ec2": ("diagrams.aws.compute", "EC2Instance"),
    "lambda": ("diagrams.aws.compute", "LambdaFunction"),
    "s3": ("diagrams.aws.storage", "S3"),
    "sns": ("diagrams.aws.integration", "SNS"),
    "alarms": ("diagrams.aws.management", "CloudwatchAlarm"),
    "backup": ("diagrams.aws.storage", "Backup"),
    "users": ("diagrams.onprem.client", "Users"),
    "route53_zone": ("diagrams.aws.network", "Route53HostedZone"),
    "route53_record": ("diagrams.aws.network", "Route53"),
    "health_check": ("diagrams.aws.management", "Cloudwatch"),
    "cloudfront": ("diagrams.aws.network", "CloudFront"),
    "origin_group": ("diagrams.aws.network", "CloudFrontEdgeLocation"),
    "waf": ("diagrams.aws.security", "WAF"),
    "trail": ("diagrams.aws.management", "Cloudtrail"),
}

GRAPH_ATTR = {"fontsize": "22", "pad": "0.4", "nodesep": "0.5", "ranksep": "0.9", "splines": "spline"}
CLUSTER_ATTR = {"fontsize": "15", "margin": "14"}
NODE_ATTR = {"fontsize": "12"}


class DiagramError(RuntimeError):
    pass


def fingerprint(model: Architecture) -> str:
    """What the committed picture must carry: model + drawing code."""
    return model.fingerprint(*(p.read_bytes() for p in _CODE))


def _icon(node: Node) -> Any:
    import importlib

    kind = node.kind
    if kind == "subnet" and node.label.startswith("public"):
        kind = "public_subnet"
    module, cls = ICONS[kind]
    return getattr(importlib.import_module(module), cls)


def render(model: Architecture, out: str | Path, title: str = "") -> str:
    """Render ``<out>.png`` and ``<out>.svg``; returns the DOT source Graphviz laid out."""
    if shutil.which("dot") is None:
        raise DiagramError(
            "Graphviz is not installed (no `dot` on PATH): run `make install`, or apt-get install graphviz / brew install graphviz"
        )
    from diagrams import Cluster, Diagram, Edge

    out = Path(out)
    out.parent.mkdir(parents=True, exist_ok=True)
    drawn: dict[str, Any] = {}
    paths = sorted({n.cluster for n in model.nodes})
    children: dict[tuple[str, ...], list[tuple[str, ...]]] = {}
    for path in {p[:i] for p in paths for i in range(1, len(p) + 1)}:
        children.setdefault(path[:-1], []).append(path)

    def place(path: tuple[str, ...]) -> None:
        for node in (n for n in model.nodes if n.cluster == path):
            drawn[node.id] = _icon(node)(node.label)
        for child in sorted(children.get(path, [])):
            with Cluster(child[-1], graph_attr=CLUSTER_ATTR):
                place(child)

    with Diagram(
        title or "architecture",
        filename=str(out),
        outformat=["png", "svg"],
        show=False,
        direction="TB",
        graph_attr=GRAPH_ATTR,
        node_attr=NODE_ATTR,
    ) as diagram:
        place(())
        # Tiers of one AZ stacked top to bottom (public, private, database), not side by side.
        tier_rank = {"public": 0, "private": 1, "database": 2}
        by_az: dict[tuple[str, ...], list[Node]] = {}
        for n in model.nodes:
            if n.kind == "subnet":
                by_az.setdefault(n.cluster[:-1], []).append(n)
        for subnets in by_az.values():
            subnets.sort(key=lambda n: tier_rank.get(n.label.split()[0], 9))
            for upper, lower in itertools.pairwise(subnets):
                drawn[upper.id] >> Edge(style="invis") >> drawn[lower.id]
        regions = {
            n.id: n.cluster[0] for n in model.nodes if n.cluster and n.kind != "users" and n.cluster[0] != "global"
        }
        for e in model.edges:
            color = "firebrick" if e.style == "dashed" else "#333333"
            # Arrows between two regions (replica, backup copy, bucket replication) must not
            # rank one region below the other: the regions stand side by side.
            across = e.src in regions and e.dst in regions and regions[e.src] != regions[e.dst]
            attrs = {"constraint": "false"} if across else {}
            drawn[e.src] >> Edge(label=e.label, style=e.style, color=color, fontsize="11", **attrs) >> drawn[e.dst]
        source = str(diagram.dot.source)
    stamp = fingerprint(model)
    stamp_png(out.with_suffix(".png"), FINGERPRINT_KEY, stamp)
    svg = out.with_suffix(".svg")
    svg.write_text(svg.read_text().replace("<svg ", f"<!-- {FINGERPRINT_KEY}: {stamp} -->\n<svg ", 1))
    return source


# --- PNG text chunks (stdlib only) -------------------------------------------------------


def png_chunks(data: bytes) -> list[tuple[bytes, bytes]]:
    """(type, payload) of every chunk; raises DiagramError if this is not a well-formed PNG."""
    if not data.startswith(PNG_MAGIC):
        raise DiagramError("not a PNG (bad signature)")
    chunks, pos = [], len(PNG_MAGIC)
    while pos < len(data):
        if pos + 8 > len(data):
            raise DiagramError("truncated PNG chunk header")
        (length,) = struct.unpack(">I", data[pos : pos + 4])
        ctype, payload = data[pos + 4 : pos + 8], data[pos + 8 : pos + 8 + length]
        (crc,) = struct.unpack(">I", data[pos + 8 + length : pos + 12 + length])
        if zlib.crc32(ctype + payload) != crc:
            raise DiagramError(f"bad CRC in PNG chunk {ctype!r}")
        chunks.append((ctype, payload))
        pos += 12 + length
    if not chunks or chunks[0][0] != b"IHDR" or chunks[-1][0] != b"IEND":
        raise DiagramError("PNG does not start with IHDR and end with IEND")
    return chunks


def png_size(data: bytes) -> tuple[int, int]:
    ihdr = png_chunks(data)[0][1]
    width, height = struct.unpack(">II", ihdr[:8])
    return width, height


def png_text(data: bytes) -> dict[str, str]:
    out = {}
    for ctype, payload in png_chunks(data):
        if ctype == b"tEXt" and b"\0" in payload:
            key, value = payload.split(b"\0", 1)
            out[key.decode("latin-1")] = value.decode("latin-1")
    return out


def stamp_png(path: Path, key: str, value: str) -> None:
    """Insert (or replace) a tEXt chunk just before IEND."""
    data = path.read_bytes()
    chunks = [(t, p) for t, p in png_chunks(data) if not (t == b"tEXt" and p.startswith(key.encode() + b"\0"))]
    payload = key.encode("latin-1") + b"\0" + value.encode("latin-1")
    chunks.insert(len(chunks) - 1, (b"tEXt", payload))
    body = b"".join(struct.pack(">I", len(p)) + t + p + struct.pack(">I", zlib.crc32(t + p)) for t, p in chunks)
    path.write_bytes(PNG_MAGIC + body)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m tooling.diagram", description=__doc__.split("\n\n")[0])
    parser.add_argument("--outdir", default="cdktf.out", help="cdktf output directory (default: cdktf.out)")
    parser.add_argument(
        "--out", default="docs/architecture", help="output path without suffix (default: docs/architecture)"
    )
    parser.add_argument("--title", default="", help="diagram title (default: the stack names' common prefix)")
    parser.add_argument("--describe", action="store_true", help="print the graph model instead of drawing")
    args = parser.parse_args(argv)
    try:
        model = model_from_outdir(args.outdir)
    except (FileNotFoundError, ValueError, KeyError) as exc:
        print(f"error: cannot read {args.outdir}: {exc}", file=sys.stderr)
        return 2
    if args.describe:
        print("\n".join(describe(model)))
        return 0
    title = args.title or _title(model)
    try:
        render(model, args.out, title)
    except DiagramError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    png = Path(args.out).with_suffix(".png")
    w, h = png_size(png.read_bytes())
    print(
        f"wrote {png} ({w}x{h}, {png.stat().st_size} bytes) and {png.with_suffix('.svg')}: "
        f"{len(model.nodes)} nodes, {len(model.edges)} edges"
    )
    return 0


def _title(model: Architecture) -> str:
    names = list(model.stacks)
    prefix = names[0] if names else ""
    for n in names[1:]:
        while not n.startswith(prefix):
            prefix = prefix[:-1]
    return f"{prefix.rstrip('-')}: {', '.join(n.removeprefix(prefix) for n in names)}" if prefix else "architecture"


if __name__ == "__main__":
    sys.exit(main())
