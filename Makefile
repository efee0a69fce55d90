# Two commands matter on a fresh machine: `make run` and `make test`. Both set everything up first.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed
export JSII_SILENCE_WARNING_END_OF_LIFE_NODE_VERSION := 20
export PYTHONPATH := lambdas:.

.PHONY: install run test lint format synth lint-cfn lint-workflow check-asset deploy bench bench-import schemas fuzz fuzz-schema eval clean

$(STAMP): requirements.txt requirements-dev.txt
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --disable-pip-version-check -r requirements-dev.txt
	touch $@

install: $(STAMP)

## Start the whole service locally (moto-backed AWS + API Gateway emulator) on http://127.0.0.1:$${VPR_PORT:-8000}
run: install
	$(BIN)/python -m local serve

## Lint, then the whole test suite (unit, workflow, api, infra), offline
test: install node_modules/.installed
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

## Synthesize the real, bundled CDK stack into cdk.out (offline; no Docker: local bundling).
## Context goes in CDK_CONTEXT, e.g. make synth CDK_CONTEXT="-c env=prod"
CDK_CONTEXT ?=
synth: install node_modules/.installed
	PATH="$(CURDIR)/$(BIN):$$PATH" npx cdk synth --quiet $(CDK_CONTEXT)

## The checks of what `make synth` wrote to cdk.out (CI runs all three after it)
lint-cfn: install
	$(BIN)/python -m tools.lint_templates

lint-workflow: install node_modules/.installed
	$(BIN)/python -m tools.lint_workflow

check-asset: install
	$(BIN)/python -m tools.check_asset

## Synthesize and check as CI does, then deploy that very cloud assembly (no second synthesis).
## make deploy CDK_CONTEXT="-c env=dev -c cors_allowed_origins=https://app.example" [CDK_DEPLOY_ARGS=...]
CDK_DEPLOY_ARGS ?=
deploy: synth lint-cfn lint-workflow check-asset
	npx cdk deploy --app cdk.out --all $(CDK_DEPLOY_ARGS)

## Export the API models' JSON schemas into schemas/
schemas: install
	$(BIN)/python -m vpr.models schemas
	$(BIN)/python -m handlers.openapi schemas

bench: install
	$(BIN)/python -m bench

## Cold import of each handler with and without bytecode (what shipping .py only costs)
bench-import: install
	$(BIN)/python -m bench.cold_import

## 10,000 generated and hostile requests against a fresh local service (prints the status histogram),
## after fuzz-schema
fuzz: install fuzz-schema
	$(BIN)/python -m tests.fuzz --requests $${FUZZ_REQUESTS:-10000}

## schemathesis, every check and phase (stateful included), against a fresh local service in both
## identity modes; FUZZ_SCHEMA_EXAMPLES cases per operation and phase, seed FUZZ_SCHEMA_SEED
fuzz-schema: install
	$(BIN)/python -m tests.fuzz.schemathesis_run --max-examples $${FUZZ_SCHEMA_EXAMPLES:-300} --seed $${FUZZ_SCHEMA_SEED:-20261130}
	$(BIN)/python -m tests.fuzz.schemathesis_run --max-examples $${FUZZ_SCHEMA_EXAMPLES:-300} --seed $${FUZZ_SCHEMA_SEED:-20261130} --identity

## Score a report for each application of the evaluation set (eval/); table + totals, JSON in eval/results.json
eval: install
	$(BIN)/python -m eval

clean:
	rm -rf $(VENV) node_modules cdk.out .pytest_cache .ruff_cache
