"""make deploy-local: start moto on 127.0.0.1, deploy every stack of config/local.toml,
print the outputs, and tear down when you press Enter (or keep it with --keep).

    .venv/bin/python scripts/deploy_local.py [--keep]
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("JSII_SILENCE_WARNING_END_OF_LIFE_NODE_VERSION", "20")

from tooling.local_aws import (  # noqa: E402
    MotoServer,
    StackRun,
    count_resources,
    local_config,
    seed_aws_managed_data,
    seed_replica_subnet_groups,
    terraform,
    terraform_env,
)
from tooling.plan import stack_order  # noqa: E402


def cli_config(work: Path) -> Path:
    """Terraform CLI config: the provider mirror named by TF_PLUGIN_DIR if any, else
    the user's own configuration (a plain init downloads the provider)."""
    rc = work / "terraformrc"
    mirror = os.environ.get("TF_PLUGIN_DIR")
    cache = Path.home() / ".terraform.d" / "plugin-cache"
    cache.mkdir(parents=True, exist_ok=True)
    body = f'plugin_cache_dir = "{cache}"\n'
    if mirror:
        body += (
            "provider_installation {\n"
            f'  filesystem_mirror {{\n    path = "{mirror}"\n    include = ["registry.terraform.io/hashicorp/*"]\n  }}\n'
            '  direct {\n    exclude = ["registry.terraform.io/hashicorp/*"]\n  }\n}\n'
        )
    rc.write_text(body)
    return rc


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--keep", action="store_true", help="leave the stacks and moto running until Ctrl-C")
    args = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="deploy-local-"))
    moto = MotoServer(work / "moto.log")
    print(f"moto on {moto.endpoint} (log: {work / 'moto.log'})")
    runs: list[StackRun] = []
    env = terraform_env(cli_config(work))
    try:
        config = local_config(moto.endpoint, work / "local.toml")
        outdir = work / "cdktf.out"
        subprocess.run(
            [sys.executable, str(ROOT / "main.py")],
            cwd=ROOT,
            check=True,
            env={**os.environ, "STACK_CONFIG": str(config), "CDKTF_OUTDIR": str(outdir)},
        )
        seed_aws_managed_data(moto, ["us-east-1", "us-west-2"])
        order = stack_order(outdir)
        _, *secondaries, _ = order
        seed_replica_subnet_groups(moto, "us-east-1", [f"{name}-db" for name in secondaries])
        for name in order:
            run = StackRun(name, outdir / "stacks" / name)
            print(f"applying {name} ...", flush=True)
            terraform(run, env, "init", "-input=false")
            terraform(run, env, "apply", "-auto-approve", "-input=false")
            run.resources = count_resources(run, env)
            runs.append(run)
            outputs = json.loads(terraform(run, env, "output", "-json").stdout)
            print(f"{name}: {run.resources} resources in {run.seconds['apply']:.0f}s")
            for key, value in sorted(outputs.items()):
                if not key.startswith("cross-stack-output-"):
                    shown = "(sensitive)" if value.get("sensitive") else json.dumps(value["value"])
                    print(f"  {key} = {shown}")
        if args.keep:
            print("\nstacks are up; Ctrl-C to tear down")
            try:
                while True:
                    input()
            except (KeyboardInterrupt, EOFError):
                pass
        else:
            input("\nPress Enter to destroy everything ...")
    finally:
        for run in reversed(runs):
            print(f"destroying {run.name} ...", flush=True)
            terraform(run, env, "destroy", "-auto-approve", "-input=false")
        moto.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main())
