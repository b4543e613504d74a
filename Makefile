# Qualify — the two commands of the README are `make demo` and `make test`.
PY ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: demo test lint install bench serve clean

$(STAMP): pyproject.toml
	$(PY) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip
	$(BIN)/python -m pip install -q -e ".[test]"
	touch $(STAMP)

## The project's bytecode is compiled here too (pip does it for installed packages, not for an editable install): a
## machine with PYTHONDONTWRITEBYTECODE=1 would otherwise compile every module again on each `qualify` command.
install: $(STAMP)
	$(BIN)/python -m compileall -q agent api library evals prompts

## Set up, sync the sample library, qualify the sample leads, print a summary, serve the API on 127.0.0.1:8000.
demo: install
	$(BIN)/qualify demo

## Run the test suite (PostgreSQL tests too when QUALIFY_TEST_POSTGRES_URL is set).
test: $(STAMP)
	$(BIN)/python -m pytest -q

serve: install
	$(BIN)/qualify serve

## Lint, format and types, the gate CI runs before the tests: ruff check (rules in pyproject.toml), ruff format --check
## (run `ruff format .` to fix) and mypy on the packages.
lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy

bench: $(STAMP)
	$(BIN)/python benchmarks/pipeline.py
	$(BIN)/python benchmarks/judge.py

clean:
	rm -rf .qualify .pytest_cache
