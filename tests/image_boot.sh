#!/usr/bin/env bash
# The appliance image boots and serves: the stratumd package for ARCH (this machine's from
# static.debian_package, another's cross-built here), installed into the generic root of that
# architecture (board/image/make-rootfs, made by scripts/setup --test), written into an image
# with the simulated receiver turned on, booted in qemu (arm64: TCG;
# amd64: KVM when it can), and answered at stratum 1 on 127.0.0.1 through qemu's user-mode
# networking; then shut down by its power button, leaving the drift file on its data partition.
# The amd64 image has a read-only root, which must come back unwritten; the arm64 one a writable
# root. Each boots with a first-boot seed checked over SSH (tests/image_seed.sh): amd64 a
# read-only one, the Pi's card a writable one, arm64 none (no SSH then). Fails without the root,
# the toolchain or qemu (cannot_run).
# With BOARD raspberry-pi-3, the Raspberry Pi's SD card image instead (build-image --board: the
# firmware partition, root and data), booted under qemu's raspi3b from what is on the card; it
# takes the arm64 package image.arm64_boot built when there is one. With arm64-gpio, the image
# image.arm64_boot built is booted again, its daemon taking a pulse from the virtual board's GPIO
# line that this host drives (boot-test --gpio-edges).
# Usage: tests/image_boot.sh SOURCE_DIR BUILD_DIR [ARCH|BOARD]   (arm64, the default, amd64 or
#                                                                 raspberry-pi-3, arm64-gpio)
set -euo pipefail
source "$(dirname "$0")/cannot_run.sh"
top=$1
build=$2
arch=${3:-arm64}
if [[ $arch == arm64-gpio ]]; then
  [[ -f $build/image-arm64/root.img ]] || cannot_run "no arm64 image (image.arm64_boot builds it)"
  exec "$top/board/image/boot-test" "$build/image-arm64" 12303 --gpio-edges
fi
board=
if [[ $arch == raspberry-pi-* ]]; then
  board=$arch arch=arm64
  firmware=$(ls "$build"/raspi-firmware/raspi-firmware_*.deb 2>/dev/null | head -n 1)
  [[ -n $firmware ]] || cannot_run "no raspi-firmware package (scripts/setup --test fetches it)"
  command -v mcopy >/dev/null && command -v sfdisk >/dev/null && command -v mkfs.vfat >/dev/null ||
    cannot_run "no mtools, fdisk or dosfstools"
fi
template=$build/image-rootfs-$arch
qemu=qemu-system-aarch64
[[ $arch == amd64 ]] && qemu=qemu-system-x86_64
command -v $qemu >/dev/null || cannot_run "no $qemu"
[[ -d $template ]] || cannot_run "no $template (scripts/setup --test makes it)"
if [[ $arch != $(dpkg --print-architecture) ]]; then
  dpkg-query -W -f='${Status}\n' "libgps-dev:$arch" "crossbuild-essential-$arch" 2>/dev/null |
    grep -c 'install ok installed' | grep -qx 2 || cannot_run "no $arch toolchain"
fi

# The root as built: no trace of this build host's resolver, no apt timers.
check_root() {
  local image=$1 resolv timer
  resolv=$(debugfs -R "cat /etc/resolv.conf" "$image" 2>/dev/null)
  for server in $(awk '$1 == "nameserver" { print $2 }' /etc/resolv.conf); do
    ! grep -qw -- "$server" <<<"$resolv" || { echo "FAIL: the image has this host's nameserver $server"; exit 1; }
  done
  # Every flashed card makes its own SSH host keys (stratumd-firstboot): none in the image.
  ! debugfs -R "ls -l /etc/ssh" "$image" 2>/dev/null | grep -q ssh_host_ ||
    { echo "FAIL: the image carries SSH host keys every card would share"; exit 1; }
  debugfs -R "stat /etc/systemd/system/multi-user.target.wants/stratumd-firstboot.service" "$image" 2>/dev/null |
    grep -q 'link dest' || { echo "FAIL: the first boot is not enabled in the image"; exit 1; }
  for timer in apt-daily.timer apt-daily-upgrade.timer dpkg-db-backup.timer; do
    debugfs -R "stat /etc/systemd/system/$timer" "$image" 2>/dev/null | grep -q 'link dest: "/dev/null"' ||
      { echo "FAIL: $timer is not masked in the image"; exit 1; }
  done
}

