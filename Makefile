# roi — `make help` lists every target. Two commands do all set-up on a fresh clone:
#   make weekly-report     environment + sample store (if none) + this week's report
#   make test              the whole test suite, offline
.DEFAULT_GOAL := help
SHELL := /bin/bash

PYTHON ?= python3
# An active conda environment (other than base) is used as it is; otherwise roi makes its own .venv.
ifneq ($(and $(CONDA_PREFIX),$(filter-out base,$(CONDA_DEFAULT_ENV))),)
VENV := $(CONDA_PREFIX)
else
VENV := .venv
endif
BIN := $(VENV)/bin
STAMP := $(VENV)/.roi-installed
ACCOUNT ?= acme
WEEK ?=
REPORT_TZ ?= America/New_York
HOME_COUNTRY ?= US
BRAND_DOMAIN ?= acme.example
SERVICE_HANDLES ?= acmecustserv
STORE ?= data/processed/sample
SAMPLE_RAW ?= data/raw/sample
SAMPLE_CONFIG ?= data/sample/config.json
REPORTS ?= reports
ROI_REALDATA ?= $(abspath ../shared/realdata)
export ROI_REALDATA
LAB_PORT ?= 8888
PYTEST_WORKERS ?= 2
ROOT_FLAG := $(if $(filter 0,$(shell id -u)),--allow-root,)

.PHONY: help setup weekly-report sample test lint sanitize wheel-check lab bench clean distclean

help: ## Show this help
	@echo "roi — return on influence. Targets:"
	@grep -hE '^[a-zA-Z_-]+:.*?## ' $(MAKEFILE_LIST) | awk 'BEGIN {FS = ":.*?## "}; {printf "  %-15s %s\n", $$1, $$2}'
	@echo "Variables: ACCOUNT=$(ACCOUNT) WEEK=<ISO week, default last complete> STORE=$(STORE)"
	@echo "           REPORT_TZ=$(REPORT_TZ) HOME_COUNTRY=$(HOME_COUNTRY) BRAND_DOMAIN=$(BRAND_DOMAIN) SERVICE_HANDLES=$(SERVICE_HANDLES)"

$(STAMP): pyproject.toml setup.py constraints.txt roi/io/_linescan.c
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -c constraints.txt -e '.[dev]'
	$(BIN)/python -m ipykernel install --sys-prefix --name roi --display-name "Python (roi)" >/dev/null
	$(BIN)/python -m roi.geo._build_index >/dev/null  # compile the offline gazetteer once (~20 s)
	@touch $(STAMP)

setup: $(STAMP) ## Create .venv, install roi[dev] pinned by constraints.txt, register the "roi" kernel, compile the gazetteer (no-op when up to date)

$(STORE)/manifest.json: | $(STAMP)
	$(BIN)/roi sample $(SAMPLE_RAW) --config $(SAMPLE_CONFIG)
	$(BIN)/roi ingest $(SAMPLE_RAW) --store $(STORE)

sample: $(STORE)/manifest.json ## Generate and ingest the sample brand's data (only when no store exists)

weekly-report: setup $(STORE)/manifest.json ## Render the weekly report (ACCOUNT=acme WEEK=2026-W47; default: last complete week in STORE)
	$(BIN)/roi report --store $(STORE) --account $(ACCOUNT) $(if $(WEEK),--week $(WEEK),) --tz $(REPORT_TZ) \
		--home-country $(HOME_COUNTRY) --brand-domain $(BRAND_DOMAIN) \
		--service-handles $(SERVICE_HANDLES) --out $(REPORTS)

test: setup ## Run the tests and doctests (offline; real data from ROI_REALDATA when present)
	$(BIN)/python -m pytest -n $(PYTEST_WORKERS) -q

lint: setup ## Check style with ruff
	$(BIN)/ruff check roi tests bench

SANITIZE_DIR := build/sanitize
SANITIZE_LIBS = $$(gcc -print-file-name=libasan.so) $$(gcc -print-file-name=libubsan.so)

sanitize: setup ## Build the C line scanner with AddressSanitizer + UBSan (gcc) and run its fuzz/differential tests on that build
	rm -rf $(SANITIZE_DIR) && mkdir -p $(SANITIZE_DIR)
	cp -r roi $(SANITIZE_DIR)/ && rm -f $(SANITIZE_DIR)/roi/io/_linescan*.so
	gcc -shared -fPIC -O1 -g -fno-omit-frame-pointer -fsanitize=address,undefined -fno-sanitize-recover=all \
		-I"$$($(BIN)/python -c 'import sysconfig; print(sysconfig.get_paths()["include"])')" roi/io/_linescan.c \
		-o $(SANITIZE_DIR)/roi/io/_linescan"$$($(BIN)/python -c 'import sysconfig; print(sysconfig.get_config_var("EXT_SUFFIX"))')"
	cd $(SANITIZE_DIR) && LD_PRELOAD="$(SANITIZE_LIBS)" ASAN_OPTIONS=detect_leaks=0:abort_on_error=1 \
		UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 PYTHONPATH=. ROI_REQUIRE_NATIVE=$(abspath $(SANITIZE_DIR)) \
		$(abspath $(BIN))/python -m pytest -q -p no:cacheprovider -o addopts="" --rootdir=$(CURDIR) \
		$(CURDIR)/tests/test_json_lines.py $(CURDIR)/tests/test_x_v2.py

WHEEL_DIR := build/wheel-check

# Needs no .venv: a venv of its own made by $(PYTHON), so the wheel and the check share one interpreter.
# setuptools reuses build/lib*: a stale copy there would hide a file that package-data misses.
# --no-compile: byte-compiling all 1.4 GB of dependencies costs ~20 s of CPU and checks nothing of roi's.
wheel-check: ## Build the wheel, install only it (dependencies pinned by constraints.txt) in a fresh venv under build/, then geocode, ingest and render a report with it offline from outside the checkout
	rm -rf $(WHEEL_DIR) build/lib.* build/bdist.* roi.egg-info
	$(PYTHON) -m venv $(WHEEL_DIR)/venv
	$(WHEEL_DIR)/venv/bin/python -m pip wheel --quiet --no-deps -w $(WHEEL_DIR)/dist .
	$(WHEEL_DIR)/venv/bin/python -m pip install --quiet --no-compile -c constraints.txt $(WHEEL_DIR)/dist/roi-*.whl
	.ci/wheel-smoke $(WHEEL_DIR)/venv

lab: setup ## Start JupyterLab on 127.0.0.1 (LAB_PORT=8888) with the roi kernel
	$(BIN)/jupyter lab --ip 127.0.0.1 --port $(LAB_PORT) --no-browser $(ROOT_FLAG) --notebook-dir .

bench: setup ## Run every benchmark in bench/ and print figures with their reference ratios
	$(BIN)/python bench/run_all.py

clean: ## Remove rendered reports, generated stores, caches and build/ (keeps .venv)
	find $(REPORTS) -mindepth 1 -maxdepth 1 ! -name README.md ! -name screenshots -exec rm -rf {} +
	find data/processed data/raw -mindepth 1 -maxdepth 1 ! -name README.md -exec rm -rf {} +
	rm -rf .pytest_cache .ruff_cache bench/results build roi.egg-info
	find . -name __pycache__ -not -path './$(VENV)/*' -exec rm -rf {} +

distclean: clean ## Also remove the virtual environment (.venv; an active conda environment is left alone)
	rm -rf .venv
