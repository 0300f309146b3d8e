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

# Container image (make image): the engine found first, the tag params.container names.
ENGINE      ?= $(shell command -v podman >/dev/null 2>&1 && echo podman || echo docker)
IMAGE       ?= $(shell sed -n "s/^ *container *= *'\(.*\)'.*/\1/p" nextflow.config)
comma       := ,
BASE_IMAGE  ?= localhost/varrank-base:bookworm-12.15
IMAGE_BUILD_ARGS ?=
# CA bundle pip inside the build must trust (TLS-intercepting proxies): passed as a build
# secret, never stored in the image. Empty when none is configured.
IMAGE_PIP_CERT ?= $(firstword $(wildcard $(PIP_CERT) $(REQUESTS_CA_BUNDLE) $(SSL_CERT_FILE)))

.PHONY: setup demo test test-unit test-pipeline image clean

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

# The Debian base is debootstrapped locally when missing (no image registry is needed);
# IMAGE_BUILD_ARGS passes extra build options (e.g. --network host, --no-cache). Docker needs
# BuildKit for the Dockerfile's secret mount (DOCKER_BUILDKIT=1; Podman ignores it).
image:
	@command -v $(ENGINE) >/dev/null 2>&1 || { echo "image: no container engine '$(ENGINE)' (apt-get install podman, or docker.io; or ENGINE=...)" >&2; exit 2; }
	@test -n "$(IMAGE)" || { echo "image: no params.container in nextflow.config (or set IMAGE=...)" >&2; exit 2; }
	@if $(ENGINE) image inspect "$(BASE_IMAGE)" >/dev/null 2>&1; then \
	  echo "image: base $(BASE_IMAGE) present"; \
	else \
	  bash containers/base/build-base.sh "$(ENGINE)" "$(BASE_IMAGE)"; \
	fi
	DOCKER_BUILDKIT=1 $(ENGINE) build $(IMAGE_BUILD_ARGS) --build-arg BASE_IMAGE="$(BASE_IMAGE)" \
	  $(if $(IMAGE_PIP_CERT),--secret id=pip_cert$(comma)src="$(IMAGE_PIP_CERT)") \
	  --label org.varrank.source-digest="$$(bash containers/source-digest.sh)" \
	  -f containers/Dockerfile -t "$(IMAGE)" .
	@echo "image: built $(IMAGE) with $(ENGINE); run with -profile test,$(ENGINE)"

clean:
	rm -rf results work .nextflow .nextflow.log*