# Booted with a first-boot seed of KIND (tests/image_seed.sh), checked over SSH while it serves.
boot_with_seed() {
  local kind=$1 image=$2 port=$3
  seed_dir=$(mktemp -d /tmp/stratumd-seed.XXXXXX)
  trap 'rm -rf "$seed_dir"' EXIT
  local seed=$seed_dir
  "$top/tests/image_seed.sh" seed "$kind" "$seed"
  local options=(--while-up "'$top/tests/image_seed.sh' check $kind '$seed'")
  [[ $kind == none ]] || options+=(--seed "$seed")
  "$top/board/image/boot-test" "$image" "$port" "${options[@]}"
}

if [[ -n $board ]]; then
  out=$build/image-$board
  deb=$(ls "$build/packages-$arch"/stratumd_*_"$arch".deb 2>/dev/null || true)
  if [[ -z $deb ]]; then
    "$top/scripts/package" --arch "$arch" "$build/packages-$arch" >/dev/null
    deb=$(ls "$build/packages-$arch"/stratumd_*_"$arch".deb)
  fi
  rm -rf "$out"
  "$top/board/image/build-image" "$template" "$deb" "$out" --simulate --board "$board" --firmware "$firmware"
  # What the Pi's boot ROM and firmware need, which qemu skips: a first FAT partition holding
  # the boot loader, the GPU firmware of the Pi 3 and 4, config.txt and cmdline.txt.
  first=$(sfdisk -d "$out/sd.img" | sed -n 's/.*start= *\([0-9]*\),.*type=c.*/\1/p' | head -n 1)
  [[ -n $first ]] || { echo "FAIL: no FAT partition on the card"; exit 1; }
  boot=$out/sd.img@@$((first * 512))
  [[ $(mlabel -s -i "$boot" ::) == *RASPIFIRM* ]] || { echo "FAIL: the firmware partition is not RASPIFIRM"; exit 1; }
  files=$(mdir -b -i "$boot" ::)
  for file in bootcode.bin start.elf fixup.dat start4.elf fixup4.dat config.txt cmdline.txt bcm2837-rpi-3-b.dtb; do
    grep -q "/$file$" <<<"$files" || { echo "FAIL: no $file on the firmware partition"; exit 1; }
  done
  config=$(mtype -i "$boot" ::config.txt)
  for line in arm_64bit=1 upstream_kernel=1 "kernel=vmlinuz-" "initramfs initrd.img-"; do
    grep -q "^$line" <<<"$config" || { echo "FAIL: config.txt has no $line"; exit 1; }
  done
  ! mtype -i "$boot" ::cmdline.txt | grep -q "console=serial0\|console=ttyS1\|console=ttyAMA0" ||
    { echo "FAIL: a console on the GPS's UART"; exit 1; }
  check_root "$out/root.img"
  boot_with_seed card "$out" 12302
fi
rm -rf "$build/image-$arch"
if [[ $arch == $(dpkg --print-architecture) ]]; then
  # The package static.debian_package built (the test requires that fixture).
  deb=$(ls "$build/packages"/stratumd_*_"$arch".deb 2>/dev/null || true)
  [[ -n $deb ]] || { echo "FAIL: no package in $build/packages (static.debian_package builds it)"; exit 1; }
else
  rm -rf "$build/packages-$arch"
  "$top/scripts/package" --arch "$arch" "$build/packages-$arch" >/dev/null
  deb=$(ls "$build/packages-$arch"/stratumd_*_"$arch".deb)
fi
read_only=
[[ $arch == amd64 ]] && read_only=--read-only
"$top/board/image/build-image" "$template" "$deb" "$build/image-$arch" --simulate $read_only
check_root "$build/image-$arch/root.img"
port=12300 kind=none
[[ $arch == amd64 ]] && port=12301 kind=read-only  # the two tests never share a forwarded port
boot_with_seed $kind "$build/image-$arch" $port
