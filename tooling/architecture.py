"""The architecture graph, read from the synthesized Terraform JSON (not from the config).

Pure: no cdktf, no provider bindings, no Graphviz. ``model_from_outdir("cdktf.out")`` gives
an :class:`Architecture` (nodes in nested clusters, edges with labels) that
``tooling.diagram`` draws and the tests inspect.

What becomes a node, and where it sits:

- per regional stack, a cluster ``<region> · primary|secondary``; inside it the VPC
  (``VPC <cidr>``), one cluster per AZ and one per subnet tier (public, private,
  database) holding the subnet and what lives in it (NAT gateways, the bastion);
  the ALB, the Auto Scaling group, the Lambda function and the database in the VPC;
  the backup vault, the alarm topic and the application bucket in the region;
- the global stack: users, the Route 53 zone, the failover records and the health
  checks, CloudFront with its origin group, WAF, the audit trail.

Edges come from references in the JSON: security-group ingress rules between the
groups of two nodes (ALB -> ASG -> RDS, bastion -> ASG), ``replicate_source_db`` (the
replica arrow), backup-plan copy actions (the copy arrow), the distribution's origins
and origin group, alias records, health checks, S3 notifications and replication.
Cross-stack references (``data.terraform_remote_state.*.outputs.*``) are followed to the
resource behind the output.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Iterable, Iterator
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

Doc = dict[str, Any]
Address = tuple[str, str, str]
"""(stack, resource type, resource name)"""

REMOTE_PREFIX = "cross-stack-reference-input-"
NOT_RESOURCES = frozenset({"var", "local", "ephemeral", "module", "each", "count", "path", "self"})
"""First words of references that name no resource (``${var.domain}``)."""
_REF = re.compile(r"\$\{(data\.)?([a-z0-9_]+)\.([A-Za-z0-9_-]+)((?:\.[A-Za-z0-9_-]+)*)")
TIERS = ("public", "private", "database")


@dataclass(frozen=True, order=True)
class Node:
    id: str
    """``<stack>/<type>.<name>``: the Terraform address inside its stack (or a synthetic id)."""
    kind: str
    """What to draw: alb, asg, rds, nat, subnet, ec2, lambda, s3, sns, alarms, backup,
    users, route53_zone, route53_record, health_check, cloudfront, origin_group, waf, trail."""
    label: str
    cluster: tuple[str, ...] = ()
    """Nested cluster labels, outermost first (empty: top level)."""


@dataclass(frozen=True, order=True)
class Edge:
    src: str
    dst: str
    label: str = ""
    style: str = "solid"
    """solid: request path; dashed: asynchronous copy or control (replication, backups, checks)."""


@dataclass(frozen=True)
class Architecture:
    nodes: tuple[Node, ...]
    edges: tuple[Edge, ...]
    stacks: tuple[str, ...] = field(default=())

    def node(self, node_id: str) -> Node:
        for n in self.nodes:
            if n.id == node_id:
                return n
        raise KeyError(node_id)

    def of_kind(self, kind: str) -> list[Node]:
        return [n for n in self.nodes if n.kind == kind]

    def to_json(self) -> str:
        """Canonical form (sorted, stable): what the picture's fingerprint is taken of."""
        return json.dumps(
            {
                "stacks": list(self.stacks),
                "nodes": [asdict(n) for n in self.nodes],
                "edges": [asdict(e) for e in self.edges],
            },
            sort_keys=True,
            indent=1,
        )

    def fingerprint(self, *extra: bytes) -> str:
        h = hashlib.sha256(self.to_json().encode())
        for chunk in extra:
            h.update(chunk)
        return h.hexdigest()


# --- reading the synthesized output ----------------------------------------------------


def read_outdir(outdir: str | Path) -> dict[str, Doc]:
    """Stack name -> parsed ``cdk.tf.json`` of a cdktf output directory."""
    stacks = Path(outdir) / "stacks"
    if not stacks.is_dir():
        raise FileNotFoundError(f"{stacks} does not exist: synthesize first (make synth)")
    return {d.name: json.loads((d / "cdk.tf.json").read_text()) for d in sorted(stacks.iterdir()) if d.is_dir()}


