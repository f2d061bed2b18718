"""Run the stacks against a local moto server: start it, seed what AWS itself
provides, apply/plan/destroy in dependency order. Shared by tests/test_deploy.py and
scripts/deploy_local.py (make deploy-local)."""

from __future__ import annotations

import contextlib
import os
import socket
import subprocess
import sys
import threading
import time
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
LOCAL_CONFIG = ROOT / "config" / "local.toml"
PLACEHOLDER_ENDPOINT = "http://127.0.0.1:4566"
LOOPBACK = "127.0.0.1"
DUMMY = {"AWS_ACCESS_KEY_ID": "test", "AWS_SECRET_ACCESS_KEY": "test", "AWS_DEFAULT_REGION": "us-east-1"}


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind((LOOPBACK, 0))
        return int(s.getsockname()[1])


class MotoServer:
    """``moto_server`` on 127.0.0.1 and a free port; stopped by ``stop`` (also on failure)."""

    def __init__(self, logfile: Path):
        python = ROOT / ".venv" / "bin" / "python"
        python_bin = str(python) if python.exists() else sys.executable
        self.port = free_port()
        self.endpoint = f"http://{LOOPBACK}:{self.port}"
        self.log = open(logfile, "w")  # noqa: SIM115 (closed in stop)
        # AWS-managed IAM policies (AmazonSSMManagedInstanceCore, ...) exist in every
        # account; moto loads them only when asked.
        env = {**os.environ, **DUMMY, "MOTO_IAM_LOAD_MANAGED_POLICIES": "true"}
        # moto_server, with the fixes of tooling/emulator_server.py.
        self.proc = subprocess.Popen(
            [python_bin, "-m", "tooling.emulator_server", "-H", LOOPBACK, "-p", str(self.port)],
            stdout=self.log,
            stderr=subprocess.STDOUT,
            env=env,
            cwd=ROOT,
        )
        deadline = time.monotonic() + 60
        while True:
            try:
                with urllib.request.urlopen(f"{self.endpoint}/moto-api/", timeout=2) as response:
                    if response.status == 200:
                        break
            except OSError:
                pass
            if self.proc.poll() is not None or time.monotonic() > deadline:
                self.stop()
                raise RuntimeError(f"moto_server did not start; see {logfile}")
            time.sleep(0.2)

    def client(self, service: str, region: str) -> Any:
        import boto3

        return boto3.client(
            service,
            region_name=region,
            endpoint_url=self.endpoint,
            aws_access_key_id="test",
            aws_secret_access_key="test",
        )

    def reset(self) -> None:
        """Forget every resource (moto's reset API): a fresh emulator on the same port."""
        request = urllib.request.Request(f"{self.endpoint}/moto-api/reset", method="POST")
        with urllib.request.urlopen(request, timeout=30) as response:
            assert response.status == 200

    def stop(self) -> None:
        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        self.log.close()


class RegionProxy:
    """A loopback TCP proxy in front of the emulator for one region: what the drill cuts.

    Counts every connection it accepts (``connections``, and ``while_cut`` for those
    accepted while cut). Cut, it still accepts (so that each attempt is counted) and
    resets the connection at once: the client gets a connection error before sending a
    byte, as from a region that does not answer."""

    def __init__(self, region: str, target_port: int):
        self.region = region
        self.target_port = target_port
        self.connections = 0
        self.while_cut = 0
        self.cut = False
        self._lock = threading.Lock()
        self._server = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self._server.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self._server.bind((LOOPBACK, 0))
        self._server.listen(128)
        self.port = int(self._server.getsockname()[1])
        self.endpoint = f"http://{LOOPBACK}:{self.port}"
        self._closed = False
        threading.Thread(target=self._accept, name=f"proxy-{region}", daemon=True).start()

    def _accept(self) -> None:
        while not self._closed:
            try:
                client, _ = self._server.accept()
            except OSError:
                return
            with self._lock:
                self.connections += 1
                cut = self.cut
                if cut:
                    self.while_cut += 1
            if cut:
                # SO_LINGER 0: close sends a reset, not a graceful FIN.
                client.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, b"\x01\x00\x00\x00\x00\x00\x00\x00")
                client.close()
                continue
            threading.Thread(target=self._serve, args=(client,), daemon=True).start()

    def _serve(self, client: socket.socket) -> None:
        try:
            upstream = socket.create_connection((LOOPBACK, self.target_port))
        except OSError:
            client.close()
            return

        def pump(src: socket.socket, dst: socket.socket) -> None:
            try:
                while data := src.recv(65536):
                    dst.sendall(data)
            except OSError:
                pass
            finally:
                for sock in (src, dst):
                    with contextlib.suppress(OSError):
                        sock.shutdown(socket.SHUT_RDWR)

        threading.Thread(target=pump, args=(upstream, client), daemon=True).start()
        pump(client, upstream)
        client.close()
        upstream.close()

    def set_cut(self, cut: bool) -> None:
        with self._lock:
            self.cut = cut

    def close(self) -> None:
        self._closed = True
        self._server.close()


def seed_aws_managed_data(moto: MotoServer, regions: list[str]) -> None:
    """Create what every AWS account has and moto lacks: the AWS-managed prefix list of
    the Route 53 health checkers (the ALB health security group looks it up)."""
    for region in regions:
        ec2 = moto.client("ec2", region)
        name = f"com.amazonaws.{region}.route53-healthchecks"
        found = ec2.describe_managed_prefix_lists(Filters=[{"Name": "prefix-list-name", "Values": [name]}])
        if not found["PrefixLists"]:
            ec2.create_managed_prefix_list(
                PrefixListName=name,
                AddressFamily="IPv4",
                MaxEntries=10,
                Entries=[{"Cidr": "54.243.31.192/26"}, {"Cidr": "107.23.255.0/26"}],
            )


