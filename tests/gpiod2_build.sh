#!/usr/bin/env bash
# The GPIO PPS driver against libgpiod 2 (Debian 13's, current Raspberry Pi OS's): the daemon is
# configured and built against the libgpiod-dev of a Debian 13 root (scripts/setup --test extracts
# it; linked statically, so it runs on this Debian 12), its build says it took the v2 API, and the
# daemon it makes opens a GPIO line the v2 way: a path that is no GPIO chip is refused with the
# same message as under libgpiod 1.6 (this machine has no GPIO chip, and no gpio-sim, for edges).
# Usage: tests/gpiod2_build.sh SOURCE_DIR BUILD_DIR
set -euo pipefail
source "$(dirname "$0")/cannot_run.sh"
top=$(cd "$1" && pwd)
build=$(cd "$2" && pwd)
sysroot=$build/sysroot-gpiod2
fail() { echo "FAIL: $*" >&2; exit 1; }
[[ -f $sysroot/usr/include/gpiod.h ]] || cannot_run "no $sysroot (scripts/setup --test makes it)"
lib=$(ls "$sysroot"/usr/lib/*/libgpiod.a)
version=$(sed -n 's/^Version: //p' "$sysroot"/usr/lib/*/pkgconfig/libgpiod.pc)
[[ $version == 2.* ]] || fail "the root's libgpiod is $version, not 2.x"

out=$build/gpiod2
# Only the static library in the directory named: the link cannot pick a shared one.
rm -rf "$out"
mkdir -p "$out/pkgconfig" "$out/lib"
ln -sf "$lib" "$out/lib/libgpiod.a"
cat >"$out/pkgconfig/libgpiod.pc" <<PC
Name: libgpiod
Description: libgpiod $version from $sysroot
Version: $version
Cflags: -isystem $sysroot/usr/include
Libs: -L$out/lib -lgpiod
PC
PKG_CONFIG_PATH=$out/pkgconfig cmake -S "$top" -B "$out/build" -DCMAKE_BUILD_TYPE=RelWithDebInfo \
  -DSTRATUMD_BUILD_TESTS=OFF -DSTRATUMD_WERROR=ON >"$out/cmake.log" 2>&1 || { cat "$out/cmake.log"; exit 1; }
grep -q "^GPIOD_VERSION:INTERNAL=$version$" "$out/build/CMakeCache.txt" || fail "CMake did not take libgpiod $version"
started=$(date +%s)
make -C "$out/build" -j"$(nproc)" stratumd >"$out/make.log" 2>&1 || { tail -n 30 "$out/make.log"; exit 1; }
grep -q "STRATUMD_GPIOD_V2=1" "$out/build/CMakeFiles/stratumd_drivers.dir/flags.make" ||
  fail "the drivers were not built for the v2 API"
nm "$out/build/stratumd" >"$out/symbols"
grep -q " gpiod_chip_request_lines$" "$out/symbols" || fail "the daemon does not call the v2 API"
echo "built against libgpiod $version in $(( $(date +%s) - started )) s"

printf 'refclock gpio unit 0 path /dev/null line 18\n' >"$out/gpio.conf"
for daemon in "$out/build/stratumd" "$build/stratumd"; do
  if "$daemon" -n -x --port 1126 --console-socket none --quiet -c "$out/gpio.conf" >"$out/run.log" 2>&1; then
    fail "$daemon started on /dev/null as a GPIO chip"
  fi
  grep -q "gpio.conf:1: GPIO_PPS(0): /dev/null: not a GPIO chip" "$out/run.log" ||
    fail "$daemon: $(cat "$out/run.log")"
done
echo "PASS: the GPIO PPS driver builds, links and refuses a non-chip the same against libgpiod $version and 1.6"
