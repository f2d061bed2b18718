"""The region-loss runbooks as a tool: ``make failover`` and ``make failback``.

- ``failover``: the primary region is lost. Everything runs against the surviving region
  only (its RDS API, its stack's Terraform state and plan): promote its replica, swap
  ``role`` in the config, and apply the surviving region's stack (which gives the
  database the password its region's secret holds: the one it already has). Nothing
  calls the lost region, nor a global control plane hosted in us-east-1 (CloudFront,
  Route 53, IAM): the Terraform plan reads no resource
  (``-refresh=false``) except the promoted database, which it re-reads by import; reads
  keep flowing through CloudFront's origin group and writes through Route 53's failover
  record (data planes), so the global stack is not needed.
- ``failback``: the lost region is back. Rebuild its database as a replica of the new
  primary (the old one diverged: it is renamed and kept, never deleted), then, in a
  maintenance window, switch back: promote it, swap the roles back, rebuild the other
  region's replica, and check that every stack re-plans clean.

Dry run by default: every command is printed with the region it talks to, nothing runs.
``--execute`` runs the steps in order; a step whose effect is already there is skipped
(so a partial run can be re-run), and the first failure stops with what to do next.
The config's role swap is shown as a diff and written only with ``--execute``.

Exit status: 0 done (or dry run), 1 a step failed, 2 bad arguments or config, 3 a plan
would destroy or replace a stateful resource, or change what the edge reads.
"""

from __future__ import annotations

import argparse
import difflib
import json
import os
import re
import shlex
import subprocess
import sys
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from constructs_lib.config import Config, ConfigError, load
from constructs_lib.naming import Naming

from .plan import guard, summarize

ROOT = Path(__file__).resolve().parent.parent
EXIT_OK, EXIT_FAILED, EXIT_USAGE, EXIT_GUARD = 0, 1, 2, 3
LOCAL = "local"
"""Region label of a step that talks to no AWS API (config, synth, Terraform state)."""
DB = "aws_db_instance.data_db"
"""The database's address in every regional stack."""
GLOBAL_TALKS_TO = "us-east-1 (CloudFront, Route 53) and every region"
"""What a plan or apply of the global stack talks to."""
FAILBACK_TAG = "failback"
"""Tag the switch back puts on the database it promoted (value: the region it leaves)."""
POLL_SECONDS = 15.0
"""Between two reads of an RDS instance that is changing."""
REPLICA_LAG_SECONDS = 5
"""A replica is caught up when its latest ReplicaLag is at most this (RDS publishes it
every minute)."""


ANSI = re.compile(r"\x1b\[[0-9;]*m")
"""Terminal colour codes (Terraform's diagnostics), dropped from what the tool reports."""


PLANNED = re.compile(r"^\s*(# \S+ (will|must) be |[~+-] \w+\s+=|Changes to Outputs)")
"""Lines of a human-readable plan that say what would change."""


class StepFailed(RuntimeError):
    pass


class GuardStop(RuntimeError):
    pass


@dataclass
class Command:
    argv: list[str]
    region: str
    """The region whose API (or ``local``) the command talks to."""
    cwd: Path | None = None
    env: dict[str, str] = field(default_factory=dict)

    def shown(self) -> str:
        env = " ".join(f"{k}={shlex.quote(v)}" for k, v in self.env.items())
        where = f"cd {shlex.quote(rel(self.cwd))} && " if self.cwd else ""
        return f"[{self.region}] {where}{env + ' ' if env else ''}{shlex.join(self.argv)}"


@dataclass
class Step:
    title: str
    region: str
    takes: str
    """How long it takes on AWS (from the AWS documentation; the emulator answers at once)."""
    commands: list[Command] = field(default_factory=list)
    done: Callable[[], bool] | None = None
    """Execute mode: true when the step's effect is already there (the step is skipped)."""
    action: Callable[[], None] | None = None
    """Execute mode: what runs instead of ``commands`` (commands are then what it prints)."""
    next: str = ""
    """What to do when the step fails."""
    diff: str = ""
    """A change to a file the step writes, shown in the dry run."""


def rel(path: Path) -> str:
    try:
        return str(path.resolve().relative_to(Path.cwd().resolve()))
    except ValueError:
        return str(path)


