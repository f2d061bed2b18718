"""The synth speed-ups change nothing but speed."""

from __future__ import annotations

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