def model_from_outdir(outdir: str | Path) -> Architecture:
    return build_model(read_outdir(outdir))


class Resolver:
    """Lookup and reference resolution across all stacks (shared with ``tooling.cost``)."""

    def __init__(self, docs: dict[str, Doc]):
        self.docs = docs
        self.vault_by_name: dict[str, Address] = {
            str(v.get("name")): (st, "aws_backup_vault", vn)
            for st in docs
            for vn, v in self.resources(st, "aws_backup_vault").items()
        }

    def resources(self, stack: str, rtype: str) -> dict[str, Doc]:
        return dict(self.docs[stack].get("resource", {}).get(rtype, {}))

    def get(self, addr: Address) -> Doc:
        return dict(self.docs[addr[0]]["resource"][addr[1]][addr[2]])

    def refs(self, stack: str, value: Any) -> Iterator[Address]:
        """Every resource a value refers to, following cross-stack outputs."""
        for text in _strings(value):
            for m in _REF.finditer(text):
                is_data, rtype, name, rest = m.groups()
                if is_data and rtype == "terraform_remote_state":
                    yield from self._remote(name, rest)
                elif not is_data and rtype not in NOT_RESOURCES:
                    yield (stack, rtype, name)

    def _remote(self, name: str, rest: str) -> Iterator[Address]:
        source = name.removeprefix(REMOTE_PREFIX)
        parts = rest.strip(".").split(".")
        if source not in self.docs or len(parts) < 2 or parts[0] != "outputs":
            return
        output = self.docs[source].get("output", {}).get(parts[1])
        if output is not None:
            yield from self.refs(source, output.get("value"))

    def launch_template(self, stack: str, asg: Doc) -> Doc:
        """The launch template an Auto Scaling group launches from ({} if none)."""
        ref = next(self.refs(stack, first(asg.get("launch_template")).get("id")), None)
        return self.get(ref) if ref is not None else {}

    def db_source(self, stack: str, db: Doc) -> Doc:
        """The primary a replica copies (engine, version, storage live there); else ``db``."""
        return next((self.get(a) for a in self.refs(stack, db.get("replicate_source_db"))), db)

    def origin_targets(self, stack: str, host: str) -> list[Address]:
        """What a CloudFront origin host leads to: the ALB it names (not delegated), the
        ALB the PRIMARY failover record points at (``origin.<domain>``), or the ALB of
        the region it names (``<region>.origin.<domain>``)."""
        direct = list(self.refs(stack, host))
        if direct or not host:
            return direct
        if host.startswith("origin."):
            return [
                target
                for record in self.resources(stack, "aws_route53_record").values()
                if first(record.get("failover_routing_policy")).get("type") == "PRIMARY"
                for target in self.refs(stack, first(record.get("alias")).get("name"))
            ]
        return self.albs_in(host.split(".", 1)[0])

    def albs_in(self, region: str) -> list[Address]:
        """The ALBs of the regional stacks in ``region``."""
        return [
            (stack, "aws_lb", name)
            for stack in self.docs
            for name, lb in self.resources(stack, "aws_lb").items()
            if self.region_of(stack, lb) == region
        ]

    def region_of(self, stack: str, resource: Doc) -> str:
        alias = str(resource.get("provider", "aws")).removeprefix("aws.")
        for p in self.docs[stack].get("provider", {}).get("aws", []):
            if p.get("alias", "aws") == alias or (alias == "aws" and "alias" not in p):
                return str(p.get("region", "?"))
        return "?"


def _strings(value: Any) -> Iterator[str]:
    if isinstance(value, str):
        yield value
    elif isinstance(value, dict):
        for k, v in value.items():
            if k != "//":
                yield from _strings(v)
    elif isinstance(value, list):
        for v in value:
            yield from _strings(v)