@dataclass
class Runbook:
    config_path: Path
    config: Config
    outdir: Path
    execute: bool
    stamp: str = field(default_factory=lambda: datetime.now(UTC).strftime("%Y%m%d%H%M"))
    aws_cli: str = field(default_factory=lambda: str(Path(sys.executable).with_name("aws")))

    # --- names ---------------------------------------------------------------------
    def naming(self, region: str) -> Naming:
        return Naming(project=self.config.project, environment=self.config.environment, region=region)

    def stack(self, region: str) -> str:
        return self.naming(region).prefix

    def stack_dir(self, stack: str) -> Path:
        return self.outdir / "stacks" / stack

    def db(self, region: str) -> str:
        return self.naming(region).name("db")

    # --- commands ------------------------------------------------------------------
    def aws(self, region: str, *args: str) -> Command:
        argv = [self.aws_cli if self.execute else "aws", *args, "--region", region]
        if self.config.emulator is not None:
            # Explicit, so the CLI can never fall back to a real endpoint.
            argv += ["--endpoint-url", self.config.emulator.url(region)]
        return Command(argv, region)

    @property
    def state(self) -> str:
        """Where Terraform state lives: the ``[backend]`` bucket's region, else local files."""
        backend = self.config.backend
        return f"state in {backend.region}" if backend is not None else LOCAL

    def terraform(self, region: str, stack: str, *args: str) -> Command:
        return Command(["terraform", *args], region, cwd=self.stack_dir(stack))

    def synth(self) -> Command:
        env = {"STACK_CONFIG": rel(self.config_path), "CDKTF_OUTDIR": rel(self.outdir)}
        python = sys.executable if self.execute else ".venv/bin/python"
        return Command([python, "main.py"], LOCAL, cwd=None, env=env)

    def run(self, command: Command, *, ok: Sequence[int] = (0,)) -> subprocess.CompletedProcess[str]:
        print(f"  $ {command.shown()}", flush=True)
        proc = subprocess.run(
            command.argv,
            cwd=command.cwd or ROOT,
            env={**os.environ, **command.env, "TF_IN_AUTOMATION": "1"},
            capture_output=True,
            text=True,
            timeout=3600,
            check=False,
        )
        if proc.returncode not in ok:
            tail = ANSI.sub("", proc.stderr.strip() or proc.stdout.strip())[-3000:]
            raise StepFailed(f"{shlex.join(command.argv[:4])} exited {proc.returncode}:\n{tail}")
        return proc

    def describe(self, region: str, identifier: str) -> dict[str, Any] | None:
        """The instance, or None when ``region`` has no instance of that name."""
        proc = self.run(
            self.aws(
                region, "rds", "describe-db-instances", "--db-instance-identifier", identifier, "--output", "json"
            ),
            ok=(0, 254, 255),
        )
        if proc.returncode != 0:
            if "DBInstanceNotFound" in proc.stderr:
                return None
            raise StepFailed(f"cannot read the database {identifier} in {region}:\n{proc.stderr.strip()[-2000:]}")
        (instance,) = json.loads(proc.stdout)["DBInstances"]
        return dict(instance)

    # --- steps shared by failover and failback ---------------------------------------
    def promote(self, region: str, *, mark: str | None = None) -> list[Step]:
        """The replica becomes standalone and writable, keeping the config's backup
        retention (PromoteReadReplica would set 1 day). Its master credentials need
        nothing here: the region's own secret holds the password the replica took from
        its source, and the stack's apply below sets exactly that (``MasterCredentials``).
        ``mark``: tag the promoted instance ``failback=<mark>``
        (the switch back checks for it before it retires anything)."""
        ident = self.db(region)
        retention = str(self.config.database.backup_retention_days)
        promote = self.aws(
            region,
            "rds",
            "promote-read-replica",
            "--db-instance-identifier",
            ident,
            "--backup-retention-period",
            retention,
        )
        # The waiter may still see the replica's "available" before the promotion starts:
        # poll until the instance has no source and is available.
        poll = self.aws(region, "rds", "describe-db-instances", "--db-instance-identifier", ident)

        def standalone() -> bool:
            found = self.describe(region, ident)
            if found is None:
                raise StepFailed(f"{region} has no database {ident}: there is nothing to promote")
            return not found.get("ReadReplicaSourceDBInstanceIdentifier") and found["DBInstanceStatus"] == "available"

        def action() -> None:
            found = self.describe(region, ident) or {}
            if found.get("ReadReplicaSourceDBInstanceIdentifier") and found.get("DBInstanceStatus") == "available":
                self.run(promote)
            self.poll(f"{ident} standalone and available", standalone)
            if mark is not None:
                arn = (self.describe(region, ident) or {})["DBInstanceArn"]
                self.run(
                    self.aws(
                        region,
                        "rds",
                        "add-tags-to-resource",
                        "--resource-name",
                        arn,
                        "--tags",
                        f"Key={FAILBACK_TAG},Value={mark}",
                    )
                )

        shown = [promote, poll]
        if mark is not None:
            shown.append(
                self.aws(
                    region,
                    "rds",
                    "add-tags-to-resource",
                    "--resource-name",
                    f"<arn of {ident}>",
                    "--tags",
                    f"Key={FAILBACK_TAG},Value={mark}",
                )
            )
        return [
            Step(
                f"Promote the {region} replica {ident} to a standalone, writable database",
                region,
                "RDS: several minutes or longer, by size; the instance reboots (RDS User Guide, 'Promoting a read "
                "replica'); writes wait until then",
                shown,
                done=None if mark is not None else standalone,
                action=action,
                next="check the instance in the RDS console of that region; re-run when it is 'available'",
            ),
        ]

    def poll(
        self, what: str, ready: Callable[[], bool], *, every: float = POLL_SECONDS, limit: float = 4 * 3600
    ) -> None:
        """Call ``ready`` until it is true (RDS changes state after its API returns)."""
        deadline = time.monotonic() + limit
        while not ready():
            if time.monotonic() > deadline:
                raise StepFailed(f"{what}: still not so after {limit / 3600:.0f} h")
            time.sleep(every)

    def phase2_check(self, back: str, current: str) -> Step:
        """Before the switch back retires ``current``'s database: ``back``'s must follow it
        (the switch has not started), or have been promoted by this switch (a re-run), or
        ``current``'s must already follow ``back``'s (done). Otherwise both are standalone
        and nothing says which one holds the writes since the failover (a config whose
        role swap was lost): stop before a rename rolls the data back."""
        b_ident, c_ident = self.db(back), self.db(current)

        def action() -> None:
            b, c = self.describe(back, b_ident), self.describe(current, c_ident)
            b_source = (b or {}).get("ReadReplicaSourceDBInstanceIdentifier") or ""
            c_source = (c or {}).get("ReadReplicaSourceDBInstanceIdentifier") or ""
            tags = {t["Key"]: t["Value"] for t in (b or {}).get("TagList", [])}
            if b_source.endswith(f":db:{c_ident}") or c_source.endswith(f":db:{b_ident}"):
                return
            if tags.get(FAILBACK_TAG) == current:
                return
            raise StepFailed(
                f"{b_ident} and {c_ident} are both standalone and {b_ident} was not promoted by make failback: "
                f"{current} may hold every write since the failover. Check the config's roles: after make failover "
                f"it names {current} as primary (commit that swap); run make failback with that config"
            )

        return Step(
            f"Check that {b_ident} follows {c_ident} (or this switch back promoted it) before anything is retired",
            f"{back} and {current}",
            "seconds",
            [
                self.aws(back, "rds", "describe-db-instances", "--db-instance-identifier", b_ident),
                self.aws(current, "rds", "describe-db-instances", "--db-instance-identifier", c_ident),
            ],
            action=action,
            next="do not retire either database until you know which one holds the writes",
        )

    def swap_roles(self, primary: str) -> Step:
        """Make ``primary`` the config's primary and the current primary a secondary
        (the text as it is when the runbook is built: the dry run shows that diff)."""
        text = self.config_path.read_text()
        swapped = swap_roles_text(text, primary)
        diff = "".join(
            difflib.unified_diff(
                text.splitlines(keepends=True),
                swapped.splitlines(keepends=True),
                fromfile=f"a/{rel(self.config_path)}",
                tofile=f"b/{rel(self.config_path)}",
            )
        )

        def write() -> None:
            current = self.config_path.read_text()
            self.config_path.write_text(swap_roles_text(current, primary))
            self.config = load(self.config_path)
            print(diff or "  (no change)", flush=True)

        return Step(
            f"Make {primary} the config's primary: swap role in {rel(self.config_path)}",
            LOCAL,
            "seconds",
            done=lambda: self.config.primary.name == primary,
            action=write,
            next="edit the config by hand as the diff shows",
            diff=diff or "(no change: already so)",
        )

    def synth_step(self) -> Step:
        return Step(
            f"Synthesize {rel(self.config_path)} into {rel(self.outdir)}",
            LOCAL,
            "about a minute",
            [self.synth()],
            next="fix what synth reports (make synth shows the same)",
        )

    def forget_db(self, stack: str) -> None:
        """``terraform state rm`` of the database, when the state still has it (a re-run)."""
        if self.run(self.terraform(self.state, stack, "state", "list", DB), ok=(0, 1)).stdout.strip():
            self.run(self.terraform(self.state, stack, "state", "rm", DB))

    def resync_db(self, region: str) -> Step:
        """Re-read the promoted database into the stack's state by import: the one read
        of the plan below, which otherwise reads nothing (``-refresh=false``)."""
        stack = self.stack(region)
        state_rm = self.terraform(self.state, stack, "state", "rm", DB)
        imp = self.terraform(region, stack, "import", "-input=false", "-lock-timeout=10m", DB, self.db(region))

        def synced() -> bool:
            shown = self.run(self.terraform(self.state, stack, "show", "-json"))
            state = json.loads(shown.stdout or "{}")
            for res in state.get("values", {}).get("root_module", {}).get("resources", []):
                if res["address"] == DB:
                    return not res["values"].get("replicate_source_db")
            return False

        def action() -> None:
            self.forget_db(stack)
            self.run(imp)

        return Step(
            f"Re-read the promoted database into the {stack} state (state rm, import; no other resource is read)",
            region,
            "seconds",
            [state_rm, imp],
            done=synced,
            action=action,
            next=f"re-run; if the import failed the database is out of state: run the import above in {stack}",
        )

    def init(self, stack: str) -> Step:
        """``terraform init``: providers, and the state backend (local files or [backend])."""
        return Step(
            f"Initialize {stack}",
            self.state,
            "seconds",
            [self.terraform(self.state, stack, "init", "-input=false")],
            next="terraform init must reach the state backend (README, Known limits of a failover)",
        )

    def plan_apply(self, region: str, stack: str, *, refresh: bool, edge_unchanged: bool) -> Step:
        """Plan (saved), stop on the stateful guard or a change the edge would see, apply."""
        saved = self.outdir / "plans" / f"{stack}.failover.tfplan"
        # Relative to the stack's folder, where Terraform runs.
        out = os.path.relpath(saved, self.stack_dir(stack))
        plan = self.terraform(
            region,
            stack,
            "plan",
            "-input=false",
            "-lock-timeout=10m",
            *([] if refresh else ["-refresh=false"]),
            f"-out={out}",
        )
        show = self.terraform(self.state, stack, "show", "-json", out)
        apply = self.terraform(region, stack, "apply", "-input=false", "-lock-timeout=10m", out)

        def action() -> None:
            saved.parent.mkdir(parents=True, exist_ok=True)
            self.run(plan)
            planned = json.loads(self.run(show).stdout)
            summary = summarize(stack, planned)
            problems = guard([summary])
            if edge_unchanged:
                problems += edge_problems(stack, planned)
            if not refresh:
                # The failover's plan: it reads nothing outside the surviving region, and
                # must change nothing there either.
                problems += global_api_problems(stack, planned)
            if problems:
                raise GuardStop("\n".join(problems))
            print(
                f"  plan: {len(summary.add)} to add, {len(summary.change)} to change, "
                f"{len(summary.destroy)} to destroy, {len(summary.replace)} to replace",
                flush=True,
            )
            if summary.changes:
                self.run(apply)

        promoted = " (a promoted database is given the password its region's secret holds)"
        return Step(
            f"Plan {stack} ({'refreshed' if refresh else 'no refresh: reads nothing in other regions or IAM'}), "
            f"guard it (no stateful resource destroyed or replaced"
            f"{', nothing the edge reads changed' if edge_unchanged else ''}), apply exactly that plan"
            f"{promoted if edge_unchanged else ''}",
            region,
            "seconds to plan; the apply minutes when RDS changes (a new replica: see the next step)",
            [plan, show, apply],
            action=action,
            next="read the plan; nothing was applied if the guard stopped it",
        )

    def retire(self, region: str, current_primary: str) -> list[Step]:
        """The old database of ``region`` diverged from ``current_primary``'s: out of the
        stack's state, renamed (its name is the new replica's), kept with its deletion
        protection as a forensic copy (README says how to delete it)."""
        stack, ident = self.stack(region), self.db(region)
        kept = f"{ident}-diverged-{self.stamp}"
        source_arn_part = f":db:{self.db(current_primary)}"

        def follows_primary() -> bool:
            found = self.describe(region, ident)
            return found is None or source_arn_part in (found.get("ReadReplicaSourceDBInstanceIdentifier") or "")

        state_rm = self.terraform(self.state, stack, "state", "rm", DB)
        rename = self.aws(
            region,
            "rds",
            "modify-db-instance",
            "--db-instance-identifier",
            ident,
            "--new-db-instance-identifier",
            kept,
            "--apply-immediately",
        )
        wait = self.aws(region, "rds", "wait", "db-instance-available", "--db-instance-identifier", kept)

        def renamed() -> bool:
            # The old name goes first; the new one answers once the rename is done.
            return (
                self.describe(region, ident) is None
                and (self.describe(region, kept) or {}).get("DBInstanceStatus") == "available"
            )

        def action() -> None:
            self.forget_db(stack)
            self.run(rename)
            self.poll(f"{ident} renamed {kept}", renamed)

        return [
            Step(
                f"Keep the diverged {region} database as {kept} (out of {stack}'s state, renamed, protected)",
                region,
                "RDS: a rename takes a few minutes",
                [state_rm, rename, wait],
                done=follows_primary,
                action=action,
                next="the instance may still be renaming; re-run when it is 'available'",
            )
        ]

    def caught_up(self, region: str) -> Step:
        ident = self.db(region)

        def lag(start: str, end: str) -> Command:
            return self.aws(
                region,
                "cloudwatch",
                "get-metric-statistics",
                "--namespace",
                "AWS/RDS",
                "--metric-name",
                "ReplicaLag",
                "--dimensions",
                f"Name=DBInstanceIdentifier,Value={ident}",
                "--statistics",
                "Maximum",
                "--period",
                "60",
                "--start-time",
                start,
                "--end-time",
                end,
                "--output",
                "json",
            )

        def action() -> None:
            now = datetime.now(UTC).replace(microsecond=0)
            stamp = "%Y-%m-%dT%H:%M:%SZ"
            found = self.run(lag((now - timedelta(minutes=10)).strftime(stamp), now.strftime(stamp)))
            points = json.loads(found.stdout).get("Datapoints", [])
            if not points:
                raise StepFailed(f"no ReplicaLag for {ident} in the last 10 minutes: it is not replicating yet")
            latest = max(points, key=lambda p: p["Timestamp"])
            if latest["Maximum"] > REPLICA_LAG_SECONDS:
                raise StepFailed(f"{ident} is {latest['Maximum']:.0f} s behind")

        return Step(
            f"Check that {ident} has caught up (latest ReplicaLag at most {REPLICA_LAG_SECONDS} s)",
            region,
            "minutes to hours: a new cross-region replica first copies the whole database",
            [lag("<10 minutes ago>", "<now>")],
            action=action,
            next="wait for the replica to catch up, then re-run",
        )

    def verify(self) -> Step:
        targets = [(r.name, self.stack(r.name)) for r in self.config.regions]
        targets.append((GLOBAL_TALKS_TO, self.naming("global").prefix))
        commands = [
            self.terraform(region, stack, "plan", "-input=false", "-lock-timeout=10m", "-detailed-exitcode")
            for region, stack in targets
        ]

        def action() -> None:
            unclean = []
            for command in commands:
                proc = self.run(command, ok=(0, 2))
                if proc.returncode == 2:
                    changes = [line.strip() for line in ANSI.sub("", proc.stdout).splitlines() if PLANNED.match(line)]
                    unclean.append(f"{rel(command.cwd or ROOT)}:\n    " + "\n    ".join(changes or ["(outputs only)"]))
            if unclean:
                raise StepFailed("the plan is not clean in\n  " + "\n  ".join(unclean))

        return Step(
            "Check that every stack re-plans clean (terraform plan -detailed-exitcode exits 0)",
            "every region",
            "a minute",
            commands,
            action=action,
            next="apply what the plans show with make deploy",
        )