SEED_VPC_CIDR = "192.168.254.0/24"
"""A VPC of the harness's own in the source region, untagged (so no check of the
product's resources sees it); it only carries the seeded subnet groups."""


def seed_replica_subnet_groups(moto: MotoServer, source_region: str, group_names: list[str]) -> None:
    """moto looks a cross-region replica's DB subnet group up in the *source* region
    (AWS uses the replica's own region). Before anything is deployed, give moto groups of
    those names in the source region, on two subnets of a VPC of the harness's own, so
    that one ``cdktf deploy '*'`` creates every region."""
    ec2, rds = moto.client("ec2", source_region), moto.client("rds", source_region)
    existing = {g["DBSubnetGroupName"] for g in rds.describe_db_subnet_groups()["DBSubnetGroups"]}
    missing = [name for name in group_names if name not in existing]
    if not missing:
        return
    vpc = ec2.create_vpc(CidrBlock=SEED_VPC_CIDR)["Vpc"]["VpcId"]
    subnets = [
        ec2.create_subnet(VpcId=vpc, CidrBlock=f"192.168.254.{i * 64}/26", AvailabilityZone=f"{source_region}{az}")[
            "Subnet"
        ]["SubnetId"]
        for i, az in enumerate("ab")
    ]
    for name in missing:
        rds.create_db_subnet_group(
            DBSubnetGroupName=name, DBSubnetGroupDescription="moto: cross-region replica seed", SubnetIds=subnets
        )


def local_config(endpoint: str, dest: Path, regions: dict[str, str] | None = None) -> Path:
    """config/local.toml with the emulator's real endpoint (and, for the drill, an
    endpoint per region: ``[emulator] regions``)."""
    text = LOCAL_CONFIG.read_text()
    assert PLACEHOLDER_ENDPOINT in text, "config/local.toml must name the placeholder endpoint"
    text = text.replace(PLACEHOLDER_ENDPOINT, endpoint)
    if regions:
        text += "\n[emulator.regions]\n" + "".join(f'"{r}" = "{url}"\n' for r, url in regions.items())
    dest.write_text(text)
    return dest


@dataclass
class StackRun:
    name: str
    directory: Path
    resources: int = 0
    excluded: list[str] = field(default_factory=list)
    seconds: dict[str, float] = field(default_factory=dict)


def terraform_env(cli_config: Path) -> dict[str, str]:
    return {
        **os.environ,
        **DUMMY,
        "TF_CLI_CONFIG_FILE": str(cli_config),
        "CHECKPOINT_DISABLE": "1",
        "TF_IN_AUTOMATION": "1",
    }


def terraform(
    run: StackRun, env: dict[str, str], *args: str, ok: tuple[int, ...] = (0,)
) -> subprocess.CompletedProcess[str]:
    started = time.monotonic()
    proc = subprocess.run(
        ["terraform", *args, "-no-color"],
        cwd=run.directory,
        env=env,
        capture_output=True,
        text=True,
        timeout=1800,
        check=False,
    )
    run.seconds[args[0]] = run.seconds.get(args[0], 0.0) + time.monotonic() - started
    if proc.returncode not in ok:
        raise AssertionError(
            f"terraform {' '.join(args)} ({run.name}) exited {proc.returncode}:\n"
            f"{proc.stdout[-6000:]}\n{proc.stderr[-6000:]}"
        )
    return proc


def count_resources(run: StackRun, env: dict[str, str]) -> int:
    listed = terraform(run, env, "state", "list").stdout.split()
    return len([a for a in listed if not a.startswith("data.")])


def excluded_resources(doc: dict[str, Any]) -> list[str]:
    """Addresses the local profile leaves out (documented in README, Local deploy)."""
    return list(doc.get("//", {}).get("emulator_exclusions", []))


@dataclass
class CdktfCli:
    """The project's pinned cdktf CLI (``npx cdktf``), run from the project folder against
    a synthesized output directory, non-interactively and offline:

    - ``--skip-provider-lock``: otherwise ``deploy`` runs ``terraform providers lock``,
      which asks registry.terraform.io (the mirror in the CLI config serves everything else);
    - ``CDKTF_DISABLE_PLUGIN_CACHE_ENV=1``: otherwise the CLI sets its own plugin cache
      over the CLI config's;
    - ``CI=1`` and ``--no-color``: plain logs; outputs are read from ``--outputs-file``.
    """

    outdir: Path
    config: Path
    env: dict[str, str]
    seconds: dict[str, float] = field(default_factory=dict)

    def __call__(self, *args: str, label: str) -> subprocess.CompletedProcess[str]:
        env = {
            **self.env,
            "STACK_CONFIG": str(self.config),
            "CDKTF_DISABLE_PLUGIN_CACHE_ENV": "1",
            "CI": "1",
            "DISABLE_VERSION_CHECK": "1",
            "JSII_SILENCE_WARNING_END_OF_LIFE_NODE_VERSION": "20",
        }
        argv = ["npx", "cdktf", *args, "--no-color", "--skip-provider-lock", "--output", str(self.outdir)]
        started = time.monotonic()
        proc = subprocess.run(
            argv, cwd=ROOT, env=env, stdin=subprocess.DEVNULL, capture_output=True, text=True, timeout=1800, check=False
        )
        self.seconds[label] = time.monotonic() - started
        if proc.returncode != 0:
            raise AssertionError(
                f"{' '.join(argv)} exited {proc.returncode}:\n{proc.stdout[-6000:]}\n{proc.stderr[-4000:]}"
            )
        return proc
