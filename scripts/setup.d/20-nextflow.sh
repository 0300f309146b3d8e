#!/usr/bin/env bash
# Offline Nextflow install: resolve the engine's jars from Maven Central with
# `mvn dependency:copy-dependencies` on scripts/nextflow/pom.xml into a cache outside the work
# tree, then install a `nextflow` launcher into the virtualenv's bin.
#
# Idempotent: a stamp holding the pom's sha256 and version marks a complete resolve; rerunning
# only rewrites the launcher. Environment:
#   VENV               virtualenv to install the launcher into (default <repo>/.venv)
#   NXF_VERSION        Nextflow version (default: the pin in scripts/nextflow/pom.xml)
#   VARRANK_NXF_CACHE  cache root (default ${XDG_CACHE_HOME:-~/.cache}/varrank/nextflow)
# Java 17+ and Maven are installed with apt-get when missing and we are root.
set -euo pipefail
repo="$(cd "$(dirname "$0")/../.." && pwd)"
VENV="${VENV:-$repo/.venv}"
pom="$repo/scripts/nextflow/pom.xml"
pinned="$(sed -n 's:.*<nextflow.version>\(.*\)</nextflow.version>.*:\1:p' "$pom")"
version="${NXF_VERSION:-$pinned}"
cache_root="${VARRANK_NXF_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/varrank/nextflow}"
lib="$cache_root/$version/lib"
stamp="$cache_root/$version/.complete"

log() { echo "  nextflow: $*"; }

java_major() {
  java -XshowSettings:properties -version 2>&1 \
    | sed -n 's/^ *java.specification.version = \([0-9]*\).*/\1/p'
}

need_apt=()
if ! command -v java >/dev/null 2>&1 || [ "$(java_major)" -lt 17 ]; then
  need_apt+=(openjdk-17-jre-headless)
fi
command -v mvn >/dev/null 2>&1 || need_apt+=(maven)
if [ "${#need_apt[@]}" -gt 0 ]; then
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
    log "installing ${need_apt[*]} with apt-get"
    apt-get update -qq >/dev/null
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends \
      "${need_apt[@]}" >/dev/null
  else
    echo "setup: Nextflow needs ${need_apt[*]}; install them (Java 17+, Maven 3) and rerun" >&2
    exit 1
  fi
fi

want="$(sha256sum "$pom" | cut -d' ' -f1) $version"
if [ -f "$stamp" ] && [ "$(cat "$stamp")" = "$want" ] && [ -f "$lib/nextflow-$version.jar" ]; then
  log "$version already resolved in $lib"
else
  log "resolving io.nextflow:nextflow:$version from Maven Central into $lib"
  rm -rf "$lib.partial"
  mkdir -p "$lib.partial"
  mvn_log="$(mktemp)"
  if ! mvn -B -q -f "$pom" -Dnextflow.version="$version" \
      dependency:copy-dependencies -DincludeScope=runtime \
      -DoutputDirectory="$lib.partial" >"$mvn_log" 2>&1; then
    echo "setup: Maven could not resolve Nextflow $version:" >&2
    grep -E '^\[ERROR\]' "$mvn_log" | head -5 >&2 || tail -20 "$mvn_log" >&2
    echo "hint: see docs/usage.md (Install) for the versions known to resolve" >&2
    rm -f "$mvn_log"
    exit 1
  fi
  rm -f "$mvn_log"
  rm -rf "$lib"
  mv "$lib.partial" "$lib"
  echo "$want" > "$stamp"
  log "resolved $(ls "$lib" | wc -l) jars"
fi

mkdir -p "$VENV/bin"
sed -e "s|@NXF_VERSION@|$version|g" -e "s|@NXF_LIB@|$lib|g" \
  "$repo/scripts/nextflow/launcher.sh.in" > "$VENV/bin/nextflow.tmp"
chmod 0755 "$VENV/bin/nextflow.tmp"
mv "$VENV/bin/nextflow.tmp" "$VENV/bin/nextflow"
"$VENV/bin/nextflow" -version 2>/dev/null | grep -q "version $version" \
  || { echo "setup: the installed launcher does not run Nextflow $version" >&2; exit 1; }
log "$VENV/bin/nextflow -> Nextflow $version"
