# The study's two entry points: `make reproduce` (the full study) and `make test`.
# Both create the virtual environment first when it is missing.

PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
# The lock of this machine's platform (locks/<platform>.txt); GPU=1 takes TensorFlow's CUDA
# build on Linux x86-64 (cifake_utils/study/platforms.py) and stays the default of an
# environment set up so, until GPU=0.
GPU ?= $(if $(wildcard $(VENV)/.setup-*-gpu),1,0)
PLATFORM := $(shell $(PYTHON) -m cifake_utils.study.platforms name $(if $(filter 1,$(GPU)),--gpu))
LOCK := $(if $(PLATFORM),locks/$(PLATFORM).txt,no-lock-for-this-platform)
SETUP_STAMP := $(VENV)/.setup-$(PLATFORM)

.PHONY: setup beyond-table lock check-platforms reproduce study check-outputs rerun report test unit-tests notebook-tests lint browser serve admin \
	benchmark benchmark-web benchmark-onednn benchmark-rerun screenshot lab clean-smoke recipe-search epoch-budget \
	benchmark-beyond beyond-search benchmark-rerun-machine benchmark-training benchmark-precision train train-status \
	mutation

NOTEBOOKS := $(sort $(wildcard notebooks/[0-9][0-9]_*.ipynb))
SMOKE_DIR := scratch/smoke
NBVAL_DIR := $(SMOKE_DIR)/nbval
# The notebooks in the order the study runs them (each after the notebooks it reads from).
STAGE_ORDER = $(shell $(PYTHON) -m cifake_utils.study.stages)

setup: $(SETUP_STAMP)

# A new environment holding exactly the platform's lock (an earlier one is replaced whole, so
# nothing of another lock stays behind: stop `make train` first).
$(SETUP_STAMP): $(LOCK) pyproject.toml
	@$(PYTHON) -c "import sys; sys.exit(sys.version_info[:2] != (3, 11))" || \
		{ echo "make setup: the study needs Python 3.11; $(PYTHON) is" \
		"$$($(PYTHON) --version 2>&1). Name another: make setup PYTHON=python3.11"; exit 2; }
	rm -rf $(VENV)
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet --no-deps -r $(LOCK)
	$(PY) -m pip check
	$(PY) -m pip install --quiet --no-deps --no-build-isolation -e .
	$(PY) -m ipykernel install --sys-prefix --name cifake --display-name "Python (cifake)"
	touch $@

# `make reproduce` runs the full study into outputs/ and executes the notebooks in place;
# `make reproduce PROFILE=smoke` runs the small profile into scratch/smoke/. Which notebooks
# run is decided from the provenance record (outputs/provenance.json), not from file times:
# the stale ones and those downstream of them, in dependency order. The check needs only the
# standard library, so an up-to-date clone finishes in seconds, before any set-up.
# `make reproduce FRESH=1` ignores the record and every saved model: the whole study from the
# data. `CIFAKE_WORKERS=n` sets the training processes (default: one per core).
PROFILE ?= full
FRESH ?=
RUN := $(PY) -m cifake_utils.study.reproduce

reproduce:
ifeq ($(FRESH),)
	@$(PYTHON) -m cifake_utils.study.check --profile $(PROFILE) || $(MAKE) --no-print-directory study
else
	$(MAKE) --no-print-directory study CIFAKE_FRESH=1
endif

study: $(SETUP_STAMP)
	$(RUN) study --profile $(PROFILE)

# Whether every committed notebook, figure, metric and model is what the code at HEAD
# produces (seconds; no TensorFlow): part of `make test`.
check-outputs:
	$(PYTHON) -m cifake_utils.study.check --profile full

# The training queue (cifake_utils/search/queued.py): every training the open questions need,
# drained by one one-thread worker per core (CIFAKE_WORKERS), each job's state committed in
# outputs/checkpoints/<key>/ after every epoch. Stop it at any moment and run it again, here or
# on another machine with the repository, to resume from the last finished epoch. Run it in
# the background: nohup make train > train.log 2>&1 &
train: $(SETUP_STAMP)
	$(PY) -m cifake_utils.study.train run --profile $(PROFILE)

# Each queued job as done, running, waiting or refused, PFLOP done and left, and an estimate
# from the rate measured on this CPU.
train-status: $(SETUP_STAMP)
	@TF_CPP_MIN_LOG_LEVEL=2 $(PY) -m cifake_utils.study.train status --profile $(PROFILE)

# The beyond-the-paper model's search on validation (3 runs of up to 15 minutes). Its table
# is committed; notebook 08 trains the candidate it chose.
beyond-search: $(SETUP_STAMP)
	$(PY) -m cifake_utils.search.beyond_search --profile full

# The training-recipe search on validation (about an hour on two cores). Its table is
# committed; `make reproduce` trains the recipes it chose and does not rerun it.
# The beyond-the-paper search's table (outputs/metrics/beyond_rounds.csv) from the models the
# training queue landed; its round-1 ranking decides which widths round 2 scales.
beyond-table: $(SETUP_STAMP)
	$(PY) -m cifake_utils.search.beyond_round

recipe-search: $(SETUP_STAMP)
	$(PY) -m cifake_utils.search.recipe_search --profile full

# Each paper model's epoch budget, read off a sweep of fixed budgets on validation (about 15
# minutes on the AVX-512 CPU). Its table is committed; notebooks 02 and 03 train its choice.
epoch-budget: $(SETUP_STAMP)
	$(PY) -m cifake_utils.search.epoch_budget --profile full

# Execute every notebook again even if nothing changed (saved models with a matching key and
# the decoded-data cache are still reused).
rerun: $(SETUP_STAMP)
	$(RUN) study --all --profile $(PROFILE)

