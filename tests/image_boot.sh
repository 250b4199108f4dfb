#!/usr/bin/env bash
# The appliance image boots and serves: the stratumd package cross-built for arm64, installed into
# the generic arm64 root (board/image/make-rootfs, made by scripts/setup --test), written into an
# image with the simulated receiver turned on, booted in qemu-system-aarch64 (TCG), and answered
# at stratum 1 on 127.0.0.1 through qemu's user-mode networking. Skipped without the root, the
# arm64 toolchain or qemu-system-aarch64.
# Usage: tests/image_boot.sh SOURCE_DIR BUILD_DIR
set -euo pipefail
top=$1
build=$2
template=$build/image-rootfs-arm64
command -v qemu-system-aarch64 >/dev/null || { echo "SKIP: no qemu-system-aarch64"; exit 77; }
[[ -d $template ]] || { echo "SKIP: no $template (scripts/setup --test makes it)"; exit 77; }
dpkg-query -W -f='${Status}\n' libgps-dev:arm64 crossbuild-essential-arm64 2>/dev/null |
  grep -c 'install ok installed' | grep -qx 2 || { echo "SKIP: no arm64 toolchain"; exit 77; }

rm -rf "$build/packages-arm64" "$build/image-arm64"
"$top/scripts/package" --arch arm64 "$build/packages-arm64" >/dev/null
deb=$(ls "$build"/packages-arm64/stratumd_*_arm64.deb)
"$top/board/image/build-image" "$template" "$deb" "$build/image-arm64" --simulate
exec "$top/board/image/boot-test" "$build/image-arm64"