def swap_roles_text(text: str, primary: str) -> str:
    """``text`` (a config) with ``primary`` as the primary and the former primary as a
    secondary; nothing else changes (comments and order stay)."""
    blocks = re.split(r"(?m)^(?=\[)", text)
    out = []
    for block in blocks:
        name = re.search(r'(?m)^name\s*=\s*"([^"]+)"', block)
        role = re.search(r'(?m)^role\s*=\s*"(primary|secondary)"', block)
        if block.startswith("[[regions]]") and name and role:
            wanted = "primary" if name.group(1) == primary else "secondary"
            out.append(block[: role.start(1)] + wanted + block[role.end(1) :])
        else:
            out.append(block)
    return "".join(out)


def failover_steps(book: Runbook, to: str) -> list[Step]:
    stack = book.stack(to)
    return [
        *book.promote(to),
        book.swap_roles(to),
        book.synth_step(),
        book.init(stack),
        book.resync_db(to),
        book.plan_apply(to, stack, refresh=False, edge_unchanged=True),
    ]


def failback_steps(book: Runbook, back: str, current: str) -> list[Step]:
    """Phase 1 (while the config names ``current`` as primary): the returning region
    follows it again. Phase 2 (a maintenance window: writes stopped): switch back. Once
    phase 2 has swapped the roles back, only phase 2 is built, so a re-run never touches
    the new primary."""
    back_stack, current_stack, global_stack = book.stack(back), book.stack(current), book.naming("global").prefix
    phase1 = [
        *book.retire(back, current),
        book.synth_step(),
        book.init(back_stack),
        book.plan_apply(back, back_stack, refresh=True, edge_unchanged=False),
        book.caught_up(back),
    ]
    phase2 = [
        book.phase2_check(back, current),
        *book.promote(back, mark=current),
        book.swap_roles(back),
        book.synth_step(),
        book.init(back_stack),
        book.resync_db(back),
        book.plan_apply(back, back_stack, refresh=True, edge_unchanged=True),
        *book.retire(current, back),
        book.init(current_stack),
        book.plan_apply(current, current_stack, refresh=True, edge_unchanged=False),
        book.init(global_stack),
        book.plan_apply(GLOBAL_TALKS_TO, global_stack, refresh=True, edge_unchanged=False),
        book.verify(),
    ]
    return (phase1 if book.config.primary.name != back else []) + phase2


