#!/usr/bin/env bash
# scripts/cross ARCH: the daemon, stratumctl and the unit tests cross-built for a board's
# architecture, the unit tests run under qemu-user, then the cross-built daemon itself, under
# qemu-user in a private network namespace, serves stratum 1 from its simulated receiver to an NTP
# client. For armhf, whose Debian 12 libraries use a 32-bit time_t, the daemon must call none of
# the C library's 32-bit time functions (it is built with _TIME_BITS=64; libgps and libgpiod keep
# theirs), and its .deb is built (scripts/package --arch armhf) against the same sysroot. Skipped
# when the toolchain or the armhf sysroot is missing (scripts/setup --test makes them; tests do
# not fetch packages).
# Usage: tests/cross_build.sh SOURCE_DIR BUILD_DIR ARCH   (STRATUMD_ARMHF_SYSROOT names the sysroot)
set -euo pipefail
source "$(dirname "$0")/cannot_run.sh"
top=$1 build=$2 arch=$3
fail() { echo "FAIL: $*" >&2; exit 1; }
case $arch in
  arm64) needs=(libgtest-dev:arm64 crossbuild-essential-arm64 qemu-user-static) qemu=(qemu-aarch64-static) ;;
  armhf)
    needs=(crossbuild-essential-armhf qemu-user-static mmdebstrap)
    sysroot=${STRATUMD_ARMHF_SYSROOT:-$top/build/sysroot-armhf}
    [[ -f $sysroot/stratumd-sysroot ]] || cannot_run "no armhf sysroot $sysroot (scripts/setup --test makes it)"
    qemu=(qemu-arm-static -L "$sysroot")
    ;;
  *) fail "no architecture $arch" ;;
esac
installed=$(dpkg-query -W -f='${Status}\n' "${needs[@]}" 2>/dev/null | grep -c 'install ok installed' || true)
((installed == ${#needs[@]})) || cannot_run "no $arch toolchain (scripts/setup --test installs it)"

"$top/scripts/cross" "$arch" "$build"

if [[ $arch == armhf ]]; then
  # With _TIME_BITS=64 glibc 2.34+ routes each of these to a *64 / *_time64 symbol.
  time32=(clock_gettime clock_settime clock_adjtime adjtimex ntp_adjtime ntp_gettime gettimeofday
          settimeofday time ppoll pselect select recvmmsg recvmsg sendmsg sendmmsg setsockopt
          getsockopt nanosleep clock_nanosleep timerfd_settime timerfd_gettime stat fstat lstat
          fstatat futimens utimensat gmtime gmtime_r localtime localtime_r mktime timegm ctime_r
          ioctl fcntl pthread_cond_timedwait pthread_cond_clockwait pthread_mutex_timedlock
          sem_timedwait epoll_pwait2 prctl)
  for binary in stratumd stratumctl; do
    imports=$(arm-linux-gnueabihf-nm -D --undefined-only "$build/$binary" | awk '{print $2}' | sed 's/@.*//')
    [[ $binary == stratumctl ]] || grep -q '^__clock_gettime64$' <<<"$imports" ||
      fail "$binary does not read the clock the 64-bit way"
    old=$(grep -Fx -f <(printf '%s\n' "${time32[@]}") <<<"$imports" || true)
    [[ -z $old ]] || fail "$binary calls the 32-bit time functions: $(echo $old)"
  done
  echo "stratumd and stratumctl call only the 64-bit time functions"
  # The package, against the same sysroot: an armhf binary, depending on the armhf libraries
  # (found through the sysroot's symbols files) and on a C library with the 64-bit time calls.
  packages=$build/packages
  rm -rf "$packages"
  STRATUMD_ARMHF_SYSROOT=$sysroot "$top/scripts/package" --arch armhf "$packages" >/dev/null
  deb=$(ls "$packages"/stratumd_*_armhf.deb)
  depends=$(dpkg-deb -f "$deb" Depends)
  for library in libgps28 libgpiod2 libseccomp2 libstdc++6; do
    grep -q "$library" <<<"$depends" || fail "the armhf package does not depend on $library: $depends"
  done
  [[ $depends =~ libc6\ \(\>=\ 2\.3[4-9] ]] || fail "the armhf package allows a C library without 64-bit time: $depends"
  dpkg-deb --fsys-tarfile "$deb" | tar -xOf - ./usr/sbin/stratumd | file - | grep -q "ARM, EABI5" ||
    fail "the armhf package does not hold an armhf daemon"
  echo "$(basename "$deb"): $(du -h "$deb" | cut -f1); Depends: $depends"
fi

# The daemon on the target's instruction set, answering a client on this host's loopback.
export top build
log=$(mktemp /tmp/stratumd-cross.XXXXXX)
trap 'rm -f "$log"' EXIT
unshare -n bash -c '
  ip link set lo up
  "$@" "$build/stratumd" --simulate -n -x --port 1123 --console-socket none >"'"$log"'" 2>&1 &
  daemon=$!
  trap "kill $daemon 2>/dev/null; wait $daemon 2>/dev/null" EXIT
  # The simulated receiver locks within seconds; under emulation, allow 90.
  deadline=$((SECONDS + 90))
  while ((SECONDS < deadline)); do
    kill -0 $daemon 2>/dev/null || exit 3
    reply=$(python3 "$top/tests/integration/ntp_probe.py" --port 1123 --timeout 0.5 query 127.0.0.1 2>/dev/null) &&
      grep -q "\"stratum\": 1," <<<"$reply" && grep -q "\"leap\": 0," <<<"$reply" && { echo "$reply"; exit 0; }
    sleep 0.5  # the next poll
  done
  exit 2' bash "${qemu[@]}" || { cat "$log"; fail "the $arch daemon did not serve stratum 1 under qemu-user"; }
echo "PASS: the $arch build's unit tests pass and its daemon serves stratum 1"
