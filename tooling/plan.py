"""Plan, guard, apply and drift-check every stack of a synthesized config with plain
Terraform (``make plan``, ``make deploy``, ``make drift``).

- ``plan`` (default): ``terraform plan`` of every stack in dependency order against its
  configured backend; the saved plans go to ``<outdir>/plans/<stack>.tfplan``; prints a
  summary table (stack | add | change | destroy | replace), also appended to
  ``$GITHUB_STEP_SUMMARY`` when set (a GitHub Actions job summary). Exit 3 when a plan
  would destroy or replace a stateful resource (the **stateful guard**), naming it and
  the attributes that force the replacement, unless each such address is allowed with
  ``--allow ADDRESS`` (``ALLOW_STATEFUL`` in the Makefile); exit 1 on a Terraform error.
- ``--apply``: the same plans, guarded, then ``terraform apply`` of each saved plan, stack
  by stack: a stack is planned only after the stacks it reads are applied, so what is
  applied is exactly what was guarded.
- ``--drift``: a ``-detailed-exitcode`` plan of every stack (side by side: plans only
  read). Exit 0 when nothing drifted, 2 with the drifted resources listed per stack
  (changed outside Terraform, or no longer what the code says), 1 on error.

The guard is independent of ``prevent_destroy`` (which only the stateful profiles set,
and which a code change can remove): it reads the plan itself.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
from collections.abc import Iterable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

EXIT_OK, EXIT_ERROR, EXIT_DRIFT, EXIT_GUARD = 0, 1, 2, 3

STATEFUL_TYPES = frozenset(
    {
        "aws_db_instance",  # the primary database and every replica
        "aws_rds_cluster",
        "aws_backup_vault",  # recovery points go with it
        "aws_s3_bucket",  # application data, logs, the audit trail
        "aws_kms_key",  # everything encrypted with it becomes unreadable
        "aws_secretsmanager_secret",  # the origin secret, credentials
        "aws_dynamodb_table",
        "aws_efs_file_system",
        "aws_ebs_volume",
        "aws_route53_zone",  # a new zone has new name servers: the delegation breaks
        "aws_cloudwatch_log_group",  # flow logs, audit and application logs
        "aws_sqs_queue",  # messages waiting in it (the Lambda's dead-letter queue)
    }
)
"""Resource types whose destruction loses data; a plan that deletes or replaces one is
stopped unless the address is explicitly allowed."""


@dataclass
class StackPlan:
    """What one stack's plan would do."""

    stack: str
    add: list[str] = field(default_factory=list)
    change: list[str] = field(default_factory=list)
    destroy: list[str] = field(default_factory=list)
    replace: list[str] = field(default_factory=list)
    forget: list[str] = field(default_factory=list)
    """Resources leaving the state without being destroyed (``removed`` blocks)."""
    stateful: set[str] = field(default_factory=set)
    """The addresses above whose type is in ``STATEFUL_TYPES``."""
    outputs: list[str] = field(default_factory=list)
    """Outputs the plan adds, changes or removes (other stacks may read them)."""
    applyable: bool = False
    """Terraform's own verdict: the plan changes something (resources, outputs, moves)."""
    replace_reasons: dict[str, list[str]] = field(default_factory=dict)
    """Address -> attributes that force its replacement (or Terraform's reason)."""
    waits_on: list[str] = field(default_factory=list)
    """Upstream stacks with pending changes, when this stack could not be planned before
    they are applied (a first deploy: their outputs do not exist yet)."""

    @property
    def changes(self) -> bool:
        """True when applying this plan would change anything, outputs included (a
        downstream stack may read a new output)."""
        return self.applyable or bool(self.add or self.change or self.destroy or self.replace or self.outputs)

    def at_risk(self) -> list[str]:
        """Stateful resources this plan deletes or replaces."""
        return [a for a in self.destroy + self.replace if a in self.stateful]


def summarize(stack: str, plan: dict[str, Any]) -> StackPlan:
    """A ``StackPlan`` from ``terraform show -json <plan>``."""
    result = StackPlan(stack, applyable=bool(plan.get("applyable", False)))
    for rc in plan.get("resource_changes", []):
        if rc.get("mode") == "data":
            continue
        # A deposed object (left by an interrupted create_before_destroy) is listed
        # again with "deposed": name it apart from the current object.
        address = rc["address"] + (f" (deposed {rc['deposed']})" if rc.get("deposed") else "")
        actions = rc["change"]["actions"]
        if rc.get("type") in STATEFUL_TYPES:
            result.stateful.add(address)
        if actions in (["delete", "create"], ["create", "delete"]):
            result.replace.append(address)
            paths = rc["change"].get("replace_paths") or []
            reasons = [".".join(str(p) for p in path) for path in paths]
            result.replace_reasons[address] = reasons or ([rc["action_reason"]] if rc.get("action_reason") else [])
        elif actions == ["create"]:
            result.add.append(address)
        elif actions == ["update"]:
            result.change.append(address)
        elif actions == ["delete"]:
            result.destroy.append(address)
        elif actions == ["forget"]:
            result.forget.append(address)
    result.outputs = sorted(
        name for name, oc in plan.get("output_changes", {}).items() if oc.get("actions") not in (["no-op"], None)
    )
    return result


