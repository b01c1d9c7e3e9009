# Two commands for a fresh machine: `make run` and `make test`. See README.md.
PYTHON ?= python3.11
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
RECEIVER_PORT ?= 8000
DASHBOARD_PORT ?= 8501
PYTEST_ARGS ?=

.PHONY: run test bench lint install system-deps proxy-deps clean

$(STAMP): requirements.txt requirements-dev.txt
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip
	$(BIN)/pip install -q -r requirements-dev.txt
	touch $(STAMP)

install: $(STAMP)

system-deps:
	bash scripts/ensure_system_deps.sh

# nginx alone: the receiver's buffering proxy, which `make run` starts in front of gunicorn.
proxy-deps:
	bash scripts/ensure_system_deps.sh --proxy-only

## make run: venv, install, nginx, migrate, seed demo data if empty, start receiver (behind nginx) + dashboard (SQLite default)
run: install proxy-deps
	RECEIVER_PORT=$(RECEIVER_PORT) DASHBOARD_PORT=$(DASHBOARD_PORT) bash scripts/run_stack.sh

## make test: venv, install, system packages, PostgreSQL, then the whole suite
test: install system-deps
	$(BIN)/ruff check .
	$(BIN)/pytest $(PYTEST_ARGS)

## make bench: benchmarks on PostgreSQL (prints figures and ratios)
bench: install system-deps
	$(BIN)/python -m bench

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

clean:
	rm -rf $(VENV) var .pytest_cache .ruff_cache