def show(steps: Sequence[Step], header: str) -> None:
    print(header)
    for i, step in enumerate(steps, 1):
        print(f"\n{i}. {step.title}\n   talks to: {step.region}; takes: {step.takes}")
        if step.diff:
            print("   " + step.diff.rstrip().replace("\n", "\n   "))
        for command in step.commands:
            print(f"   $ {command.shown()}")


def execute(book: Runbook, steps: Sequence[Step], rerun: str) -> int:
    for i, step in enumerate(steps, 1):
        print(f"\n{i}/{len(steps)} {step.title} [{step.region}]", flush=True)
        try:
            if step.done is not None and step.done():
                print("  already done", flush=True)
                continue
            if step.action is not None:
                step.action()
            else:
                for command in step.commands:
                    book.run(command)
        except GuardStop as stop:
            print(f"stopped by the guard at step {i}; nothing of this step was applied:\n{stop}", file=sys.stderr)
            return EXIT_GUARD
        except (StepFailed, subprocess.TimeoutExpired) as err:
            print(f"step {i} failed: {err}\nnext: {step.next}; then re-run: {rerun}", file=sys.stderr)
            return EXIT_FAILED
    print("\ndone", flush=True)
    return EXIT_OK


GLOBAL_API_TYPES = ("aws_iam_", "aws_route53_", "aws_cloudfront_")
"""Resource types whose API (control plane) is in us-east-1 whatever the provider's region
(IAM, Route 53, CloudFront): a failover's plan must change none of them."""


