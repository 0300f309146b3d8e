#!/usr/bin/env bash
# SCORE: the optional export toolchain + SpliceAI bundle (see scripts/setup_export.sh).
# Set VARRANK_SKIP_EXPORT=1 to skip it (the export/parity tests then skip with a reason).
set -euo pipefail
[ "${VARRANK_SKIP_EXPORT:-0}" = "1" ] && exit 0
here="$(cd "$(dirname "$0")/../.." && pwd)"
VENV="${VENV:-$here/.venv}" bash "$here/scripts/setup_export.sh"
