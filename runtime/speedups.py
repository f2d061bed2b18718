"""Make a CDKTF Python synth cost what it needs, not what the bindings make it cost.

Three measured costs of the stock path (see README, Performance):

0. The jsii kernel (Node) ``require``s all ~2,100 resource modules of the provider when
   the assembly loads (about 250 MB of JavaScript): ``lazy_node_provider`` preloads
   ``lazy_provider.js`` through ``NODE_OPTIONS``, which compiles that one index with a
   getter per module (details there), and gives the kernel a small young generation.
1. ``import cdktf_cdktf_provider_aws.<anything>`` runs the package ``__init__``, which
   imports all ~2,100 submodules (every resource type of the provider) although a stack
   uses a few dozen. ``lazy_provider_import`` replaces that package module with a PEP 562
   lazy one before first import: submodules load on first use, and jsii (>= 1.142)
   resolves types from not-yet-imported submodules through a submodule map we register.
2. The garbage collector walks that huge object graph again and again while constructs
   are created: ``quiet_gc`` freezes what is imported and pauses collection while the
   app is built.
3. Interpreter shutdown tears the module set down (seconds): ``fast_exit`` runs the exit
   handlers (the jsii kernel removes its temp directories there) and leaves.

Nothing here changes what is synthesized: a test compares the output byte for byte with
the stock path (``CDKTF_VANILLA=1``) for every shipped config. Nothing edits files in
site-packages. If the installed bindings are not the layout this was built against, it
warns and falls back to the stock import.
"""

from __future__ import annotations

import atexit
import gc
import importlib
import importlib.metadata
import importlib.util
import os
import sys
import types
import warnings
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

PACKAGE = "cdktf_cdktf_provider_aws"
DISTRIBUTION = "cdktf-cdktf-provider-aws"
ASSEMBLY = "@cdktf/provider-aws"
SUPPORTED_VERSIONS = ("20.1.0",)
"""Binding versions whose layout was checked (the submodule naming rule is tested)."""
VANILLA_ENV = "CDKTF_VANILLA"
"""Set to 1 to synthesize the stock way (for comparison and benchmarks)."""
NODE_PRELOAD = Path(__file__).resolve().parent / "lazy_provider.js"
"""Preloaded into the jsii kernel: the Node side of the lazy provider load."""
NODE_OPTIONS = "NODE_OPTIONS"
KERNEL_V8_FLAGS = ("--max-semi-space-size=1",)
"""A 1 MiB young generation for the kernel's Node processes (V8's default grows it to
16 MiB): ~35 MiB less peak memory for the synth's process tree, no measurable time
(make bench). Left out when the user's NODE_OPTIONS sets the flag."""


def vanilla() -> bool:
    return os.environ.get(VANILLA_ENV, "") not in ("", "0")


def submodule_fqn(python_name: str) -> str:
    """jsii FQN of a provider submodule from its Python name: ``db_instance`` ->
    ``@cdktf/provider-aws.dbInstance`` (the rule holds for every submodule of the
    supported versions; tests/test_speedups.py checks it against the files)."""
    head, *rest = python_name.split("_")
    return f"{ASSEMBLY}.{head}{''.join(part[:1].upper() + part[1:] for part in rest)}"


def node_require_option(preload: Path) -> str:
    """``--require "<path>"`` as Node reads ``NODE_OPTIONS``: double quotes, with
    backslashes and quotes escaped, so a path with spaces (or quotes) works."""
    escaped = str(preload).replace("\\", "\\\\").replace('"', '\\"')
    return f'--require "{escaped}"'


def lazy_node_provider() -> bool:
    """Have the jsii kernel (a Node process started on first use of the bindings)
    preload ``lazy_provider.js``, appended to the user's ``NODE_OPTIONS``. True if the
    preload is in place for the kernel; False with ``CDKTF_VANILLA`` set, or (with a
    warning) when the kernel is already running and the option can no longer reach it."""
    if vanilla():
        return False
    option = node_require_option(NODE_PRELOAD)
    current = os.environ.get(NODE_OPTIONS, "")
    if option in current:
        return True
    if "cdktf" in sys.modules:
        return _fallback("the jsii kernel started before the speed-ups were installed")
    flags = [f for f in KERNEL_V8_FLAGS if f.split("=", 1)[0] not in current]
    os.environ[NODE_OPTIONS] = " ".join(part for part in (current.strip(), *flags, option) if part)
    return True


