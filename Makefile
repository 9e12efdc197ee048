# The study's two entry points: `make reproduce` (the full study) and `make test`.
# Both create the virtual environment first when it is missing.

PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
SETUP_STAMP := $(VENV)/.setup-done

.PHONY: setup reproduce rerun report test unit-tests notebook-tests lint browser serve admin \
	benchmark benchmark-web benchmark-onednn benchmark-rerun screenshot lab clean-smoke recipe-search \
	benchmark-beyond beyond-search benchmark-rerun-machine benchmark-training

# The study's package code: a change here reruns the notebooks (the web app and the
# command do not feed the notebooks, so they are left out).
PACKAGE := $(filter-out cifake_utils/web/% cifake_utils/cli.py,$(shell find cifake_utils -name '*.py'))
NOTEBOOKS := $(sort $(wildcard notebooks/[0-9][0-9]_*.ipynb))
SMOKE_DIR := scratch/smoke
NBVAL_DIR := $(SMOKE_DIR)/nbval

setup: $(SETUP_STAMP)

$(SETUP_STAMP): requirements.txt requirements-lock.txt pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -r requirements.txt -c requirements-lock.txt
	$(PY) -m pip install --quiet --no-deps --no-build-isolation -e .
	$(PY) -m ipykernel install --sys-prefix --name cifake --display-name "Python (cifake)"
	touch $@

# `make reproduce` runs the full study into outputs/ and executes the notebooks in place;
# `make reproduce PROFILE=smoke` runs the small profile into scratch/smoke/.
PROFILE ?= full
ifeq ($(PROFILE),full)
OUT := outputs
else
OUT := scratch/$(PROFILE)
endif
RUN := $(PY) -m cifake_utils.study.reproduce run --profile $(PROFILE)

# Each notebook is known by the last file it writes; its prerequisites are its own source
# (a fingerprint of its cells, blind to their outputs, since running a notebook rewrites it),
# the package, and the files it reads, which the notebooks before it write.
DATA := $(OUT)/metrics/01_data_summary.json
CNN2D := $(OUT)/metrics/02_cnn2d_runs.csv
ABLATION := $(OUT)/metrics/03_ablation_validation.csv
EVALUATION := $(OUT)/metrics/04_evaluation.json
EXPLANATIONS := $(OUT)/metrics/05_explanations.json
DEMO := $(OUT)/metrics/06_demo_predictions.csv
ROBUSTNESS := $(OUT)/metrics/07_robustness.json
BEYOND := $(OUT)/metrics/08_beyond.json
FINGERPRINTS := build/fingerprints/$(PROFILE)
fingerprint = $(FINGERPRINTS)/$(1).txt
# Committed inputs that no notebook writes: the recipe search's table (`make recipe-search`)
# and the untuned recipe's test predictions (outputs/untuned/README.md).
SEARCH := outputs/metrics/recipe_search.csv
BEYOND_SEARCH := outputs/metrics/beyond_search.csv
UNTUNED := outputs/untuned/04_test_predictions.npz

$(DATA): $(call fingerprint,01_data_preparation) $(PACKAGE) $(SETUP_STAMP)
	$(RUN) notebooks/01_data_preparation.ipynb
# Reads the splits and the recipe search's choice.
$(CNN2D): $(call fingerprint,02_baseline_cnn2d) $(DATA) $(SEARCH) $(PACKAGE) $(SETUP_STAMP)
	$(RUN) notebooks/02_baseline_cnn2d.ipynb
# Reads the splits, the recipe search and the CNN2D models of notebook 02.
$(ABLATION): $(call fingerprint,03_modified_cnn2d) $(DATA) $(SEARCH) $(CNN2D) $(PACKAGE) \
		$(SETUP_STAMP)
	$(RUN) notebooks/03_modified_cnn2d.ipynb
# Read the splits and every trained model (05 and 06 also choose the served default).
$(EVALUATION): $(call fingerprint,04_evaluation) $(DATA) $(CNN2D) $(ABLATION) $(UNTUNED) \
		$(PACKAGE) $(SETUP_STAMP)
	$(RUN) notebooks/04_evaluation.ipynb
$(EXPLANATIONS): $(call fingerprint,05_gradcam_analysis) $(DATA) $(CNN2D) $(ABLATION) $(PACKAGE) $(SETUP_STAMP)
	$(RUN) notebooks/05_gradcam_analysis.ipynb
