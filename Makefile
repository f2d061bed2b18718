# Everything a user or CI runs. `make help` lists the targets.
SHELL := /bin/bash
PYTHON ?= python3
PIPENV_VERSION := 2026.10.3
TOOLS := .tools/venv
PIPENV := $(TOOLS)/bin/pipenv
VENV := .venv
export PIPENV_VENV_IN_PROJECT := 1
export PIPENV_NOSPIN := 1
export PIPENV_YES := 1
export CHECKPOINT_DISABLE := 1
# The cdktf CLI otherwise asks pip for the installed cdktf version on every synth (~0.5 s).
export DISABLE_VERSION_CHECK := 1
export JSII_SILENCE_WARNING_END_OF_LIFE_NODE_VERSION := 20
STACK_CONFIG ?= config/default.toml
export STACK_CONFIG
PYTEST_ARGS ?=
# Test files run side by side on every core (pytest-xdist); a file stays on one worker,
# so the deploy tests on moto overlap the rest. PYTEST_WORKERS=0 runs in one process.
PYTEST_WORKERS ?= auto

DIAGRAM_OUT ?= docs/architecture
SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)

.PHONY: help install graphviz synth diagram cost lint test hooks checkov preflight plan drift deploy failover failback deploy-local refresh-tables bench clean

help: ## List the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{gsub(/\$$\$$/, "$$", $$2); printf "  %-13s %s\n", $$1, $$2}'

$(PIPENV):
	$(PYTHON) -m venv $(TOOLS)
	$(TOOLS)/bin/pip install --quiet pipenv==$(PIPENV_VERSION)

$(VENV)/.synced: Pipfile.lock | $(PIPENV)
	$(PIPENV) sync --dev
	touch $@

CHECKOV_VERSION := 3.3.30
CHECKOV := .tools/checkov/bin/checkov

$(CHECKOV):
	$(PYTHON) -m venv .tools/checkov
	.tools/checkov/bin/pip install --quiet checkov==$(CHECKOV_VERSION)

node_modules/.installed: package-lock.json
	npm ci --no-audit --no-fund
	touch $@

graphviz: ## Install Graphviz (`dot`, for make diagram) with apt-get or brew unless it is on PATH
	@command -v dot >/dev/null && exit 0; \
	if command -v apt-get >/dev/null; then \
	  $(SUDO) apt-get install -y -q graphviz || { $(SUDO) apt-get update -q && $(SUDO) apt-get install -y -q graphviz; }; \
	elif command -v brew >/dev/null; then brew install graphviz; \
	else echo "error: install Graphviz (https://graphviz.org/download/) so that \`dot\` is on PATH" >&2; exit 1; fi

install: $(VENV)/.synced node_modules/.installed $(CHECKOV) graphviz ## Install Python (pipenv), Node (cdktf CLI), checkov (own venv) and Graphviz

synth: install ## Install, then synthesize every stack of $$STACK_CONFIG into cdktf.out/
	npx cdktf synth

diagram: synth ## Synthesize, then draw cdktf.out as $$DIAGRAM_OUT.png and .svg (docs/architecture)
	$(VENV)/bin/python -m tooling.diagram --outdir cdktf.out --out $(DIAGRAM_OUT)

cost: install ## Rough monthly cost of each shipped config (or COST_CONFIGS), as a Markdown table + line items
	$(VENV)/bin/python -m tooling.cost $(COST_CONFIGS)

lint: install ## ruff (lint + format check) and mypy over the code and tests
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/mypy

test: install lint ## Install, lint, then run the whole test suite
	$(VENV)/bin/python -m pytest -n $(PYTEST_WORKERS) --dist loadfile $(PYTEST_ARGS)

checkov: install ## The policy gate alone: checkov over every stack of the shipped configs, 0 unexplained findings
	$(VENV)/bin/python -m pytest -n 0 -p no:cacheprovider tests/test_policy.py

hooks: install ## Install the git pre-commit hooks (ruff, ruff format, mypy; see .pre-commit-config.yaml)
	$(VENV)/bin/pre-commit install

preflight: install ## Check that $$STACK_CONFIG can deploy (config, edge domain) before anything is created
	$(VENV)/bin/python -m tooling.preflight

# Stateful resources (databases, vaults, buckets, keys, secrets) a plan may destroy or
# replace: space- or comma-separated addresses, optionally stack:address. Default: none.
ALLOW_STATEFUL ?=
# LOCK=false: plan without the state lock (a read-only role cannot write the lock file).
LOCK ?= true
PLAN = $(VENV)/bin/python -m tooling.plan$(if $(ALLOW_STATEFUL), --allow "$(ALLOW_STATEFUL)")

plan: synth ## Plan every stack of $$STACK_CONFIG (saved plans, summary table); exit 3 if a stateful resource would go (ALLOW_STATEFUL=<address> overrides)
	$(PLAN)$(if $(filter false,$(LOCK)), --no-lock)

drift: synth ## Plan every stack for drift: exit 0 none, 2 drift (resources listed per stack), 1 error
	$(VENV)/bin/python -m tooling.plan --drift

deploy: preflight synth ## Preflight, then per stack in dependency order: plan, stateful guard, apply the saved plan
	$(PLAN) --apply

# The region-loss runbooks (tooling/failover.py): a dry run prints every command with the
# region it talks to; EXECUTE=1 runs them (re-runnable); REGION= overrides the region.
REGION ?=
EXECUTE ?=
RUNBOOK_ARGS = --config $(STACK_CONFIG)$(if $(REGION), --region $(REGION))$(if $(EXECUTE), --execute)

failover: install ## Primary lost: promote the replica, swap roles, apply the surviving region only (dry run; EXECUTE=1 runs it)
	$(VENV)/bin/python -m tooling.failover failover $(RUNBOOK_ARGS)

failback: install ## Lost region back: rebuild its replica, switch back, re-plan every stack (dry run; EXECUTE=1 runs it)
	$(VENV)/bin/python -m tooling.failover failback $(RUNBOOK_ARGS)

deploy-local: install ## Start moto on 127.0.0.1, deploy all stacks of config/local.toml, print outputs, destroy on Enter
	$(VENV)/bin/python scripts/deploy_local.py $(DEPLOY_ARGS)

refresh-tables: install ## Rewrite constructs_lib/tables from AWS's APIs (read-only calls; needs AWS credentials)
	$(VENV)/bin/python -m tooling.refresh_tables $(REFRESH_ARGS)

bench: install ## Benchmark synth (floor, direct, cli, vanilla) and the tests; results in bench-results/
	$(VENV)/bin/python scripts/bench.py $(BENCH_ARGS)

clean: ## Remove generated output
	rm -rf cdktf.out .pytest_cache .hypothesis
