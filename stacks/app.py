"""Build the whole cdktf App from a validated config."""

from __future__ import annotations

from dataclasses import dataclass

from cdktf import App

from constructs_lib.config import Config

from .global_stack import GlobalStack
from .regional import RegionalStack


@dataclass
class Product:
    app: App
    regional: dict[str, RegionalStack]
    global_stack: GlobalStack


def build_app(config: Config, *, outdir: str | None = None) -> Product:
    """Create every stack for ``config``: the primary region, then the secondaries,
    then the global stack (the order ``cdktf deploy '*'`` follows)."""
    app = App(outdir=outdir) if outdir else App()
    primary = RegionalStack(app, config=config, region=config.primary)
    regional: dict[str, RegionalStack] = {config.primary.name: primary}
    for region in config.secondaries:
        regional[region.name] = RegionalStack(app, config=config, region=region, primary=primary)
    global_stack = GlobalStack(app, config=config, regional=regional)
    if config.emulator is not None:
        from . import emulator

        emulator.apply(primary, "primary")
        for region in config.secondaries:
            emulator.apply(regional[region.name], "regional")
        emulator.apply(global_stack, "global")
    return Product(app=app, regional=regional, global_stack=global_stack)