def node_id(addr: Address) -> str:
    return f"{addr[0]}/{addr[1]}.{addr[2]}"


def first(value: Any) -> Doc:
    """A nested block as cdktf writes it: a dict, or a list of one dict."""
    if isinstance(value, list):
        return dict(value[0]) if value else {}
    return dict(value) if isinstance(value, dict) else {}


# --- the model -------------------------------------------------------------------------


def build_model(docs: dict[str, Doc]) -> Architecture:
    s = Resolver(docs)
    nodes: dict[str, Node] = {}
    edges: set[Edge] = set()

    def add(addr: Address, kind: str, label: str, cluster: tuple[str, ...]) -> str:
        nid = node_id(addr)
        nodes[nid] = Node(nid, kind, readable(label), cluster)
        return nid

    def link(src: Address | str, dst: Address | str, label: str = "", style: str = "solid") -> None:
        a = src if isinstance(src, str) else node_id(src)
        b = dst if isinstance(dst, str) else node_id(dst)
        if a in nodes and b in nodes and a != b:
            edges.add(Edge(a, b, readable(label), style))

    regional = [name for name, doc in docs.items() if doc.get("resource", {}).get("aws_vpc")]
    for stack in regional:
        _regional(s, stack, add, link)
    for stack in docs:
        if stack not in regional:
            _global(s, stack, add, link)
    for stack in docs:
        _cross_region(s, stack, link)
        _security_group_flows(s, stack, link)
    return Architecture(tuple(sorted(nodes.values())), _merge(edges), tuple(sorted(docs)))


def _merge(edges: set[Edge]) -> tuple[Edge, ...]:
    """One edge per (src, dst, style); parallel labels joined (``forward, tcp/8080``)."""
    labels: dict[tuple[str, str, str], set[str]] = {}
    for e in edges:
        labels.setdefault((e.src, e.dst, e.style), set()).add(e.label)
    return tuple(
        sorted(Edge(src, dst, ", ".join(sorted(x for x in ls if x)), style) for (src, dst, style), ls in labels.items())
    )


def readable(label: str) -> str:
    """A Terraform variable reference as a placeholder: ``${var.domain}`` -> ``<domain>``
    (a config without edge.domain takes it at deploy time)."""
    return re.sub(r"\$\{var\.([a-z_]+)\}", r"<\1>", label)