# Also reads notebook 07's summary, to tell a user what the verdicts can be relied on for.
$(DEMO): $(call fingerprint,06_demo_prediction) $(DATA) $(CNN2D) $(ABLATION) $(ROBUSTNESS) \
		$(PACKAGE) $(SETUP_STAMP)
	$(RUN) notebooks/06_demo_prediction.ipynb
# Reads the splits, every paper model and the recipe search (its trainings use CNN2D's recipe).
$(ROBUSTNESS): $(call fingerprint,07_robustness) $(DATA) $(SEARCH) $(CNN2D) $(ABLATION) $(PACKAGE) \
		$(SETUP_STAMP)
	$(RUN) notebooks/07_robustness.ipynb
# Reads the splits, the beyond-the-paper search, the paper models and notebook 07's grid.
$(BEYOND): $(call fingerprint,08_beyond_the_paper) $(DATA) $(BEYOND_SEARCH) $(CNN2D) $(ABLATION) \
		$(ROBUSTNESS) $(PACKAGE) $(SETUP_STAMP)
	$(RUN) notebooks/08_beyond_the_paper.ipynb

# Rewritten only when a notebook's cells (not its outputs) change, so make sees source edits.
$(FINGERPRINTS)/%.txt: FORCE $(SETUP_STAMP)
	@mkdir -p $(@D)
	@$(PY) -m cifake_utils.study.reproduce fingerprint notebooks/$*.ipynb > $@.tmp
	@cmp -s $@.tmp $@ && rm $@.tmp || mv $@.tmp $@

FORCE:

STUDY := $(DATA) $(CNN2D) $(ABLATION) $(EVALUATION) $(EXPLANATIONS) $(DEMO) $(ROBUSTNESS) \
	$(BEYOND)

reproduce: $(STUDY)
	$(PY) -m cifake_utils.study.reproduce report --profile $(PROFILE)

# The beyond-the-paper model's search on validation (3 runs of up to 15 minutes). Its table
# is committed; notebook 08 trains the candidate it chose.
beyond-search: $(DATA)
	$(PY) -m cifake_utils.beyond.search --profile full

# The training-recipe search on validation (about an hour on two cores). Its table is
# committed; `make reproduce` trains the recipes it chose and does not rerun it.
recipe-search: $(DATA)
	$(PY) -m cifake_utils.study.recipe_search --profile full

# Rerun every notebook even if nothing changed (the decoded-data cache is still reused).
rerun:
	rm -rf $(FINGERPRINTS)
	$(MAKE) reproduce

report: $(SETUP_STAMP)
	$(PY) -m cifake_utils.study.reproduce report --profile $(PROFILE)

test: lint browser unit-tests notebook-tests

lint: $(SETUP_STAMP)
	$(PY) -m ruff check .
	$(PY) -m ruff format --check .

unit-tests: $(SETUP_STAMP)
	$(PY) -m pytest tests

# Every notebook in the smoke profile under nbval; writes only below scratch/.
notebook-tests: $(SETUP_STAMP)
	rm -rf $(NBVAL_DIR) data/checkpoints/smoke
	$(PY) -m cifake_utils.study.reproduce prepare $(NOTEBOOKS) --profile smoke --into $(NBVAL_DIR)
	$(PY) -m pytest --nbval-lax --nbval-current-env --nbval-sanitize-with tests/nbval_sanitize.cfg \
		-p no:cacheprovider -o filterwarnings= $(NBVAL_DIR)

# Debian's Chromium and ChromeDriver for the end-to-end browser test (needs root, as in CI).
browser:
	@command -v chromium >/dev/null && command -v chromedriver >/dev/null || \
		(apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium chromium-driver)

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

# Whether a committed CNN2D seed retrains bit for bit on this machine, in the canonical layout.
benchmark-rerun-machine: $(SETUP_STAMP)
	$(PY) benchmarks/rerun_machine.py $(ARGS)

# Beyond the paper (notebook 08): training speed of the VGG-BN candidates against CNN2D on
# this CPU (prints figures; add ARGS=--bfloat16 for mixed bfloat16, slow without native
# bfloat16 units).
benchmark-beyond: $(SETUP_STAMP)
	$(PY) benchmarks/beyond_throughput.py $(ARGS)
