"""The synth speed-ups change nothing but speed."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import warnings
from pathlib import Path
from typing import Any

import pytest

from runtime import speedups
from tests.conftest import ROOT, run_main
from tooling.architecture import read_outdir

SHIPPED = sorted((ROOT / "config").glob("*.toml"))


def synthesized_files(outdir: Path) -> list[Path]:
    """What synth wrote (other tests run terraform in these folders afterwards)."""
    files = (p.relative_to(outdir) for p in outdir.rglob("*") if p.is_file())
    return sorted(p for p in files if p.parts[0] != "validate" and not any(x.startswith(".terraform") for x in p.parts))


def test_every_shipped_config_is_byte_identical_to_the_stock_path(synthesize: Any, tmp_path: Path) -> None:
    """One stock (CDKTF_VANILLA=1) process synthesizes every shipped config; the
    in-process synth of the tests (lazy bindings) must write the same bytes."""
    env = {**os.environ, speedups.VANILLA_ENV: "1"}
    proc = subprocess.run(
        [sys.executable, str(ROOT / "scripts/synth_many.py"), str(tmp_path), *map(str, SHIPPED)],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
    assert proc.returncode == 0, proc.stderr
    assert len(SHIPPED) >= 4
    for config in SHIPPED:
        fast_dir, _ = synthesize(config)
        stock_dir = tmp_path / config.stem
        fast, stock = synthesized_files(fast_dir), synthesized_files(stock_dir)
        assert fast == stock, config.name
        for rel in fast:
            assert (fast_dir / rel).read_bytes() == (stock_dir / rel).read_bytes(), f"{config.name}: {rel} differs"


def test_the_tests_run_on_the_lazy_bindings() -> None:
    module = sys.modules[speedups.PACKAGE]
    assert getattr(module, "__lazy_provider__", False) is True
    loaded = [m for m in sys.modules if m.startswith(f"{speedups.PACKAGE}.") and m.count(".") == 1]
    assert 30 < len(loaded) < 400, "only the submodules the stacks use are imported"


def test_submodule_naming_rule_matches_every_binding() -> None:
    """The FQN map relies on python name -> lowerCamel jsii name; check it against the
    jsii type names written in every submodule of the installed bindings."""
    init_file = sys.modules[speedups.PACKAGE].__file__
    assert init_file is not None
    root = Path(init_file).parent
    pattern = re.compile(rb'jsii_type="(@cdktf/provider-aws\.[^."]+)\.')
    checked = 0
    for entry in sorted(os.scandir(root), key=lambda e: e.name):
        init = Path(entry.path) / "__init__.py"
        if entry.name.startswith("_") or not init.is_file():
            continue
        with open(init, "rb") as handle:
            match = pattern.search(handle.read(400_000))
        assert match, entry.name
        assert match.group(1).decode() == speedups.submodule_fqn(entry.name), entry.name
        checked += 1
    assert checked > 2000


def test_falls_back_with_a_warning_on_an_unknown_version(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(speedups, "SUPPORTED_VERSIONS", ("0.0.0",))
    monkeypatch.delitem(sys.modules, speedups.PACKAGE)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        assert speedups.lazy_provider_import() is False
    assert any("not one of the checked versions" in str(w.message) for w in caught)
    assert speedups.PACKAGE not in sys.modules, "nothing half-installed is left behind"


def test_vanilla_switch_disables_everything(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(speedups.VANILLA_ENV, "1")
    assert speedups.lazy_provider_import() is False


def test_fast_exit_leaves_no_temporary_directories(tmp_path: Path) -> None:
    """main.py ends through fast_exit: the jsii kernel's temp dirs must be gone."""
    (tmp_path / "tmp").mkdir()
    proc = run_main(
        TMPDIR=str(tmp_path / "tmp"),
        CDKTF_OUTDIR=str(tmp_path / "out"),
        STACK_CONFIG=str(ROOT / "config/dev.toml"),
    )
    assert proc.returncode == 0, proc.stderr
    assert (tmp_path / "out" / "stacks").is_dir() and len(read_outdir(tmp_path / "out")) == 3
    assert list((tmp_path / "tmp").iterdir()) == [], "jsii temp directories leaked"


# --- the Node side: lazy_provider.js preloaded into the jsii kernel -------------------

PROVIDER_MODULES = 2135
"""Resource modules the index of @cdktf/provider-aws 20.1.0 requires."""