def _regional(s: Resolver, stack: str, add: Any, link: Any) -> None:
    vpcs = s.resources(stack, "aws_vpc")
    _, vpc = next(iter(sorted(vpcs.items())))
    region = s.region_of(stack, vpc)
    dbs = s.resources(stack, "aws_db_instance")
    role = "secondary" if any("replicate_source_db" in db for db in dbs.values()) else "primary"
    top = (f"{region} · {role}",)
    in_vpc = (*top, f"VPC {vpc.get('cidr_block', '?')}")

    subnet_cluster: dict[Address, tuple[str, ...]] = {}
    for name, sn in sorted(s.resources(stack, "aws_subnet").items()):
        tier = str(sn.get("tags", {}).get("Tier", "")) or next((t for t in TIERS if t in name), "subnet")
        cluster = (*in_vpc, str(sn.get("availability_zone", "?")), f"{tier} {sn.get('cidr_block', '')}")
        subnet_cluster[(stack, "aws_subnet", name)] = cluster
        add((stack, "aws_subnet", name), "subnet", f"{tier} subnet", cluster)

    def placed(value: Any) -> tuple[str, ...]:
        """The cluster of the subnet a resource is placed in (the VPC if none)."""
        for ref in s.refs(stack, value):
            if ref in subnet_cluster:
                return subnet_cluster[ref]
        return in_vpc

    for name, nat in s.resources(stack, "aws_nat_gateway").items():
        add((stack, "aws_nat_gateway", name), "nat", "NAT gateway", placed(nat.get("subnet_id")))
    for name, inst in s.resources(stack, "aws_instance").items():
        add(
            (stack, "aws_instance", name),
            "ec2",
            f"bastion\n{inst.get('instance_type', '')}",
            placed(inst.get("subnet_id")),
        )
    for name, lb in s.resources(stack, "aws_lb").items():
        scheme = "internal" if lb.get("internal") else "internet-facing"
        add((stack, "aws_lb", name), "alb", f"ALB ({scheme})\n{region}", in_vpc)
    for name, asg in s.resources(stack, "aws_autoscaling_group").items():
        sizes = f"{asg.get('min_size')}/{asg.get('desired_capacity')}/{asg.get('max_size')}"
        itype = str(s.launch_template(stack, asg).get("instance_type", ""))
        add((stack, "aws_autoscaling_group", name), "asg", f"Auto Scaling {sizes}\n{itype}", in_vpc)
        for tg in s.refs(stack, asg.get("target_group_arns")):
            for lb_addr in _load_balancers_forwarding_to(s, stack, tg):
                link(lb_addr, (stack, "aws_autoscaling_group", name), "forward")
    for name, fn in s.resources(stack, "aws_lambda_function").items():
        add((stack, "aws_lambda_function", name), "lambda", f"Lambda\n{fn.get('runtime', '')}", in_vpc)
    for name, db in dbs.items():
        source = s.db_source(stack, db)
        engine = f"{source.get('engine', '')} {source.get('engine_version', '')}".strip()
        what = "read replica" if "replicate_source_db" in db else "primary"
        if db.get("multi_az"):
            what += ", Multi-AZ"
        label = f"RDS {engine}\n{what}\n{db.get('instance_class', '')}"
        add((stack, "aws_db_instance", name), "rds", label, in_vpc)

    for name in s.resources(stack, "aws_backup_vault"):
        add((stack, "aws_backup_vault", name), "backup", "Backup vault", top)
    for name in s.resources(stack, "aws_sns_topic"):
        add((stack, "aws_sns_topic", name), "sns", "SNS alarms topic", top)
    alarms = s.resources(stack, "aws_cloudwatch_metric_alarm")
    if alarms:
        alarm_node = add((stack, "alarms", "all"), "alarms", f"{len(alarms)} CloudWatch\nalarms", top)
        for alarm in alarms.values():
            for topic in s.refs(stack, alarm.get("alarm_actions")):
                link(alarm_node, topic, "notify")
    for notification in s.resources(stack, "aws_s3_bucket_notification").values():
        for bucket_addr in s.refs(stack, notification.get("bucket")):
            # Graphviz sizes icon nodes by the icon, not the label: keep labels short (the
            # full names are stack outputs).
            add(bucket_addr, "s3", "S3 app bucket", top)
            for function_addr in s.refs(stack, notification.get("lambda_function")):
                link(bucket_addr, function_addr, "object created")

    # What the backup plans select: the database, into the plan's vault.
    plans = s.resources(stack, "aws_backup_plan")
    for sel in s.resources(stack, "aws_backup_selection").values():
        for plan in s.refs(stack, sel.get("plan_id")):
            vaults = [
                v
                for rule in plans.get(plan[2], {}).get("rule", [])
                for v in s.refs(stack, rule.get("target_vault_name"))
            ]
            for selected in s.refs(stack, sel.get("resources")):
                for vault_addr in vaults:
                    link(selected, vault_addr, "daily backup", "dashed")


def _load_balancers_forwarding_to(s: Resolver, stack: str, tg: Address) -> set[Address]:
    """The load balancers with a listener (default action or rule) forwarding to a target group."""
    rules = s.resources(stack, "aws_lb_listener_rule").values()
    hits: set[Address] = set()
    for lname, listener in s.resources(stack, "aws_lb_listener").items():
        targets = set(s.refs(stack, listener.get("default_action")))
        for rule in rules:
            if (stack, "aws_lb_listener", lname) in set(s.refs(stack, rule.get("listener_arn"))):
                targets |= set(s.refs(stack, rule.get("action")))
        if tg in targets:
            hits |= set(s.refs(stack, listener.get("load_balancer_arn")))
    return hits