def guard(plans: Iterable[StackPlan], allowed: Iterable[str] = ()) -> list[str]:
    """One line per stateful resource a plan would delete or replace that ``allowed``
    (``address`` or ``stack:address``) does not name; empty when the plans may apply."""
    allow = set(allowed)
    problems = []
    for p in plans:
        for address in p.at_risk():
            if address in allow or f"{p.stack}:{address}" in allow:
                continue
            verb = "replace" if address in p.replace else "destroy"
            why = p.replace_reasons.get(address)
            because = f" (forced by {', '.join(why)})" if why else ""
            problems.append(
                f"plan guard: {p.stack}: the plan would {verb} {address}{because}, a stateful resource; "
                f"change the config back, or allow it with ALLOW_STATEFUL={address} after taking a backup"
            )
    return problems


def table(plans: Sequence[StackPlan]) -> str:
    """The Markdown summary: stack | add | change | destroy | replace (+ stateful at risk)."""
    rows = [
        "| stack | add | change | destroy | replace | outputs | stateful at risk |",
        "|---|---:|---:|---:|---:|---:|---|",
    ]
    for p in plans:
        if p.waits_on:
            rows.append(f"| {p.stack} | | | | | | planned once {', '.join(p.waits_on)} is applied |")
            continue
        risk = ", ".join(f"`{a}`" for a in p.at_risk()) or "-"
        if p.forget:
            risk += f" (leaves state, kept: {', '.join(f'`{a}`' for a in p.forget)})"
        counts = (p.add, p.change, p.destroy, p.replace, p.outputs)
        rows.append(f"| {p.stack} | {' | '.join(str(len(c)) for c in counts)} | {risk} |")
    return "\n".join(rows)


def drift_report(plans: Sequence[StackPlan]) -> list[str]:
    """Per stack, every resource (and output) the plan would change: what was changed
    outside Terraform, or what the code now says otherwise (a merge not yet deployed).
    Terraform's ``resource_drift`` list is not used: it also holds attributes that no
    configuration reads (the emulator fills it with such noise), which a plan ignores."""
    lines = []
    for p in plans:
        touched = sorted(set(p.add + p.change + p.destroy + p.replace + p.forget))
        outputs = [f"output.{name}" for name in p.outputs]
        if touched or outputs:
            lines.append(f"{p.stack}: {len(touched)} resource(s) drifted")
            lines += [f"  {address}" for address in touched + outputs]
    return lines


def dependencies(outdir: Path) -> dict[str, list[str]]:
    """Stack -> the stacks it reads (cdktf's manifest)."""
    manifest = json.loads((outdir / "manifest.json").read_text())["stacks"]
    return {name: list(stack.get("dependencies", [])) for name, stack in manifest.items()}


def in_order(deps: dict[str, list[str]]) -> list[str]:
    """The stacks of ``deps`` (stack -> the stacks it reads) so that each comes after
    what it reads; stacks ready at the same time by name."""
    done: list[str] = []
    pending = sorted(deps)
    while pending:
        ready = [s for s in pending if set(deps[s]) <= set(done)]
        if not ready:
            raise RuntimeError(f"stacks depend on each other in a cycle: {pending}")
        done += ready
        pending = [s for s in pending if s not in ready]
    return done


def stack_order(outdir: Path) -> list[str]:
    """The stacks of ``outdir`` in dependency order (from cdktf's manifest): the primary
    region, the secondaries, the global stack."""
    return in_order(dependencies(outdir))


class TerraformError(RuntimeError):
    pass


@dataclass
class Runner:
    """Runs Terraform in one stack's directory of ``outdir``."""

    outdir: Path
    env: dict[str, str]
    lock: bool = True
    """False: plans take no state lock (read-only credentials; drift and pull requests)."""

    def __call__(self, stack: str, *args: str, ok: tuple[int, ...] = (0,)) -> subprocess.CompletedProcess[str]:
        proc = subprocess.run(
            ["terraform", *args, "-no-color"],
            cwd=self.outdir / "stacks" / stack,
            env=self.env,
            capture_output=True,
            text=True,
            timeout=3600,
            check=False,
        )
        if proc.returncode not in ok:
            tail = (proc.stderr.strip() or proc.stdout.strip())[-3000:]
            raise TerraformError(f"{stack}: terraform {args[0]} exited {proc.returncode}:\n{tail}")
        return proc

    def plan(self, stack: str) -> StackPlan:
        """Init (backend as configured), plan into ``plans/<stack>.tfplan``, summarize."""
        self(stack, "init", "-input=false")
        saved = self.outdir / "plans" / f"{stack}.tfplan"
        saved.parent.mkdir(parents=True, exist_ok=True)
        lock = ["-lock-timeout=10m"] if self.lock else ["-lock=false"]
        self(stack, "plan", "-input=false", *lock, "-detailed-exitcode", f"-out={saved}", ok=(0, 2))
        shown = self(stack, "show", "-json", str(saved))
        return summarize(stack, json.loads(shown.stdout))

    def apply(self, stack: str) -> None:
        self(stack, "apply", "-input=false", "-lock-timeout=10m", str(self.outdir / "plans" / f"{stack}.tfplan"))


