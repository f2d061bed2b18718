"""Reusable, region-agnostic constructs of the multi-region web stack.

Import the submodules you need (``constructs_lib.network``, ...): this package does not
import them eagerly, so ``constructs_lib.config`` stays cheap to load.
"""