def _global(s: Resolver, stack: str, add: Any, link: Any) -> None:
    top = ("global",)
    users = add((stack, "users", "users"), "users", "users", ())
    for name, zone in s.resources(stack, "aws_route53_zone").items():
        zone_id = add((stack, "aws_route53_zone", name), "route53_zone", f"Route 53 zone\n{zone.get('name', '')}", top)
        link(users, zone_id, "DNS")
    for name, acl in s.resources(stack, "aws_wafv2_web_acl").items():
        rules = len(acl.get("rule", []))
        add((stack, "aws_wafv2_web_acl", name), "waf", f"WAF ({rules} rules)", top)
    for name in s.resources(stack, "aws_cloudtrail"):
        add((stack, "aws_cloudtrail", name), "trail", "CloudTrail\n(multi-region)", top)

    for name, dist in s.resources(stack, "aws_cloudfront_distribution").items():
        cf = (stack, "aws_cloudfront_distribution", name)
        add(cf, "cloudfront", f"CloudFront\n{dist.get('price_class', '')}", top)
        link(users, node_id(cf), "HTTPS")
        for acl_addr in s.refs(stack, dist.get("web_acl_id")):
            link(acl_addr, cf, "filters")
        origins: dict[str, list[Address]] = {}
        for origin in dist.get("origin", []):
            origins[str(origin.get("origin_id"))] = s.origin_targets(stack, str(origin.get("domain_name", "")))
        groups = {str(g.get("origin_id")): g for g in dist.get("origin_group", [])}
        for gid, group in sorted(groups.items()):
            group_id = add((stack, "origin_group", f"{name}-{gid}"), "origin_group", f"origin group '{gid}'", top)
            members = [str(m.get("origin_id")) for m in group.get("member", [])]
            codes = first(group.get("failover_criteria")).get("status_codes", [])
            for i, member in enumerate(members):
                label = "1st" if i == 0 else f"failover on {'/'.join(map(str, codes))} or timeout"
                for target in origins.get(member, []):
                    link(group_id, target, label, "solid" if i == 0 else "dashed")
        behaviors = [first(dist.get("default_cache_behavior")), *list(dist.get("ordered_cache_behavior", []))]
        for behavior in behaviors:
            origin_id = str(behavior.get("target_origin_id", ""))
            path = str(behavior.get("path_pattern", "default"))
            if origin_id in groups:
                link(cf, (stack, "origin_group", f"{name}-{origin_id}"), path)
            for origin_addr in origins.get(origin_id, []):
                link(cf, origin_addr, path)

    for name, hc in s.resources(stack, "aws_route53_health_check").items():
        addr = (stack, "aws_route53_health_check", name)
        where = hc.get("fqdn") or hc.get("ip_address") or ""
        # Not delegated: the ALB's own name (a reference). Delegated: <region>.origin.<domain>.
        targets = list(s.refs(stack, where)) or s.albs_in(where.split(".", 1)[0])
        interval = hc.get("request_interval", 30)
        region = next((s.region_of(t[0], s.get(t)) for t in targets), "")
        add(
            addr,
            "health_check",
            f"health check {region}\n{hc.get('type', '')} {hc.get('resource_path', '')} /{interval}s",
            top,
        )
        for t in targets:
            link(addr, t, "probes", "dashed")
    for name, rec in s.resources(stack, "aws_route53_record").items():
        alias = first(rec.get("alias"))
        policy = first(rec.get("failover_routing_policy")).get("type")
        targets = list(s.refs(stack, alias.get("name")))
        if policy:
            record = (stack, "aws_route53_record", name)
            add(record, "route53_record", f"{rec.get('name', '')}\nfailover {policy}", top)
            for zone_addr in s.refs(stack, rec.get("zone_id")):
                link(zone_addr, record, "")
            for t in targets:
                link(record, t, policy.lower())
            for check in s.refs(stack, rec.get("health_check_id")):
                link(record, check, "evaluates", "dashed")
        else:
            for zone_addr in s.refs(stack, rec.get("zone_id")):
                for t in targets:
                    if t[1] == "aws_cloudfront_distribution":
                        link(zone_addr, t, f"{rec.get('type', '')} alias {rec.get('name', '')}")


