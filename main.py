"""Entry point: ``python main.py`` (or ``cdktf synth``) synthesizes every stack.

The config file comes from ``STACK_CONFIG`` (default ``config/default.toml``); see
``runtime/entry.py`` for the one path from config to Terraform JSON.
"""

from __future__ import annotations

from runtime.entry import main, run

__all__ = ["main"]

if __name__ == "__main__":
    run()
