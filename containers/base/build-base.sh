#!/usr/bin/env bash
# Build the Debian base image of containers/Dockerfile locally, with no image registry:
# debootstrap (minbase) from a Debian mirror, then `<engine> import`. `make image` runs it
# when the base image is missing.
#
# Pinned by the Debian point release: the mirror's bookworm Release file must say
# BASE_DEBIAN_RELEASE (the release whose package versions containers/Dockerfile pins);
# when the mirror has moved on, this stops with a message instead of building something else.
# The image carries /etc/varrank-base.txt: mirror, Release date and version, and every
# installed package's version (dpkg-query), so the snapshot can be compared or rebuilt.
#
# Usage: build-base.sh ENGINE IMAGE_TAG
# Environment: DEBIAN_MIRROR (default: the host's debian mirror from /etc/apt/sources.list*,
#              else http://deb.debian.org/debian), BASE_SUITE (bookworm),
#              BASE_DEBIAN_RELEASE (12.15), BASE_WORKDIR (a temporary folder).
set -euo pipefail

die() { echo "build-base: error: $*" >&2; exit 2; }

[ $# -eq 2 ] || die "usage: build-base.sh ENGINE IMAGE_TAG (e.g. podman localhost/varrank-base:bookworm-12.15)"
engine=$1
tag=$2
suite=${BASE_SUITE:-bookworm}
release=${BASE_DEBIAN_RELEASE:-12.15}

command -v "$engine" >/dev/null 2>&1 || die "container engine '$engine' not found (apt-get install podman, or docker.io)"
command -v debootstrap >/dev/null 2>&1 || die "debootstrap not found (apt-get install debootstrap)"
[ "$(id -u)" -eq 0 ] || die "debootstrap needs root (run as root or with sudo)"

host_mirror() {
  # The first archive (not security/updates) URI of the host's Debian sources, if any.
  local uri
  uri=$(grep -hsE '^(URIs:|deb )' /etc/apt/sources.list /etc/apt/sources.list.d/*.list \
          /etc/apt/sources.list.d/*.sources 2>/dev/null \
        | grep -oE 'https?://[^ ]+/debian/?( |$)' | head -1 | tr -d ' ')
  echo "${uri:-http://deb.debian.org/debian}"
}
mirror=${DEBIAN_MIRROR:-$(host_mirror)}
mirror=${mirror%/}

release_file=$(mktemp)
trap 'rm -f "$release_file"' EXIT
curl -fsS --max-time 60 -o "$release_file" "$mirror/dists/$suite/Release" \
  || die "cannot read $mirror/dists/$suite/Release (set DEBIAN_MIRROR to a reachable Debian mirror)"
got_release=$(sed -n 's/^Version: //p' "$release_file" | head -1)
release_date=$(sed -n 's/^Date: //p' "$release_file" | head -1)
if [ "$got_release" != "$release" ]; then
  die "$mirror serves Debian $suite $got_release, but the pins in containers/Dockerfile are for $release;
  update the apt pins there, then rebuild with BASE_DEBIAN_RELEASE=$got_release (and a matching base tag)"
fi

work=${BASE_WORKDIR:-$(mktemp -d /var/tmp/varrank-base.XXXXXX)}
rootfs="$work/rootfs"
rm -rf "$rootfs"
echo "build-base: debootstrap --variant=minbase $suite from $mirror (Debian $got_release, $release_date)"
debootstrap --variant=minbase "$suite" "$rootfs" "$mirror" > "$work/debootstrap.log" 2>&1 \
  || { tail -20 "$work/debootstrap.log" >&2; die "debootstrap failed (full log: $work/debootstrap.log)"; }

{
  echo "mirror: $mirror"
  echo "suite: $suite"
  echo "debian_release: $got_release"
  echo "release_date: $release_date"
  echo "built: $(date -u +%Y-%m-%dT%H:%M:%SZ)"
  echo "packages:"
  chroot "$rootfs" dpkg-query -W -f '  ${Package}=${Version}\n'
} > "$rootfs/etc/varrank-base.txt"

# What a container image does not need: package lists, downloaded .debs, logs.
rm -rf "$rootfs"/var/lib/apt/lists/* "$rootfs"/var/cache/apt/*.bin \
       "$rootfs"/var/cache/apt/archives/*.deb "$rootfs"/var/log/*.log "$rootfs"/var/log/apt/*
printf 'APT::Install-Recommends "false";\nAPT::Install-Suggests "false";\n' \
  > "$rootfs/etc/apt/apt.conf.d/90-varrank-no-recommends"

tar --numeric-owner -C "$rootfs" -c . \
  | "$engine" import \
      --change 'CMD ["/bin/bash"]' \
      --change "LABEL org.opencontainers.image.title=varrank-base org.debian.release=$got_release" \
      --message "debootstrap --variant=minbase $suite $mirror (Debian $got_release, $release_date)" \
      - "$tag" >/dev/null
rm -rf "$work"
echo "build-base: imported $tag"