report: $(SETUP_STAMP)
	$(RUN) report --profile $(PROFILE)

test: lint check-outputs check-platforms browser unit-tests notebook-tests

# Resolve requirements.txt again for every platform in locks/ (Linux x86-64, macOS arm64, Linux
# x86-64 with CUDA) from wheels alone, and fail where a lock differs or a pin has no wheel.
check-platforms: $(SETUP_STAMP)
	$(PY) -m cifake_utils.study.platforms check

# Write every platform's lock again from requirements.txt (after changing a requirement),
# with this environment's uv, or one on PATH before set-up.
# UPGRADE="name ..." lets those indirect dependencies move too.
lock:
	$(if $(wildcard $(PY)),$(PY),$(PYTHON)) -m cifake_utils.study.platforms lock $(if $(UPGRADE),--upgrade $(UPGRADE))

no-lock-for-this-platform:
	@echo "make setup: the study has no lock for this platform (locks/ lists those it has)"; exit 2

lint: $(SETUP_STAMP)
	$(PY) -m ruff check .
	$(PY) -m ruff format --check .

unit-tests: $(SETUP_STAMP)
	$(PY) -m pytest tests

# Every notebook in the smoke profile under nbval; writes only below scratch/.
notebook-tests: $(SETUP_STAMP)
	rm -rf $(NBVAL_DIR) data/checkpoints/smoke
	$(RUN) prepare $(NOTEBOOKS) --profile smoke --into $(NBVAL_DIR)
	$(PY) -m pytest --nbval-lax --nbval-current-env --nbval-sanitize-with tests/nbval_sanitize.cfg \
		-p no:cacheprovider -o filterwarnings= $(STAGE_ORDER:%=$(NBVAL_DIR)/%.ipynb)

# Debian's Chromium and ChromeDriver for the end-to-end browser test, installed where this
# can (root and apt-get, as in CI); elsewhere the browser tests are skipped with the reason
# (under CI=true they fail instead).
browser:
	@if command -v chromedriver >/dev/null && { command -v chromium || command -v chromium-browser \
		|| command -v google-chrome; } >/dev/null; then :; \
	elif [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
		apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium chromium-driver; \
	else \
		echo "make browser: Chromium is missing and installing it needs root and apt-get;"; \
		echo "  the browser tests will be skipped. To run them, install chromium and"; \
		echo "  chromium-driver (or Chrome and its chromedriver) on PATH."; \
	fi

# The web app on http://127.0.0.1:8000/ under waitress (a production WSGI server).
serve: $(SETUP_STAMP)
	$(PY) -m cifake_utils.web.serve

# Create or replace the admin account: make admin ADMIN=name (asks for the password).
admin: $(SETUP_STAMP)
	$(VENV)/bin/flask --app cifake_utils.web create-admin $(ADMIN)

# Latency percentiles and a bounded 8-way load on loopback (prints figures).
benchmark-web: $(SETUP_STAMP)
	$(PY) benchmarks/web_latency.py

# The README's screenshot of the result page.
screenshot: $(SETUP_STAMP) browser
	$(PY) tools/web_screenshot.py

# Throughput of our input pipeline against the naive JPEG-folder one (prints figures).
benchmark: $(SETUP_STAMP)
	$(PY) benchmarks/pipeline_throughput.py

lab: $(SETUP_STAMP)
	$(VENV)/bin/jupyter lab notebooks/

clean-smoke:
	rm -rf $(SMOKE_DIR)

# Cost of TF_ENABLE_ONEDNN_OPTS=0 against the default, and whether each repeats bit for bit.
benchmark-onednn: $(SETUP_STAMP)
	$(PY) benchmarks/onednn_cost.py

# How far retraining with another thread count (other kernels) moves CNN2D, against seeds.
benchmark-rerun: $(SETUP_STAMP)
	$(PY) benchmarks/rerun_threads.py

# Whether a setting (batch size, XLA) trains the paper models faster here, one thread.
benchmark-training: $(SETUP_STAMP)
	$(PY) benchmarks/training_speed.py $(ARGS)

# bfloat16 against float32 on validation, from the training queue's landed `precision` jobs.
benchmark-precision: $(SETUP_STAMP)
	$(PY) benchmarks/precision_accuracy.py

# Whether a committed CNN2D seed retrains bit for bit on this machine, in the canonical layout.
benchmark-rerun-machine: $(SETUP_STAMP)
	$(PY) benchmarks/rerun_machine.py $(ARGS)

# Beyond the paper (notebook 08): training speed of the VGG-BN candidates against CNN2D on
# this CPU (prints figures; add ARGS=--bfloat16 for mixed bfloat16, slow without native
# bfloat16 units).
benchmark-beyond: $(SETUP_STAMP)
	$(PY) benchmarks/beyond_throughput.py $(ARGS)

# Mutation testing of the modules that decide results (statistics, decision rule and scope,
# model key, data wiring, staleness check): mutmut, installed into .venv from
# requirements-mutation.txt, runs each mutant against the tests that cover it, and writes
# outputs/benchmarks/mutation.json and the tables of docs/mutation.md. Not part of `make test`.
# MODULES="decision store" measures only those (names in tools/mutation.py); JOBS=n workers;
# KEEP=1 keeps the committed results of the modules not measured.
MODULES ?=
KEEP ?=
JOBS ?= $(shell $(PYTHON) -c "import os; print(os.cpu_count() or 1)")
mutation: $(SETUP_STAMP)
	$(PY) -m pip install --quiet -r requirements-mutation.txt -c $(LOCK)
	$(PY) tools/mutation.py --jobs $(JOBS) $(MODULES:%=--module %) $(if $(KEEP),--keep)
