"""How the product runs: load the config, install the speed-ups, build the app,
synthesize. ``main.py``, the scripts, the tooling and the tests all go through
``runtime.entry``; nothing here creates infrastructure (that is ``stacks/``)."""
