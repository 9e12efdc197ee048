# The study's two entry points: `make reproduce` (the full study) and `make test`.
# Both create the virtual environment first when it is missing.

PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
SETUP_STAMP := $(VENV)/.setup-done
PACKAGE := $(wildcard cifake_utils/*.py)
NOTEBOOKS := $(sort $(wildcard notebooks/[0-9][0-9]_*.ipynb))
EXECUTED := $(patsubst notebooks/%,outputs/notebooks/%,$(NOTEBOOKS))
SMOKE_DIR := scratch/smoke
NBVAL_DIR := $(SMOKE_DIR)/nbval

.PHONY: setup reproduce rerun report test unit-tests notebook-tests lint browser serve admin \
	benchmark benchmark-web screenshot lab clean-smoke

setup: $(SETUP_STAMP)

$(SETUP_STAMP): requirements.txt requirements-lock.txt pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -r requirements.txt -c requirements-lock.txt
	$(PY) -m pip install --quiet --no-deps --no-build-isolation -e .
	$(PY) -m ipykernel install --sys-prefix --name cifake --display-name "Python (cifake)"
	touch $@

# One rule per notebook: it reruns when the notebook, the package or the environment changes.
# Each notebook also waits for the one before it, whose outputs it reads.
outputs/notebooks/%.ipynb: notebooks/%.ipynb $(PACKAGE) $(SETUP_STAMP)
	$(PY) -m cifake_utils.reproduce run $< --profile full
	@touch -r $@ $<

# Notebook n reads what notebook n-1 wrote, so it runs after it.
$(foreach i,$(shell seq 2 $(words $(EXECUTED))),\
  $(eval $(word $(i),$(EXECUTED)): $(word $(shell expr $(i) - 1),$(EXECUTED))))

reproduce: $(EXECUTED)
	$(PY) -m cifake_utils.reproduce report --profile full

# Rerun every notebook even if nothing changed (the decoded-data cache is still reused).
rerun:
	touch $(NOTEBOOKS)
	$(MAKE) reproduce

report: $(SETUP_STAMP)
	$(PY) -m cifake_utils.reproduce report --profile full

test: lint browser unit-tests notebook-tests

lint: $(SETUP_STAMP)
	$(PY) -m ruff check .
	$(PY) -m ruff format --check .

unit-tests: $(SETUP_STAMP)
	$(PY) -m pytest tests

# Every notebook in the smoke profile under nbval; writes only below scratch/.
notebook-tests: $(SETUP_STAMP)
	rm -rf $(NBVAL_DIR) data/checkpoints/smoke
	$(PY) -m cifake_utils.reproduce prepare $(NOTEBOOKS) --profile smoke --into $(NBVAL_DIR)
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
