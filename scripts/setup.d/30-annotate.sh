#!/usr/bin/env bash
# ANNOTATE stage system tools (Debian bookworm): snpEff (embedded consequence annotator, with
# Java), and for benchmarks/annotate_bench.py the peers vcfanno, bcftools, tabix.
# Idempotent and quiet: installs only what is missing.
set -euo pipefail
need=()
command -v java >/dev/null 2>&1 || need+=(default-jre-headless)
[ -f /usr/share/java/snpeff.jar ] || need+=(snpeff)
command -v vcfanno >/dev/null 2>&1 || need+=(vcfanno)
command -v bcftools >/dev/null 2>&1 || need+=(bcftools)
command -v tabix >/dev/null 2>&1 || need+=(tabix)
if [ "${#need[@]}" -gt 0 ]; then
  SUDO=""
  [ "$(id -u)" -eq 0 ] || SUDO="sudo"
  $SUDO apt-get update -qq >/dev/null
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
fi
java -jar /usr/share/java/snpeff.jar -version >/dev/null 2>&1 || {
  echo "setup: snpEff did not start (java -jar /usr/share/java/snpeff.jar -version)" >&2; exit 1; }
