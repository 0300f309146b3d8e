# varrank: fresh clone -> `make demo` or `make test`. Everything installs itself (make setup).
SHELL       := /bin/bash
VENV        ?= $(CURDIR)/.venv
PY          := $(VENV)/bin/python
NEXTFLOW    := $(VENV)/bin/nextflow
SHARED_DATA ?= $(or $(VARRANK_TEST_DATA),$(CURDIR)/../shared/data)
TESTDATA    ?= $(HOME)/.cache/varrank/testdata
DEMO_OUT    ?= results/demo
PYTEST_ARGS ?=

# Tasks must find this checkout's varrank; the engine must never try the network.
export NXF_OFFLINE  := true
export PATH         := $(VENV)/bin:$(PATH)

.PHONY: setup demo test test-unit test-pipeline clean

setup:
	@VARRANK_VENV="$(VENV)" bash scripts/setup.sh

demo: setup
	$(PY) -m varrank testdata prepare --data-dir "$(SHARED_DATA)" --out "$(TESTDATA)"
	$(NEXTFLOW) run . -profile test -ansi-log false --test_prepared_dir "$(TESTDATA)" --outdir "$(DEMO_OUT)"
	@report=$$(find "$(DEMO_OUT)" -name '*.report.html' | sort | head -1); \
	  if [ -z "$$report" ]; then echo "demo: no report was written" >&2; exit 1; fi; \
	  echo "demo report: $$(cd "$$(dirname "$$report")" && pwd)/$$(basename "$$report")"

# pytest exits 5 when it collected nothing: that is a failure here, never a silent pass.
test: setup
	$(PY) -m pytest tests -q $(PYTEST_ARGS)

test-unit: setup
	$(PY) -m pytest tests -q -m "not pipeline" $(PYTEST_ARGS)

test-pipeline: setup
	$(PY) -m pytest tests/pipeline -q $(PYTEST_ARGS)

clean:
	rm -rf results work .nextflow .nextflow.log*
