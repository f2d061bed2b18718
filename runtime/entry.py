"""The one path from a config file to synthesized Terraform JSON.

    load -> speed-ups -> build -> synth

``main`` is what ``python main.py`` (and so ``cdktf synth``/``deploy``) runs; ``synth``
is what scripts, tooling and tests call with a config they loaded. A bad config is
reported, one line per problem, with exit status 2 and no traceback, before the (slow)
provider bindings are even imported.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path
from typing import TYPE_CHECKING

from constructs_lib.config import Config, ConfigError, load

from . import speedups

if TYPE_CHECKING:
    from stacks.app import Product

# jsii's Node runtime prints an end-of-life banner for Node 20 on every run; the
# product supports Node 20, so keep the output clean (an explicit setting wins).
os.environ.setdefault("JSII_SILENCE_WARNING_END_OF_LIFE_NODE_VERSION", "20")

CONFIG_ENV = "STACK_CONFIG"
DEFAULT_CONFIG = "config/default.toml"
EXIT_BAD_CONFIG = 2


def prepare() -> None:
    """Install the speed-ups, Node side then Python side (idempotent; ``CDKTF_VANILLA=1``
    turns them off). Call it before anything imports cdktf: the kernel reads
    ``NODE_OPTIONS`` when it starts."""
    speedups.lazy_node_provider()
    speedups.lazy_provider_import()


def build(config: Config, *, outdir: str | Path | None = None) -> Product:
    """Every stack of ``config`` in a new App (``outdir``: default cdktf's, i.e.
    ``CDKTF_OUTDIR`` or ``cdktf.out``), not yet synthesized."""
    prepare()
    from stacks.app import build_app

    return build_app(config, outdir=str(outdir) if outdir is not None else None)


def synth(config: Config, *, outdir: str | Path | None = None) -> Product:
    """Build and synthesize ``config`` (collector paused while the app is built)."""
    with speedups.quiet_gc():
        product = build(config, outdir=outdir)
        product.app.synth()
    return product


def report(err: ConfigError) -> int:
    """Print a config error the way every entry point does; the exit status to use."""
    print(f"error: invalid config {err.path} ({len(err.problems)} problem(s)):", file=sys.stderr)
    for problem in err.problems:
        print(f"  {err.path}: {problem}", file=sys.stderr)
    return EXIT_BAD_CONFIG


def main() -> int:
    """Synthesize every stack of ``$STACK_CONFIG`` (default ``config/default.toml``)."""
    try:
        config = load(os.environ.get(CONFIG_ENV, DEFAULT_CONFIG))
    except ConfigError as err:
        return report(err)
    synth(config)
    return 0


def run() -> None:
    """``main`` as a process: a clean synth leaves through ``fast_exit``."""
    code = main()
    if code == 0:
        speedups.fast_exit(code)
    sys.exit(code)
