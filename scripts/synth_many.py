"""Synthesize several configs in one process: ``synth_many.py OUTROOT CONFIG...``.

Each config goes to ``OUTROOT/<config file stem>/``. Used by the equivalence test
(with ``CDKTF_VANILLA=1``, the stock path) and by the benchmark.
"""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from constructs_lib.config import ConfigError, load
from runtime import entry


def main(argv: list[str]) -> int:
    if len(argv) < 2:
        print("usage: synth_many.py OUTROOT CONFIG...", file=sys.stderr)
        return 2
    root = Path(argv[0])
    for config_path in argv[1:]:
        try:
            config = load(config_path)
        except ConfigError as err:
            return entry.report(err)
        entry.synth(config, outdir=root / Path(config_path).stem)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