def global_api_problems(stack: str, plan: dict[str, Any]) -> list[str]:
    """Changes a failover cannot apply: each would call a control plane in us-east-1 (and
    hang in retries while it is lost). They come from code or config changed since the
    last deploy; apply them after failback."""
    return [
        f"{stack}: {change['address']} would {'/'.join(change['change']['actions'])}: its API is in us-east-1; "
        "deploy that change after failback (the failover applies only what the surviving region's APIs do)"
        for change in plan.get("resource_changes", [])
        if change["type"].startswith(GLOBAL_API_TYPES) and change["change"]["actions"] not in (["no-op"], ["read"])
    ]


def edge_problems(stack: str, plan: dict[str, Any]) -> list[str]:
    """What the global stack reads from ``stack`` (its ``cross-stack-output-*`` outputs)
    must not change: a new output is fine, a changed or removed one is not."""
    problems = []
    for name, change in plan.get("output_changes", {}).items():
        if name.startswith("cross-stack-output-") and change.get("actions") not in (["no-op"], ["create"]):
            problems.append(f"{stack}: output {name} would {'/'.join(change['actions'])}: the edge reads it")
    return problems


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("runbook", choices=("failover", "failback"))
    parser.add_argument("--config", type=Path, default=Path(os.environ.get("STACK_CONFIG", "config/default.toml")))
    parser.add_argument("--outdir", type=Path, default=Path("cdktf.out"))
    parser.add_argument(
        "--region",
        help="failover: the region taking over (default: the config's first secondary); failback: the "
        "region returning as primary (default: the home region, the first listed)",
    )
    parser.add_argument("--execute", action="store_true", help="run the steps (default: print them)")
    args = parser.parse_args(argv)
    try:
        config = load(args.config)
    except ConfigError as err:
        print(f"{args.runbook}: {args.config}: {err}", file=sys.stderr)
        return EXIT_USAGE
    book = Runbook(args.config, config, args.outdir.resolve() if args.execute else args.outdir, args.execute)
    names = [r.name for r in config.regions]
    if args.region is not None and args.region not in names:
        print(
            f"{args.runbook}: --region {args.region} is not a region of {args.config} ({', '.join(names)})",
            file=sys.stderr,
        )
        return EXIT_USAGE
    primary = config.primary.name
    if args.runbook == "failover":
        to = args.region or config.secondaries[0].name
        lost = primary if primary != to else "the former primary"
        steps = failover_steps(book, to)
        header = (
            f"Failover: {lost} is lost, {to} takes over ({rel(args.config)}). Only {to}'s own APIs are "
            "called;\nreads and writes keep flowing through CloudFront's origin group and the Route 53 "
            "failover record."
        )
        target = to
        if config.backend is not None and config.backend.region == lost:
            header += (
                f"\nWarning: the state bucket ({config.backend.bucket}) is in {lost}: the database steps run, the "
                "Terraform steps wait until it answers (README, Known limits: keep state outside the primary region)."
            )
    else:
        target = args.region or config.home.name
        current = primary if primary != target else config.secondaries[0].name
        steps = failback_steps(book, target, current)
        header = f"Failback: {target} returns as primary, {current} follows it again ({rel(args.config)})."
        if primary == target:
            header += (
                f"\n{target} is the config's primary already: only phase 2 remains (the switch back; its steps that "
                "are done are skipped)."
            )
    rerun = f"make {args.runbook} STACK_CONFIG={rel(args.config)} REGION={target} EXECUTE=1"
    if not args.execute:
        show(steps, header + "\nDry run: nothing runs; --execute (make ... EXECUTE=1) runs these steps.")
        return EXIT_OK
    print(header, flush=True)
    return execute(book, steps, rerun)


if __name__ == "__main__":
    sys.exit(main())
