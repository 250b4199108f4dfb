#!/usr/bin/env bash
# scripts/cross arm64: the daemon, stratumctl and the unit tests cross-built for arm64 and the unit
# tests run under qemu-user. Skipped when the toolchain is not installed (scripts/setup --test
# installs it; tests do not fetch packages).
# Usage: tests/cross_arm64.sh SOURCE_DIR BUILD_DIR
set -euo pipefail
if ! dpkg-query -W -f='${Status}\n' libgtest-dev:arm64 crossbuild-essential-arm64 qemu-user-static 2>/dev/null |
     grep -c 'install ok installed' | grep -qx 3; then
  echo "SKIP: no arm64 toolchain (scripts/setup --test installs it)"
  exit 77
fi
exec "$1/scripts/cross" arm64 "$2"