def _cross_region(s: Resolver, stack: str, link: Any) -> None:
    """The replica, backup-copy and bucket-replication arrows (they cross stacks)."""
    for name, db in s.resources(stack, "aws_db_instance").items():
        for source in s.refs(stack, db.get("replicate_source_db")):
            link(source, (stack, "aws_db_instance", name), "async replication", "dashed")
    for plan in s.resources(stack, "aws_backup_plan").values():
        for rule in plan.get("rule", []):
            sources = list(s.refs(stack, rule.get("target_vault_name")))
            for action in rule.get("copy_action", []):
                arn = str(action.get("destination_vault_arn", ""))
                dest = s.vault_by_name.get(arn.rsplit("backup-vault:", 1)[-1])
                for src in sources:
                    if dest is not None:
                        link(src, dest, "copy", "dashed")
    for cfg in s.resources(stack, "aws_s3_bucket_replication_configuration").values():
        sources = list(s.refs(stack, cfg.get("bucket")))
        for rule in cfg.get("rule", []):
            for dest in s.refs(stack, first(rule.get("destination")).get("bucket")):
                for src in sources:
                    link(src, dest, "S3 replication", "dashed")


SG_HOLDERS: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("aws_lb", ("security_groups",)),
    ("aws_instance", ("vpc_security_group_ids",)),
    ("aws_db_instance", ("vpc_security_group_ids",)),
    ("aws_lambda_function", ("vpc_config",)),
)


def _security_group_flows(s: Resolver, stack: str, link: Any) -> None:
    """An edge for every ingress rule whose source is another group: members -> members."""
    members: dict[Address, set[Address]] = {}

    def hold(addr: Address, value: Any) -> None:
        for sg in s.refs(stack, value):
            if sg[1] == "aws_security_group":
                members.setdefault(sg, set()).add(addr)

    for rtype, attrs in SG_HOLDERS:
        for name, res in s.resources(stack, rtype).items():
            for attr in attrs:
                hold((stack, rtype, name), res.get(attr))
    for name, asg in s.resources(stack, "aws_autoscaling_group").items():
        tpl = s.launch_template(stack, asg)
        hold((stack, "aws_autoscaling_group", name), [tpl.get("vpc_security_group_ids"), tpl.get("network_interfaces")])
    for rule in s.resources(stack, "aws_vpc_security_group_ingress_rule").values():
        if "referenced_security_group_id" not in rule:
            continue
        port = rule.get("from_port")
        label = f"tcp/{port}" if rule.get("ip_protocol") == "tcp" else str(rule.get("ip_protocol"))
        for src_sg in s.refs(stack, rule["referenced_security_group_id"]):
            for dst_sg in s.refs(stack, rule.get("security_group_id")):
                for a in sorted(members.get(src_sg, ())):
                    for b in sorted(members.get(dst_sg, ())):
                        link(a, b, label)


def stack_nodes(model: Architecture, stack: str, kind: str) -> list[Node]:
    """Nodes of one kind that belong to a stack (by the id's stack prefix)."""
    return [n for n in model.of_kind(kind) if n.id.startswith(f"{stack}/")]


def clusters(model: Architecture) -> set[tuple[str, ...]]:
    """Every cluster path, parents included."""
    out: set[tuple[str, ...]] = set()
    for n in model.nodes:
        for i in range(1, len(n.cluster) + 1):
            out.add(n.cluster[:i])
    return out


def describe(model: Architecture) -> Iterable[str]:
    """One line per node and edge, for humans (``python -m tooling.diagram --describe``)."""
    for n in model.nodes:
        yield f"node {n.id} [{n.kind}] {' > '.join(n.cluster)}: {n.label!r}"
    for e in model.edges:
        yield f"edge {e.src} -> {e.dst} {e.label!r} {e.style}"
