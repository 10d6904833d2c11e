# Two commands on a fresh machine: `make demo` and `make test`. Everything they need is installed here.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed

.PHONY: demo test nightly lint typecheck node-test browser-deps tasks-emulator bench clean

$(STAMP): requirements.txt requirements-dev.txt
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -r requirements.txt -r requirements-dev.txt
	touch $(STAMP)

demo: $(STAMP)
	$(PY) -m sheets_backend demo

test: $(STAMP) browser-deps tasks-emulator lint typecheck
	$(PY) -m pytest -n 2
	$(MAKE) node-test

# The nightly-size run: 1,000 mutated workbooks through the template reader (make test runs 40).
nightly: $(STAMP)
	HIVE_FUZZ_RUNS=1000 $(PY) -m pytest -n 2 tests/sheets_backend/gradebook/test_template_fuzz.py

lint: $(STAMP)
	$(VENV)/bin/ruff check .

typecheck: $(STAMP)
	$(VENV)/bin/mypy

node-test:
	@if [ -d apps_script/tests ]; then node --test apps_script/tests/; fi

# The Cloud Tasks emulator the job tests dispatch through, in its own venv: it is built on
# google-cloud-tasks 1.x and protobuf 3, which the service's current client cannot share.
TASKS_VENV := .venv-tasks
TASKS_STAMP := $(TASKS_VENV)/.installed
tasks-emulator: $(TASKS_STAMP)
$(TASKS_STAMP):
	$(PYTHON) -m venv $(TASKS_VENV)
	$(TASKS_VENV)/bin/pip install --quiet gcloud-tasks-emulator==0.5.2 google-cloud-tasks==1.5.1 \
		"google-api-core[grpc]==1.34.1" protobuf==3.20.3
	touch $(TASKS_STAMP)

browser-deps:
	@if [ -x apps_script/scripts/install-test-deps.sh ]; then apps_script/scripts/install-test-deps.sh; fi

bench: $(STAMP)
	$(PY) bench/engine.py
	$(PY) bench/local_sheets.py
	$(PY) bench/recompute.py
	$(PY) bench/payload.py
	$(PY) bench/service.py
	$(PY) bench/school.py
	$(PY) bench/district.py
	$(PY) bench/publish_job.py

clean:
	rm -rf $(VENV) $(TASKS_VENV) demo
