"""Entry point: ``python main.py`` (or ``cdktf synth``) synthesizes every stack.

The config file comes from ``STACK_CONFIG`` (default ``config/default.toml``). A bad
config is reported, one line per problem, with exit status 2 and no traceback,
before the (slow) provider bindings are even imported.
"""

from __future__ import annotations

import os
import sys

from constructs_lib.config import ConfigError, load

# jsii's Node runtime prints an end-of-life banner for Node 20 on every run; the
# product supports Node 20, so keep the output clean (an explicit setting wins).
os.environ.setdefault("JSII_SILENCE_WARNING_END_OF_LIFE_NODE_VERSION", "20")

DEFAULT_CONFIG = "config/default.toml"
EXIT_BAD_CONFIG = 2


def main() -> int:
    path = os.environ.get("STACK_CONFIG", DEFAULT_CONFIG)
    try:
        config = load(path)
    except ConfigError as err:
        print(f"error: invalid config {err.path} ({len(err.problems)} problem(s)):", file=sys.stderr)
        for problem in err.problems:
            print(f"  {err.path}: {problem}", file=sys.stderr)
        return EXIT_BAD_CONFIG

    from stacks import speedups

    speedups.lazy_provider_import()
    from stacks.app import build_app

    with speedups.quiet_gc():
        product = build_app(config)
        product.app.synth()
    return 0


if __name__ == "__main__":
    code = main()
    if code == 0:
        from stacks.speedups import fast_exit

        fast_exit(code)
    sys.exit(code)
