"""Where the time of one synth goes: ``profile_synth.py [--runs N] [CONFIG]``.

Runs the steps of ``runtime.entry`` one by one in a fresh process per run (the way
``python main.py`` runs them) and prints the median seconds of each phase:

- interpreter: a bare ``python -c pass`` (the floor of any Python entry point);
- config: import the schema and validate the TOML file;
- cdktf import: ``import cdktf`` starts the jsii kernel (Node) and loads the cdktf and
  constructs assemblies;
- provider load: the provider assembly into the kernel (the Node-side lazy index) and
  the lazy Python package;
- stacks import: the Python bindings of the resource types the stacks use;
- build: the constructs (every resource is a jsii object created in the kernel);
- synth: cdktf resolves tokens and writes the JSON (in the kernel);
- exit: what is left of the process's wall time (exit handlers stop the kernel).

``make bench`` runs it; README "Performance" quotes it.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PHASES = ("interpreter", "config", "cdktf import", "provider load", "stacks import", "build", "synth", "exit")

CHILD = r"""
import json, os, sys, time
marks = [("start", time.perf_counter())]
def mark(name): marks.append((name, time.perf_counter()))
sys.path.insert(0, {root!r})
from constructs_lib.config import load
from runtime import entry, speedups
config = load({config!r}); mark("config")
speedups.lazy_node_provider()
import cdktf; mark("cdktf import")
speedups.lazy_provider_import(); mark("provider load")
import stacks.app; mark("stacks import")
with speedups.quiet_gc():
    product = stacks.app.build_app(config, outdir={outdir!r}); mark("build")
    product.app.synth(); mark("synth")
print(json.dumps([(n, t - marks[0][1]) for n, t in marks[1:]]), flush=True)
speedups.fast_exit(0)
"""


def one_run(config: str, work: Path) -> dict[str, float]:
    env = {**os.environ, "JSII_SILENCE_WARNING_END_OF_LIFE_NODE_VERSION": "20"}
    env.pop("CDKTF_VANILLA", None)
    code = CHILD.format(root=str(ROOT), config=config, outdir=str(work / "out"))
    started = time.perf_counter()
    proc = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, check=True)
    wall = time.perf_counter() - started
    marks = json.loads(proc.stdout.strip().splitlines()[-1])
    phases, previous = {}, 0.0
    for name, at in marks:
        phases[name] = at - previous
        previous = at
    bare_started = time.perf_counter()
    subprocess.run([sys.executable, "-c", "pass"], check=True)
    phases["interpreter"] = time.perf_counter() - bare_started
    phases["exit"] = max(0.0, wall - previous - phases["interpreter"])
    phases["total"] = wall
    return phases


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("config", nargs="?", default=str(ROOT / "config" / "default.toml"))
    parser.add_argument("--json", help="also write the medians here")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="profile-") as tmp:
        one_run(args.config, Path(tmp))  # warm-up (jsii package cache, page cache)
        runs = [one_run(args.config, Path(tmp)) for _ in range(args.runs)]
    medians = {name: statistics.median(r[name] for r in runs) for name in (*PHASES, "total")}
    print(f"synth profile of {Path(args.config).name}, median of {args.runs} runs:")
    print(f"  {'phase':14s} {'seconds':>8s} {'share':>6s}")
    for name in PHASES:
        print(f"  {name:14s} {medians[name]:8.2f} {medians[name] / medians['total']:6.0%}")
    print(f"  {'total':14s} {medians['total']:8.2f}")
    if args.json:
        Path(args.json).write_text(json.dumps({k: round(v, 3) for k, v in medians.items()}, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
