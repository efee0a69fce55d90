# Two commands matter on a fresh machine: `make run` and `make test`. Both set everything up first.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed
export JSII_SILENCE_WARNING_END_OF_LIFE_NODE_VERSION := 20
export PYTHONPATH := lambdas:.

.PHONY: install run test lint format synth bench eval schemas clean

$(STAMP): requirements.txt requirements-dev.txt
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --disable-pip-version-check -r requirements-dev.txt
	touch $@

install: $(STAMP)

## Start the whole service locally (moto-backed AWS + API Gateway emulator) on http://127.0.0.1:$${VPR_PORT:-8000}
run: install
	$(BIN)/python -m local serve

## Lint, then the whole test suite (unit, workflow, api, infra), offline
test: install
	$(BIN)/ruff format --check .
	$(BIN)/ruff check .
	$(BIN)/python -m pytest

lint: install
	$(BIN)/ruff format --check .
	$(BIN)/ruff check .

format: install
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

node_modules/.installed: package.json package-lock.json
	npm ci --no-audit --no-fund --loglevel=error
	touch $@

## Synthesize the real, bundled CDK stack into cdk.out (offline; no Docker: local bundling)
synth: install node_modules/.installed
	PATH="$(CURDIR)/$(BIN):$$PATH" npx cdk synth --quiet

## Export the API models' JSON schemas into schemas/
schemas: install
	$(BIN)/python -m vpr.models schemas

bench: install
	$(BIN)/python -m bench

## Score a report for each application of the evaluation set (eval/); table + totals, JSON in eval/results.json
eval: install
	$(BIN)/python -m eval

clean:
	rm -rf $(VENV) node_modules cdk.out .pytest_cache .ruff_cache