def test_the_kernel_of_this_session_preloads_the_node_side() -> None:
    """The byte-identical test above compares this session's synth with the stock path,
    so it covers the Node side only if this session's kernel runs it: read the kernel
    process's environment (Linux /proc)."""
    kernels = []
    for child in Path("/proc").glob("[0-9]*"):
        try:
            if int((child / "stat").read_text().rsplit(")", 1)[1].split()[1]) != os.getpid():
                continue
            environ = (child / "environ").read_bytes().split(b"\0")
        except (OSError, ValueError, IndexError):
            continue
        if any(b"jsii" in arg for arg in (child / "cmdline").read_bytes().split(b"\0")):
            kernels.append(environ)
    assert kernels, "no jsii kernel among this process's children"
    option = speedups.node_require_option(speedups.NODE_PRELOAD).encode()
    assert all(any(e.startswith(b"NODE_OPTIONS=") and option in e for e in env) for env in kernels)


def test_the_node_side_loads_only_the_modules_the_stacks_use(tmp_path: Path) -> None:
    """A synth through main.py (as cdktf runs it), with a user's own NODE_OPTIONS kept."""
    report = tmp_path / "report.json"
    proc = run_main(
        CDKTF_OUTDIR=str(tmp_path / "out"),
        CDKTF_LAZY_PROVIDER_REPORT=str(report),
        NODE_OPTIONS="--max-http-header-size=16384",
    )
    assert proc.returncode == 0, proc.stderr
    assert "warning" not in proc.stderr, proc.stderr
    done = json.loads(report.read_text())
    assert done["version"] == "20.1.0" and done["fallback"] is None
    assert done["rewritten"] == PROVIDER_MODULES
    assert 30 < done["loaded"] < 200, "far fewer than every provider module"


@pytest.mark.parametrize(
    ("checked", "reason"),
    [
        ('{"0.0.0": 1}', "20.1.0 is not one of the checked versions 0.0.0"),
        ('{"20.1.0": 2000}', "2135 of 2135 requires have the checked form, expected 2000"),
    ],
    ids=["unchecked-version", "unexpected-layout"],
)
def test_the_node_side_falls_back_with_one_warning_and_identical_output(
    synthesize: Any, tmp_path: Path, checked: str, reason: str
) -> None:
    report = tmp_path / "report.json"
    proc = run_main(
        CDKTF_OUTDIR=str(tmp_path / "out"),
        CDKTF_LAZY_PROVIDER_REPORT=str(report),
        CDKTF_LAZY_PROVIDER_CHECKED=checked,
    )
    assert proc.returncode == 0, proc.stderr
    assert proc.stderr.count("lazy provider load disabled") == 1, proc.stderr
    assert reason in proc.stderr, proc.stderr
    done = json.loads(report.read_text())
    assert done["rewritten"] == 0 and done["loaded"] == 0
    lazy_dir, _ = synthesize(ROOT / "config" / "default.toml")
    files = synthesized_files(lazy_dir)
    assert files == synthesized_files(tmp_path / "out")
    for rel in files:
        assert (lazy_dir / rel).read_bytes() == (tmp_path / "out" / rel).read_bytes(), rel


def test_node_options_are_appended_once_and_survive_spaces(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """The option is added after a user's own NODE_OPTIONS, once, and Node reads a
    quoted path with spaces and quotes in it."""
    monkeypatch.delitem(sys.modules, "cdktf")  # as before the kernel starts (restored after)
    monkeypatch.setenv("NODE_OPTIONS", "--max-http-header-size=16384")
    assert speedups.lazy_node_provider() is True
    assert speedups.lazy_node_provider() is True
    option = speedups.node_require_option(speedups.NODE_PRELOAD)
    assert os.environ["NODE_OPTIONS"] == f"--max-http-header-size=16384 --max-semi-space-size=1 {option}"
    monkeypatch.setenv("NODE_OPTIONS", "--max-semi-space-size=8")
    assert speedups.lazy_node_provider() is True
    assert os.environ["NODE_OPTIONS"] == f"--max-semi-space-size=8 {option}", "the user's own V8 flag wins"
    odd = tmp_path / 'dir with "spaces"' / "preload.js"
    odd.parent.mkdir()
    odd.write_text('process.stdout.write("preloaded ");')
    proc = subprocess.run(
        ["node", "-e", "process.stdout.write('main')"],
        env={**os.environ, "NODE_OPTIONS": f"--max-http-header-size=16384 {speedups.node_require_option(odd)}"},
        capture_output=True,
        text=True,
        check=True,
    )
    assert proc.stdout == "preloaded main"


def test_node_side_is_off_when_vanilla_or_too_late(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("NODE_OPTIONS", raising=False)
    monkeypatch.setenv(speedups.VANILLA_ENV, "1")
    assert speedups.lazy_node_provider() is False
    assert "NODE_OPTIONS" not in os.environ
    monkeypatch.delenv(speedups.VANILLA_ENV)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        assert speedups.lazy_node_provider() is False, "cdktf is loaded: the kernel already runs"
    assert any("kernel started before" in str(w.message) for w in caught)
    assert "NODE_OPTIONS" not in os.environ
