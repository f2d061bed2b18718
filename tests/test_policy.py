"""The policy gate: checkov over every synthesized stack, 0 failed checks, with
per-resource suppressions from policy/checkov-suppressions.toml."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import tomllib
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import ROOT, Synth

CHECKOV_VERSION = "3.3.30"
SUPPRESSIONS = ROOT / "policy" / "checkov-suppressions.toml"
CONFIGS = ("default.toml", "dev.toml")


@dataclass(frozen=True)
class Finding:
    check: str
    stack: str
    name: str
    """Resource name without its type: construct paths make it unique in a stack."""


def entries() -> list[dict[str, Any]]:
    return tomllib.loads(SUPPRESSIONS.read_text())["suppress"]


def skipped_checks(config: str) -> list[str]:
    return [s["check"] for s in tomllib.loads(SUPPRESSIONS.read_text()).get("skip_check", []) if config in s["configs"]]


def stack_kind(stack: str) -> str:
    return "global" if stack.endswith("-global") else "regional"


def covers(entry: dict[str, Any], finding: Finding, config: str) -> bool:
    return (
        config in entry["configs"]
        and entry["check"] == finding.check
        and entry["stacks"] == stack_kind(finding.stack)
        and entry["resource"].split(".", 1)[1] == finding.name
    )


def strip_nulls(node: Any) -> Any:
    """cdktf writes null for unset arguments; checkov then misses real findings (a
    rule open to 0.0.0.0/0 on port 22 passed CKV_AWS_24 with "prefix_list_ids": null)."""
    if isinstance(node, dict):
        return {k: strip_nulls(v) for k, v in node.items() if v is not None}
    if isinstance(node, list):
        return [strip_nulls(v) for v in node if v is not None]
    return node


def scan_copy(docs: Synth, dest: Path) -> None:
    for stack, doc in docs.items():
        clean = strip_nulls(doc)
        # checkov 3.3.30's terraform_json parser fails on scalar settings in the
        # terraform block, and on moved/removed blocks (stacks/upgrades.py); they hold no
        # AWS resource to check.
        clean.get("terraform", {}).pop("required_version", None)
        clean.pop("moved", None)
        clean.pop("removed", None)
        (dest / stack).mkdir(parents=True)
        (dest / stack / "cdk.tf.json").write_text(json.dumps(clean, indent=1))


def checkov_binary() -> str:
    candidates = [os.environ.get("CHECKOV"), str(ROOT / ".tools/checkov/bin/checkov"), shutil.which("checkov")]
    for candidate in candidates:
        if candidate and Path(candidate).exists():
            return candidate
    if os.environ.get("CI"):
        pytest.fail("checkov is not installed; `make install` puts it in .tools/checkov")
    pytest.skip("checkov is not installed (make install puts it in .tools/checkov)")


@dataclass
class Scan:
    findings: list[Finding]
    passed: int
    failed: int
    skipped: int


def run_checkov(binary: str, directory: Path, baseline: Path | None = None, skip: list[str] | None = None) -> Scan:
    args = [
        binary,
        "-d",
        str(directory),
        "--framework",
        "terraform_json",
        "--skip-download",
        "--quiet",
        "--compact",
        "-o",
        "json",
    ]
    if skip:
        args += ["--skip-check", ",".join(skip)]
    if baseline is not None:
        args += ["--baseline", str(baseline)]
    proc = subprocess.run(
        args,
        capture_output=True,
        text=True,
        timeout=600,
        env={**os.environ, "BC_SKIP_MAPPING": "TRUE", "CHECKOV_RUN_SCA_PACKAGE_SCAN_V2": "false"},
        check=False,
    )
    if proc.returncode not in (0, 1):
        raise AssertionError(f"checkov failed ({proc.returncode}):\n{proc.stderr[-3000:]}")
    reports = json.loads(proc.stdout)
    reports = reports if isinstance(reports, list) else [reports]
    findings, passed, failed, skipped = [], 0, 0, 0
    for report in reports:
        # With a baseline that covers every finding checkov prints only a bare summary.
        summary = report.get("summary", report)
        assert summary.get("parsing_errors", 0) == 0, f"checkov could not parse: {summary}"
        passed, failed, skipped = passed + summary["passed"], failed + summary["failed"], skipped + summary["skipped"]
        for item in report.get("results", {}).get("failed_checks", []):
            stack = Path(item["file_path"]).parent.name
            findings.append(Finding(item["check_id"], stack, item["resource"].split(".", 1)[1]))
    return Scan(findings, passed, failed, skipped)


def write_baseline(config: str, docs: Synth, path: Path) -> None:
    """checkov's per-resource baseline from the suppression entries of ``config``."""
    files = []
    for stack in sorted(docs):
        findings: dict[str, list[str]] = {}
        for entry in entries():
            if config in entry["configs"] and entry["stacks"] == stack_kind(stack):
                _, name = entry["resource"].split(".", 1)
                # checkov names some resources of Terraform JSON "resource.<name>".
                for resource in (entry["resource"], f"resource.{name}"):
                    findings.setdefault(resource, []).append(entry["check"])
        files.append(
            {
                "file": f"/{stack}/cdk.tf.json",
                "findings": [{"resource": r, "check_ids": sorted(c)} for r, c in sorted(findings.items())],
            }
        )
    path.write_text(json.dumps({"failed_checks": files}, indent=1))