def _fallback(reason: str) -> bool:
    warnings.warn(f"lazy provider import disabled ({reason}); using the stock import", RuntimeWarning, stacklevel=3)
    return False


def lazy_provider_import() -> bool:  # noqa: PLR0911 one early return per layout check, each with its own warning
    """Install the lazy provider package. True if installed (or already), False if it
    fell back to the stock import (with a warning) or ``CDKTF_VANILLA`` is set."""
    if vanilla():
        return False
    existing = sys.modules.get(PACKAGE)
    if existing is not None:
        return bool(getattr(existing, "__lazy_provider__", False))
    try:
        version = importlib.metadata.version(DISTRIBUTION)
    except importlib.metadata.PackageNotFoundError:
        return _fallback(f"{DISTRIBUTION} is not installed")
    if version not in SUPPORTED_VERSIONS:
        return _fallback(f"{DISTRIBUTION} {version} is not one of the checked versions {SUPPORTED_VERSIONS}")
    spec = importlib.util.find_spec(PACKAGE)
    if spec is None or spec.origin is None or not spec.submodule_search_locations:
        return _fallback(f"{PACKAGE} is not a package")
    root = Path(spec.origin).parent
    if not (root / "_jsii" / "__init__.py").is_file():
        return _fallback(f"{PACKAGE}/_jsii is missing")
    names = sorted(
        entry.name
        for entry in os.scandir(root)
        if entry.is_dir() and not entry.name.startswith("_") and (root / entry.name / "__init__.py").is_file()
    )
    if len(names) < 1000:
        return _fallback(f"{PACKAGE} has {len(names)} submodules, expected the full provider")
    known = frozenset(names)

    module = types.ModuleType(PACKAGE, f"{PACKAGE} with submodules loaded on first use")
    module.__file__ = spec.origin
    module.__path__ = list(spec.submodule_search_locations)
    module.__spec__ = spec
    module.__package__ = PACKAGE
    module.__all__ = names  # type: ignore[attr-defined]
    module.__lazy_provider__ = True  # type: ignore[attr-defined]

    def __getattr__(name: str) -> types.ModuleType:
        if name in known:
            return importlib.import_module(f"{PACKAGE}.{name}")
        raise AttributeError(f"module {PACKAGE!r} has no attribute {name!r}")

    module.__getattr__ = __getattr__  # type: ignore[method-assign]
    sys.modules[PACKAGE] = module
    try:
        # Loads the assembly into the jsii kernel, as the stock __init__ does first.
        importlib.import_module(f"{PACKAGE}._jsii")
        from jsii import _reference_map

        submodules = getattr(_reference_map, "_submodule_fqn_map", None)
        if submodules is None or not hasattr(_reference_map, "_try_import_type_module"):
            raise ImportError("this jsii runtime cannot resolve types of lazily imported submodules")
        submodules.update({submodule_fqn(name): f"{PACKAGE}.{name}" for name in names})
    except ImportError as err:
        del sys.modules[PACKAGE]
        return _fallback(str(err))
    return True


@contextmanager
def quiet_gc() -> Iterator[None]:
    """Freeze what is already allocated and pause the collector while the app is
    built and synthesized (short-lived process; memory is released at exit)."""
    if vanilla():
        yield
        return
    gc.freeze()
    gc.disable()
    try:
        yield
    finally:
        gc.enable()


def fast_exit(code: int) -> None:
    """Run the exit handlers (the jsii kernel stops and removes its temp directories),
    flush, and end the process without tearing down every module."""
    if vanilla():
        sys.exit(code)
    atexit._run_exitfuncs()
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(code)
