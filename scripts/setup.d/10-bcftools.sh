#!/usr/bin/env bash
# bcftools CLI: only the INGEST benchmark uses it (the pipeline itself runs bcftools through
# pysam). Idempotent and quiet; skipped when already installed or when apt-get is absent.
set -euo pipefail
if command -v bcftools >/dev/null 2>&1; then
  exit 0
fi
if ! command -v apt-get >/dev/null 2>&1; then
  echo "setup: bcftools not installed and no apt-get; the INGEST benchmark will use pysam's bcftools" >&2
  exit 0
fi
SUDO=""
if [ "$(id -u)" -ne 0 ]; then SUDO="sudo"; fi
$SUDO apt-get update -qq >/dev/null
DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq bcftools >/dev/null
