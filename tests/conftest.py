"""Shared fixtures: one synthesis per config per session, Terraform set up once."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import threading
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from tooling.architecture import read_outdir

os.environ.setdefault("JSII_SILENCE_WARNING_END_OF_LIFE_NODE_VERSION", "20")
os.environ.setdefault("CHECKPOINT_DISABLE", "1")

ROOT = Path(__file__).resolve().parent.parent
CONFIG_DIR = ROOT / "config"


def pytest_configure(config: pytest.Config) -> None:
    """Load the provider bindings the way the product does (lazily): the tests then
    exercise the shipped path, and pay ~2 s instead of ~8 s for the import."""
    from runtime import entry

    entry.prepare()


Synth = dict[str, dict[str, Any]]
"""Stack name -> parsed cdk.tf.json."""


def run_main(cwd: Path = ROOT, timeout: int = 300, **env: str) -> subprocess.CompletedProcess[str]:
    """``python main.py`` in a subprocess (as cdktf.json runs it), with extra environment."""
    return subprocess.run(
        [sys.executable, str(ROOT / "main.py")],
        cwd=cwd,
        env={**os.environ, **env},
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )


class Synthesizer:
    """Synthesizes a config into a temp dir once and remembers the result."""

    def __init__(self, base: Path):
        self.base = base
        self.cache: dict[str, tuple[Path, Synth]] = {}

    def __call__(self, config_path: str | Path) -> tuple[Path, Synth]:
        key = str(Path(config_path).resolve())
        if key not in self.cache:
            from constructs_lib.config import load
            from runtime import entry

            outdir = self.base / f"synth-{len(self.cache)}"
            entry.synth(load(config_path), outdir=outdir)
            self.cache[key] = (outdir, read_outdir(outdir))
        return self.cache[key]


@pytest.fixture(scope="session")
def synthesize(tmp_path_factory: pytest.TempPathFactory) -> Synthesizer:
    return Synthesizer(tmp_path_factory.mktemp("synth"))


@pytest.fixture(scope="session")
def default_synth(synthesize: Synthesizer) -> Synth:
    return synthesize(CONFIG_DIR / "default.toml")[1]


@pytest.fixture(scope="session")
def dev_synth(synthesize: Synthesizer) -> Synth:
    """config/dev.toml: disposable, so the only shipped profile without a delegated domain."""
    return synthesize(CONFIG_DIR / "dev.toml")[1]


@pytest.fixture(scope="session")
def default_outdir(synthesize: Synthesizer) -> Path:
    return synthesize(CONFIG_DIR / "default.toml")[0]


# --- Terraform -----------------------------------------------------------------------

PLUGIN_SEARCH_ROOTS = (
    "/opt",
    "/usr/local/share",
    "/usr/share",
    str(Path.home() / ".terraform.d"),
    str(Path.home() / ".local/share/terraform"),
)


def find_plugin_mirror() -> Path | None:
    """The directory holding ``registry.terraform.io/hashicorp/aws``: ``TF_PLUGIN_DIR``
    if set, else the first one found under the usual roots."""
    if os.environ.get("TF_PLUGIN_DIR"):
        return Path(os.environ["TF_PLUGIN_DIR"])
    for root in PLUGIN_SEARCH_ROOTS:
        base = Path(root)
        if not base.is_dir():
            continue
        for hit in base.glob("**/registry.terraform.io/hashicorp/aws"):
            return hit.parent.parent.parent
    return None


class Terraform:
    """Runs terraform with a CLI config that installs providers from the offline
    mirror (when there is one) through a shared plugin cache."""

    def __init__(self, binary: str, workdir: Path):
        self.binary = binary
        cache = workdir / "plugin-cache"
        cache.mkdir(parents=True, exist_ok=True)
        mirror = find_plugin_mirror()
        rc = workdir / "terraformrc"
        if mirror is not None:
            rc.write_text(
                "provider_installation {\n"
                f'  filesystem_mirror {{\n    path = "{mirror}"\n    include = ["registry.terraform.io/hashicorp/*"]\n  }}\n'
                '  direct {\n    exclude = ["registry.terraform.io/hashicorp/*"]\n  }\n}\n'
                f'plugin_cache_dir = "{cache}"\n'
            )
        else:
            rc.write_text(f'plugin_cache_dir = "{cache}"\n')
        self.env = {**os.environ, "TF_CLI_CONFIG_FILE": str(rc), "CHECKPOINT_DISABLE": "1", "TF_IN_AUTOMATION": "1"}
        self.initialized: set[Path] = set()
        # The shared plugin cache is not safe for concurrent writers: inits take turns,
        # and validate_many runs its validations in parallel only after all its inits.
        self._init_lock = threading.Lock()

    def run(self, cwd: Path, *args: str, check: bool = True) -> subprocess.CompletedProcess[str]:
        proc = subprocess.run(
            [self.binary, *args, "-no-color"],
            cwd=cwd,
            env=self.env,
            capture_output=True,
            text=True,
            timeout=900,
            check=False,
        )
        if check and proc.returncode != 0:
            raise AssertionError(f"terraform {' '.join(args)} in {cwd} failed:\n{proc.stdout}\n{proc.stderr}")
        return proc

    def init(self, cwd: Path) -> None:
        with self._init_lock:
            if cwd not in self.initialized:
                self.run(cwd, "init", "-backend=false", "-input=false")
                self.initialized.add(cwd)

    def validate(self, cwd: Path) -> None:
        self.init(cwd)
        self.run(cwd, "validate")

    def validate_many(self, stacks: list[Path], workdir: Path, workers: int = 2) -> None:
        """Validate many synthesized stacks in few Terraform runs: each stack becomes a
        child module of a generated root, so the 700 MB provider's schema loads once per
        run instead of once per stack (about 3 s each). Backends of child modules are
        ignored (a warning); everything else is validated as in its own root. The
        stacks are split over ``workers`` roots validated in parallel."""
        from concurrent.futures import ThreadPoolExecutor

        chunks = [stacks[i::workers] for i in range(workers) if stacks[i::workers]]
        roots = [self._make_root(chunk, workdir / f"root-{i}") for i, chunk in enumerate(chunks)]
        # Every init before any validation: an init may rewrite the shared plugin cache
        # entry that another root's .terraform links to (seen as "no package ... cached
        # in .terraform/providers" when the two overlapped).
        for root in roots:
            self.init(root)
        with ThreadPoolExecutor(len(roots)) as pool:
            list(pool.map(lambda root: self.run(root, "validate"), roots))

    def _make_root(self, stacks: list[Path], workdir: Path) -> Path:
        workdir.mkdir(parents=True, exist_ok=True)

        def source(stack: Path) -> str:
            rel = os.path.relpath(stack, workdir)
            return rel if rel.startswith("../") else f"./{rel}"

        def module(stack: Path) -> dict[str, str]:
            # A stack of a config without edge.domain requires the variable domain (and,
            # delegated, without edge.zone_id, the variable hosted_zone_id).
            variables = json.loads((stack / "cdk.tf.json").read_text()).get("variable", {})
            given = {"domain": "shop.acme.com", "hosted_zone_id": "Z0123456789ABC"}
            return {"source": source(stack), **{k: v for k, v in given.items() if k in variables}}

        modules = {f"m{i}": module(stack) for i, stack in enumerate(stacks)}
        root = {"module": modules, "terraform": {"required_providers": {"aws": {"source": "hashicorp/aws"}}}}
        (workdir / "main.tf.json").write_text(json.dumps(root, indent=1))
        return workdir


@pytest.fixture(scope="session")
def terraform(tmp_path_factory: pytest.TempPathFactory) -> Terraform:
    binary = shutil.which("terraform")
    if binary is None:
        if os.environ.get("CI"):
            pytest.fail("terraform is not installed, and CI must run terraform validate")
        pytest.skip("terraform is not installed (CI installs it; see README)")
    return Terraform(binary, tmp_path_factory.mktemp("terraform"))


# --- small stacks for construct unit tests --------------------------------------------


@pytest.fixture(scope="session")
def stack_factory() -> Callable[..., Any]:
    """Make an empty stack with aliased providers for the given regions."""
    from cdktf import App
    from cdktf_cdktf_provider_aws.provider import AwsProvider

    from stacks.common import ReadableStack

    def make(*regions: str) -> tuple[Any, dict[str, Any]]:
        app = App()
        stack = ReadableStack(app, "test")
        providers = {r: AwsProvider(stack, f"aws-{r}", region=r, alias=r.replace("-", "_")) for r in regions}
        return stack, providers

    return make


def synth_json(stack: Any) -> dict[str, Any]:
    from cdktf import Testing

    return json.loads(Testing.synth(stack))


def resources(doc: dict[str, Any], rtype: str) -> dict[str, dict[str, Any]]:
    return doc.get("resource", {}).get(rtype, {})
