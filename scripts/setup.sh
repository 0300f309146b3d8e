#!/usr/bin/env bash
# One-stop setup on a fresh machine: Python virtualenv with varrank, then every
# stage's extra system pieces (scripts/setup.d/*.sh, run in name order).
set -euo pipefail
here="$(cd "$(dirname "$0")/.." && pwd)"
cd "$here"
VENV="${VARRANK_VENV:-$here/.venv}"
if [ ! -x "$VENV/bin/python" ]; then
  python3 -m venv "$VENV"
fi
"$VENV/bin/pip" install -q --upgrade pip >/dev/null
"$VENV/bin/pip" install -q -e ".[test,qc]"
for step in scripts/setup.d/*.sh; do
  [ -e "$step" ] || continue
  echo "setup: $(basename "$step")"
  VENV="$VENV" bash "$step"
done
echo "setup: done (virtualenv $VENV)"
