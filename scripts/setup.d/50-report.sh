#!/usr/bin/env bash
# REPORT stage: headless Chromium for --pdf and the browser tests (Debian packages; browsers
# cannot be downloaded from the web here), poppler-utils for pdfinfo, and the Python side
# (selenium drives chromedriver; jsonschema validates report.json). Idempotent and quiet.
set -euo pipefail
VENV="${VENV:-.venv}"
need=()
command -v chromium >/dev/null 2>&1 || need+=(chromium)
command -v chromedriver >/dev/null 2>&1 || need+=(chromium-driver)
command -v pdfinfo >/dev/null 2>&1 || need+=(poppler-utils)
fc-list 2>/dev/null | grep -qi dejavu || need+=(fonts-dejavu-core)
if [ "${#need[@]}" -gt 0 ]; then
  if [ "$(id -u)" -eq 0 ]; then SUDO=""; else SUDO="sudo"; fi
  $SUDO apt-get update -qq >/dev/null
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq -o DPkg::Lock::Timeout=600 \
    --no-install-recommends "${need[@]}" >/dev/null
fi
"$VENV/bin/python" -c "import selenium, jsonschema" 2>/dev/null \
  || "$VENV/bin/pip" install -q "selenium>=4.20" "jsonschema>=4.20"
