#!/usr/bin/env bash
# One sha256 over every file the CPU image copies from this checkout (the Dockerfile, the
# locks, pyproject.toml, bin/varrank-versions, src/; not README.md, which only fills the
# package description). `make image` stores it as
# the image label org.varrank.source-digest; tests/pipeline/test_container.py compares it
# with the checkout's, so a stale image is reported as such instead of as a wrong result.
set -euo pipefail
cd "$(dirname "$0")/.."
{
  printf '%s\n' containers/Dockerfile containers/requirements.lock \
    containers/build-requirements.lock containers/qc-requirements.lock pyproject.toml bin/varrank-versions
  find src -type f ! -name '*.pyc' ! -path '*/__pycache__/*' ! -path '*.egg-info/*'
} | LC_ALL=C sort | while IFS= read -r path; do sha256sum -- "$path"; done | sha256sum | cut -c1-64
