#!/usr/bin/env bash
# The appliance image boots and serves: the stratumd package (cross-)built for ARCH, installed into
# the generic root of that architecture (board/image/make-rootfs, made by scripts/setup --test),
# written into an image with the simulated receiver turned on, booted in qemu (arm64: TCG;
# amd64: KVM when it can), and answered at stratum 1 on 127.0.0.1 through qemu's user-mode
# networking; then shut down by its power button, leaving the drift file on its data partition.
# The amd64 image has a read-only root, which must come back unwritten; the arm64 one a writable
# root. Skipped without the root, the toolchain or qemu.
# Usage: tests/image_boot.sh SOURCE_DIR BUILD_DIR [ARCH]   (ARCH: arm64, the default, or amd64)
set -euo pipefail
top=$1
build=$2
arch=${3:-arm64}
template=$build/image-rootfs-$arch
qemu=qemu-system-aarch64
[[ $arch == amd64 ]] && qemu=qemu-system-x86_64
command -v $qemu >/dev/null || { echo "SKIP: no $qemu"; exit 77; }
[[ -d $template ]] || { echo "SKIP: no $template (scripts/setup --test makes it)"; exit 77; }
if [[ $arch != $(dpkg --print-architecture) ]]; then
  dpkg-query -W -f='${Status}\n' "libgps-dev:$arch" "crossbuild-essential-$arch" 2>/dev/null |
    grep -c 'install ok installed' | grep -qx 2 || { echo "SKIP: no $arch toolchain"; exit 77; }
fi

rm -rf "$build/packages-$arch" "$build/image-$arch"
"$top/scripts/package" --arch "$arch" "$build/packages-$arch" >/dev/null
deb=$(ls "$build/packages-$arch"/stratumd_*_"$arch".deb)
read_only=
[[ $arch == amd64 ]] && read_only=--read-only
"$top/board/image/build-image" "$template" "$deb" "$build/image-$arch" --simulate $read_only
port=12300
[[ $arch == amd64 ]] && port=12301  # the two tests never share a forwarded port
exec "$top/board/image/boot-test" "$build/image-$arch" $port