def attempt(plan: Any, stack: str) -> StackPlan | TerraformError:
    try:
        result: StackPlan = plan(stack)
        return result
    except TerraformError as err:
        return err


def report_summary(text: str) -> None:
    print(text)
    summary = os.environ.get("GITHUB_STEP_SUMMARY")
    if summary:
        with open(summary, "a", encoding="utf-8") as out:
            out.write(text + "\n")


def apply_all(run: Runner, order: Sequence[str], allowed: Sequence[str]) -> int:
    """Plan, guard and apply stack by stack (a stack is planned after its upstreams apply)."""
    plans: list[StackPlan] = []
    try:
        for stack in order:
            plan = run.plan(stack)
            plans.append(plan)
            problems = guard([plan], allowed)
            if problems:
                print("\n".join(problems), file=sys.stderr)
                report_summary(table(plans))
                return EXIT_GUARD
            if plan.changes:
                run.apply(stack)
            print(f"apply: {stack}: {'applied' if plan.changes else 'no changes'}")
    except TerraformError as err:
        print(f"apply: {err}", file=sys.stderr)
        return EXIT_ERROR
    report_summary(table(plans))
    return EXIT_OK


def plan_all(run: Runner, order: Sequence[str], deps: dict[str, list[str]], *, drift: bool) -> list[StackPlan]:
    """Every stack planned side by side (plans only read). A stack that cannot be planned
    because an upstream stack has pending changes (a first deploy) is marked as waiting on
    it, except in drift mode, where every stack must plan. Raises ``TerraformError``."""
    with ThreadPoolExecutor(max(1, min(len(order), 4))) as pool:
        outcomes = list(pool.map(lambda stack: attempt(run.plan, stack), order))
    pending = {o.stack for o in outcomes if isinstance(o, StackPlan) and o.changes}
    plans = []
    for stack, outcome in zip(order, outcomes, strict=True):
        if isinstance(outcome, StackPlan):
            plans.append(outcome)
            continue
        upstream = [d for d in deps.get(stack, []) if d in pending]
        if not upstream or drift:
            raise outcome
        plans.append(StackPlan(stack, waits_on=upstream))
    return plans


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--outdir", type=Path, default=Path("cdktf.out"), help="synthesized stacks (cdktf.out)")
    mode = parser.add_mutually_exclusive_group()
    mode.add_argument("--apply", action="store_true", help="plan, guard and apply stack by stack")
    mode.add_argument("--drift", action="store_true", help="exit 2 when any stack drifted")
    parser.add_argument(
        "--allow",
        action="append",
        default=[],
        metavar="ADDRESS",
        help="a stateful resource ([stack:]address) the plan may destroy or replace; repeatable",
    )
    parser.add_argument("--stacks", nargs="+", help="only these stacks (default: all, in dependency order)")
    parser.add_argument(
        "--no-lock", action="store_true", help="plan without the state lock (read-only credentials; not with --apply)"
    )
    args = parser.parse_args(argv)
    # Terraform runs in each stack's folder: every path it gets must be absolute.
    args.outdir = args.outdir.resolve()
    allowed = [a for value in args.allow for a in value.replace(",", " ").split()]
    if not (args.outdir / "manifest.json").is_file():
        print(f"plan: {args.outdir}/manifest.json not found; run make synth first", file=sys.stderr)
        return EXIT_ERROR
    deps = dependencies(args.outdir)
    order = [s for s in in_order(deps) if not args.stacks or s in args.stacks]
    run = Runner(args.outdir, dict(os.environ), lock=not (args.no_lock or args.drift) or args.apply)
    if args.apply:
        return apply_all(run, order, allowed)
    try:
        plans = plan_all(run, order, deps, drift=args.drift)
    except TerraformError as err:
        print(f"{'drift' if args.drift else 'plan'}: {err}", file=sys.stderr)
        return EXIT_ERROR
    if args.drift:
        lines = drift_report(plans)
        print("\n".join(lines) if lines else f"drift: none in {len(plans)} stack(s)")
        return EXIT_DRIFT if lines else EXIT_OK
    report_summary(table(plans))
    problems = guard(plans, allowed)
    if problems:
        print("\n".join(problems), file=sys.stderr)
    return EXIT_GUARD if problems else EXIT_OK


if __name__ == "__main__":
    sys.exit(main())
