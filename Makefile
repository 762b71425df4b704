# d365fo.dataalm — every target works on a fresh Debian/Ubuntu machine (setup installs what is missing).
SHELL := /bin/bash
.SHELLFLAGS := -euo pipefail -c
VENV := .venv
PY := $(VENV)/bin/python
PYTEST := $(VENV)/bin/pytest
export PATH := $(CURDIR)/$(VENV)/bin:$(PATH)
export ANSIBLE_COLLECTIONS_PATH := $(CURDIR)/.tmp/collections
# The suites mostly wait on the emulator's clock and PostgreSQL: one worker per core, two to four.
CORES := $(shell n=$$(nproc 2>/dev/null || echo 2); [ "$$n" -lt 2 ] && n=2; [ "$$n" -gt 4 ] && n=4; echo $$n)
PYTEST_WORKERS ?= $(CORES)
export MOLECULE_WORKERS ?= $(CORES)

.PHONY: help setup test demo units sanity lint integration molecule bench build clean

help:
	@echo "make demo   - run the main job: a full refresh runbook against the built-in emulator"
	@echo "make test   - run everything CI runs: units, sanity, lint, integration, molecule"
	@echo "make setup | units | sanity | lint | integration | molecule | bench | build | clean"

setup:
	@bash scripts/setup.sh

test: setup
	@$(MAKE) --no-print-directory units
	@$(MAKE) --no-print-directory lint
	@$(MAKE) --no-print-directory sanity
	@$(MAKE) --no-print-directory integration
	@$(MAKE) --no-print-directory molecule
	@$(MAKE) --no-print-directory build
	@$(MAKE) --no-print-directory docs
	@echo "make test: all suites passed"

demo: setup
	@bash scripts/demo.sh

units:
	$(PYTEST) -q -n $(PYTEST_WORKERS) tests/unit

sanity:
	bash scripts/sanity.sh

lint:
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ansible-lint --offline -q
	$(VENV)/bin/antsibull-changelog lint

integration:
	$(PYTEST) -q -n $(PYTEST_WORKERS) --dist loadgroup tests/emulator tests/integration

molecule:
	bash scripts/molecule.sh

bench: setup
	@for b in benchmarks/*.py; do echo "== $$b"; $(PY) $$b; done

build:
	bash scripts/build-check.sh

.PHONY: docs
docs:
	bash scripts/docs.sh

clean:
	rm -rf .tmp tests/output *.tar.gz
