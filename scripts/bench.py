"""Benchmark: the jsii floor, the product's synth (direct and through the cdktf CLI),
the stock ("vanilla") synth, the profile of one synth, the test suite without deploy
tests, and the deploy tests, side by side.

    make bench        # or: .venv/bin/python scripts/bench.py [--runs N] [--test-runs N] [--no-deploy]

Prints wall seconds and peak memory of the whole process tree (node included), median
and spread over the runs, the resource count, the ratios and the targets; writes the
results to bench-results/bench.json (with the machine) so a later change can be
compared. Each synth column runs warm (the jsii package cache as it is) and once cold
(an empty cache).
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
PY = str(ROOT / ".venv" / "bin" / "python")
CONFIG = ROOT / "config" / "default.toml"
SAMPLE_SECONDS = 0.02

FLOOR = r"""
import importlib, os, sys
sys.path.insert(0, {root!r})
os.environ.setdefault("JSII_SILENCE_WARNING_END_OF_LIFE_NODE_VERSION", "20")
from cdktf import App, TerraformStack
for name in {modules!r}:
    importlib.import_module("cdktf_cdktf_provider_aws." + name)
app = App(outdir={outdir!r})
TerraformStack(app, "empty")
app.synth()
"""


def tree_rss_kb(pid: int) -> int:
    """Resident memory of ``pid`` and all its descendants, in KiB."""
    children: dict[int, list[int]] = {}
    rss: dict[int, int] = {}
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat") as f:
                fields = f.read().rsplit(")", 1)[1].split()
            ppid = int(fields[1])
            with open(f"/proc/{entry}/statm") as f:
                pages = int(f.read().split()[1])
        except (OSError, IndexError, ValueError):
            continue
        children.setdefault(ppid, []).append(int(entry))
        rss[int(entry)] = pages * (os.sysconf("SC_PAGE_SIZE") // 1024)
    total, stack = 0, [pid]
    while stack:
        p = stack.pop()
        total += rss.get(p, 0)
        stack.extend(children.get(p, []))
    return total


def measure(cmd: list[str], env: dict[str, str], cwd: Path = ROOT) -> tuple[float, float]:
    """Wall seconds and peak process-tree memory (MiB) of one run."""
    peak = 0
    started = time.perf_counter()
    proc = subprocess.Popen(cmd, cwd=cwd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    done = threading.Event()

    def sample() -> None:
        nonlocal peak
        while not done.is_set():
            peak = max(peak, tree_rss_kb(proc.pid))
            time.sleep(SAMPLE_SECONDS)

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    _, err = proc.communicate()
    wall = time.perf_counter() - started
    done.set()
    sampler.join()
    if proc.returncode != 0:
        raise SystemExit(f"{' '.join(cmd)} failed ({proc.returncode}):\n{err[-2000:]}")
    return wall, peak / 1024


def product_modules() -> list[str]:
    """The provider submodules the product imports (from a lazy import in a child)."""
    code = (
        f"import sys; sys.path.insert(0, {str(ROOT)!r}); from runtime import entry; entry.prepare(); "
        "import stacks.app; print(' '.join(sorted(m.split('.')[1] for m in sys.modules "
        "if m.startswith('cdktf_cdktf_provider_aws.') and m.count('.') == 1 and m != 'cdktf_cdktf_provider_aws._jsii')))"
    )
    out = subprocess.run([PY, "-c", code], capture_output=True, text=True, check=True, env=base_env()).stdout
    return out.split()


def base_env(**extra: str) -> dict[str, str]:
    env = {
        **os.environ,
        "JSII_SILENCE_WARNING_END_OF_LIFE_NODE_VERSION": "20",
        "CHECKPOINT_DISABLE": "1",
        "DISABLE_VERSION_CHECK": "1",
        "STACK_CONFIG": str(CONFIG),
    }
    env.pop("CDKTF_VANILLA", None)
    env.update(extra)
    return env


def resource_count(outdir: Path) -> int:
    total = 0
    for stack in (outdir / "stacks").iterdir():
        doc = json.loads((stack / "cdk.tf.json").read_text())
        total += sum(len(v) for v in doc.get("resource", {}).values())
    return total


def summarize(samples: list[tuple[float, float]]) -> dict[str, float]:
    walls, mems = [s[0] for s in samples], [s[1] for s in samples]
    return {
        "wall_median_s": round(statistics.median(walls), 2),
        "wall_min_s": round(min(walls), 2),
        "wall_max_s": round(max(walls), 2),
        "peak_mib_median": round(statistics.median(mems)),
        "peak_mib_max": round(max(mems)),
        "runs": len(samples),
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--runs", type=int, default=3, help="runs per synth column (default 3)")
    parser.add_argument("--test-runs", type=int, default=2, help="runs of the test suite (default 2)")
    parser.add_argument("--no-deploy", action="store_true", help="skip the deploy tests column (about 6 minutes)")
    parser.add_argument("--out", default=str(ROOT / "bench-results" / "bench.json"))
    args = parser.parse_args()

    work = Path(tempfile.mkdtemp(prefix="bench-"))
    try:
        modules = product_modules()
        floor_script = work / "floor.py"
        floor_script.write_text(FLOOR.format(root=str(ROOT), modules=modules, outdir=str(work / "floor-out")))
        npx = shutil.which("npx") or "npx"
        columns: dict[str, tuple[list[str], dict[str, str]]] = {
            "floor": ([PY, str(floor_script)], base_env()),
            "direct": ([PY, "main.py"], base_env(CDKTF_OUTDIR=str(work / "direct"))),
            "cli": ([npx, "cdktf", "synth", "--output", str(work / "cli")], base_env()),
            "vanilla": ([PY, "main.py"], base_env(CDKTF_VANILLA="1", CDKTF_OUTDIR=str(work / "vanilla"))),
        }
        results: dict[str, dict[str, dict[str, Any]]] = {}
        for name, (cmd, env) in columns.items():
            measure(cmd, env)  # warm-up: fills the jsii package cache
            warm = [measure(cmd, env) for _ in range(args.runs)]
            cold_env = {**env, "JSII_RUNTIME_PACKAGE_CACHE_ROOT": str(work / f"cold-cache-{name}")}
            cold = measure(cmd, cold_env)
            results[name] = {"warm": summarize(warm), "cold": {"wall_s": round(cold[0], 2), "peak_mib": round(cold[1])}}
            print(f"  {name:8s} warm {results[name]['warm']}  cold {results[name]['cold']}", flush=True)
        profile = work / "profile.json"
        subprocess.run([PY, str(ROOT / "scripts" / "profile_synth.py"), "--json", str(profile)], check=True)
        results["profile"] = {"warm": json.loads(profile.read_text())}
        # The README's test command without the deploy tests (lint and types included).
        tests_cmd = ["make", "test", "PYTEST_ARGS=-q -m 'not deploy'"]
        tests = [measure(tests_cmd, base_env()) for _ in range(args.test_runs)]
        results["tests"] = {"warm": summarize(tests)}
        if not args.no_deploy:
            deploy_cmd = ["make", "test", "PYTEST_ARGS=-q -m deploy"]
            results["deploy"] = {"warm": summarize([measure(deploy_cmd, base_env())])}
        count = resource_count(work / "direct")
    finally:
        shutil.rmtree(work, ignore_errors=True)

    def w(name: str) -> float:
        return float(results[name]["warm"]["wall_median_s"])

    def m(name: str) -> float:
        return float(results[name]["warm"]["peak_mib_median"])

    ratios = {
        "direct/floor (wall)": round(w("direct") / w("floor"), 2),
        "cli/direct (wall)": round(w("cli") / w("direct"), 2),
        "cli-direct (s)": round(w("cli") - w("direct"), 2),
        "tests/direct (wall)": round(w("tests") / w("direct"), 2),
        "direct/vanilla (wall)": round(w("direct") / w("vanilla"), 2),
        "direct/vanilla (peak memory)": round(m("direct") / m("vanilla"), 2),
        "tests/vanilla (wall)": round(w("tests") / w("vanilla"), 2),
    }
    targets = {
        "direct <= 0.25 x vanilla (wall)": ratios["direct/vanilla (wall)"] <= 0.25,
        "direct <= 0.3 x vanilla (memory)": ratios["direct/vanilla (peak memory)"] <= 0.3,
        "cli <= direct + 1.5 s": ratios["cli-direct (s)"] <= 1.5,
        "tests (no deploy) <= 100 s": w("tests") <= 100.0,
        "stretch: direct <= 1.5 s": w("direct") <= 1.5,
    }
    if "deploy" in results:
        targets["deploy tests <= 360 s"] = w("deploy") <= 360.0
    machine = {
        "python": platform.python_version(),
        "cpus": os.cpu_count(),
        "platform": platform.platform(),
        "mem_gib": round(os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30, 1),
    }

    print(f"\nDefault config: {count} resources in 3 stacks; machine: {machine}")
    print(f"{'column':10s} {'wall median':>12s} {'min..max':>14s} {'peak MiB':>9s} {'cold wall':>10s} {'cold MiB':>9s}")
    for name, r in results.items():
        if name == "profile":
            continue
        summary, cold_run = r["warm"], r.get("cold", {})
        print(
            f"{name:10s} {summary['wall_median_s']:>11.2f}s {summary['wall_min_s']:>6.2f}..{summary['wall_max_s']:<6.2f} "
            f"{summary['peak_mib_median']:>9} {cold_run.get('wall_s', '-'):>10} {cold_run.get('peak_mib', '-'):>9}"
        )
    print("\nprofile of one direct synth (median seconds):")
    for phase, seconds in results["profile"]["warm"].items():
        print(f"  {phase:14s} {seconds:6.2f}")
    print()
    for k, v in ratios.items():
        print(f"  {k:32s} {v}")
    for k, ok in targets.items():
        print(f"  target {k:32s} {'met' if ok else 'NOT met'}")
    out = Path(args.out)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(
        json.dumps(
            {"machine": machine, "resources": count, "results": results, "ratios": ratios, "targets": targets}, indent=2
        )
    )
    print(f"\nwritten to {out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