def test_every_config_wide_skip_has_a_reason() -> None:
    for skip in tomllib.loads(SUPPRESSIONS.read_text()).get("skip_check", []):
        assert set(skip) == {"check", "configs", "reason"} and len(skip["reason"].strip()) > 20, skip
        assert set(skip["configs"]) <= set(CONFIGS)


def test_every_suppression_has_a_reason_and_a_known_shape() -> None:
    for entry in entries():
        assert set(entry) == {"check", "resource", "stacks", "configs", "reason"}, entry
        assert len(entry["reason"].strip()) > 20, f"{entry['check']} {entry['resource']}: give a real reason"
        assert entry["stacks"] in ("regional", "global")
        assert set(entry["configs"]) <= set(CONFIGS) and entry["configs"]
        assert "." in entry["resource"]


@pytest.fixture(scope="module")
def scans(synthesize: Any, tmp_path_factory: pytest.TempPathFactory) -> dict[str, tuple[Synth, Scan, Scan]]:
    binary = checkov_binary()
    out: dict[str, tuple[Synth, Scan, Scan]] = {}
    for config in CONFIGS:
        _, docs = synthesize(ROOT / "config" / config)
        base = tmp_path_factory.mktemp(f"checkov-{config.removesuffix('.toml')}")
        scan_copy(docs, base / "stacks")
        raw = run_checkov(binary, base / "stacks", skip=skipped_checks(config))
        write_baseline(config, docs, base / "baseline.json")
        gated = run_checkov(binary, base / "stacks", base / "baseline.json", skip=skipped_checks(config))
        out[config] = (docs, raw, gated)
    return out


@pytest.mark.parametrize("config", CONFIGS)
def test_checkov_gate_has_zero_failed_checks(scans: dict[str, tuple[Synth, Scan, Scan]], config: str) -> None:
    docs, raw, gated = scans[config]
    unsuppressed = [f for f in raw.findings if not any(covers(e, f, config) for e in entries())]
    suppressed = len(raw.findings) - len(unsuppressed)
    # checkov's own count of what fails once the baseline applies is the gate; the
    # passed count comes from the run without baseline (with one, checkov omits it).
    print(
        f"\ncheckov {config} ({len(docs)} stacks): passed {raw.passed}, failed {gated.failed}, "
        f"skipped {suppressed} (per-resource baseline) + checks skipped config-wide: {skipped_checks(config) or 'none'}"
    )
    assert not unsuppressed, "new checkov findings:\n" + "\n".join(map(str, unsuppressed))
    assert gated.failed == 0, gated.findings
    assert raw.passed > 500


@pytest.mark.parametrize("config", CONFIGS)
def test_no_suppression_is_stale(scans: dict[str, tuple[Synth, Scan, Scan]], config: str) -> None:
    _, raw, _ = scans[config]
    stale = [e for e in entries() if config in e["configs"] and not any(covers(e, f, config) for f in raw.findings)]
    assert not stale, "suppressions matching nothing (remove them or fix configs):\n" + "\n".join(
        f"{e['check']} {e['resource']}" for e in stale
    )


def test_null_stripping_exposes_what_nulls_hide() -> None:
    rule = {"cidr_ipv4": "0.0.0.0/0", "prefix_list_id": None, "from_port": 22}
    assert strip_nulls({"a": [rule, None]}) == {"a": [{"cidr_ipv4": "0.0.0.0/0", "from_port": 22}]}
