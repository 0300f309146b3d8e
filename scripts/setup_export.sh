#!/usr/bin/env bash
# Optional SpliceAI export toolchain and bundle, kept OUTSIDE the repository.
#
#   1. torch + h5py + onnx (the `export` extra) into $VARRANK_CACHE/export-site, made visible
#      to the virtualenv through a .pth file that is appended after its own site-packages
#      (so the venv's numpy etc. win). PyPI's Linux torch wheel is the CUDA build and pulls
#      the nvidia-* wheels (about 5 GB); there is no CPU-only torch on PyPI for x86_64 Linux.
#      Nothing here is needed to *score*: only onnxruntime is.
#   2. the spliceai 1.3.1 wheel (its five Keras .h5 models are the weights; CC BY-NC 4.0),
#      downloaded with pip, never installed.
# The bundle itself is then one command (docs/models.md):
#   varrank model export spliceai --wheel "$WHEEL" --out DIR
# (the export tests build and cache their own copy under $VARRANK_CACHE/bundles/).
#
# Idempotent and quiet; each step is skipped when its result is present.
# Usage: VENV=.venv bash scripts/setup_export.sh
set -euo pipefail
here="$(cd "$(dirname "$0")/.." && pwd)"
VENV="${VENV:-$here/.venv}"
CACHE="${VARRANK_CACHE:-$HOME/.cache/varrank}"
SITE="$CACHE/export-site"
WHEEL="$CACHE/wheels/spliceai-1.3.1-py2.py3-none-any.whl"
PY="$VENV/bin/python"
TORCH_SPEC="${VARRANK_TORCH_SPEC:-torch==2.5.1}"

if ! PYTHONPATH="$SITE" "$PY" -c "import torch, h5py, onnx" >/dev/null 2>&1; then
  echo "setup_export: installing $TORCH_SPEC h5py onnx into $SITE (large download)"
  "$VENV/bin/pip" install -q --disable-pip-version-check --target "$SITE" \
    "$TORCH_SPEC" "h5py>=3.9" "onnx>=1.15"
fi
purelib="$("$PY" -c 'import sysconfig; print(sysconfig.get_paths()["purelib"])')"
echo "$SITE" > "$purelib/varrank-export-extra.pth"

if [ ! -f "$WHEEL" ]; then
  mkdir -p "$CACHE/wheels"
  "$VENV/bin/pip" download -q --disable-pip-version-check --no-deps "spliceai==1.3.1" \
    -d "$CACHE/wheels"
fi
