#!/usr/bin/env bash
# The Debian package (scripts/package): it builds from the tree, lintian finds no error, and it
# holds what the appliance needs where Debian 12 looks for it: the daemon, the unit (as the account
# stratumd, started with -g), the account made before the directories that name its group, the
# unit enabled and started last (after udev's rules are applied to a receiver already plugged
# in) and stopped on removal, the configuration as a conffile, and time-daemon provided (so
# installing it replaces chrony or ntpsec rather than running beside them).
# Usage: tests/debian_package.sh SOURCE_DIR PACKAGE_DIR   (the .deb is left in PACKAGE_DIR)
set -euo pipefail
source "$(dirname "$0")/cannot_run.sh"
top=$1
packages=$2
command -v dpkg-buildpackage >/dev/null && dpkg-query -W debhelper >/dev/null 2>&1 ||
  cannot_run "no debhelper (scripts/setup --test installs it)"
out=$(mktemp -d /tmp/stratumd-deb.XXXXXX)
trap 'rm -rf "$out"' EXIT
fail() { echo "FAIL: $*"; exit 1; }

rm -rf "$packages"
"$top/scripts/package" "$packages" >"$out/package.log" 2>&1 || fail "scripts/package: $(tail -n 20 "$out/package.log")"
deb=$(ls "$packages"/stratumd_*.deb)
if command -v lintian >/dev/null; then
  lintian "$deb" >"$out/lintian.txt" 2>&1 || true
  cat "$out/lintian.txt"
  grep -q "^E: " "$out/lintian.txt" && fail "lintian errors"
fi

mkdir "$out/root" "$out/control"
dpkg-deb -x "$deb" "$out/root"
dpkg-deb -e "$deb" "$out/control"
unit=$out/root/lib/systemd/system/stratumd.service
[[ -x $out/root/usr/sbin/stratumd && -x $out/root/usr/bin/stratumctl ]] || fail "binaries missing"
python3 -c "import json, sys; json.load(open(sys.argv[1]))" "$out/root/usr/share/stratumd/grafana/stratumd.json" ||
  fail "the Grafana dashboard is not installed"
grep -q 'alert: StratumdLeapfileExpiresSoon' "$out/root/usr/share/stratumd/prometheus/stratumd-alerts.yml" ||
  fail "the example alerting rules are not installed"
for program in stratumd stratumctl; do
  grep -q "complete -F _$program $program" "$out/root/usr/share/bash-completion/completions/$program" ||
    fail "no bash completion for $program"
done
[[ -f $unit ]] || fail "no unit in /lib/systemd/system"
grep -Eq '^ExecStart=/usr/sbin/stratumd .*-g .*-c /etc/stratumd/ntp.conf' "$unit" || fail "ExecStart: $(grep ExecStart "$unit")"
grep -qx 'User=stratumd' "$unit" || fail "the unit does not run as stratumd"
grep -qx 'u stratumd .*' "$out/root/usr/lib/sysusers.d/stratumd.conf" || fail "no sysusers entry"
[[ -f $out/root/usr/lib/tmpfiles.d/stratumd.conf && -f $out/root/lib/udev/rules.d/60-stratumd.rules ]] ||
  fail "tmpfiles or udev rules missing"
grep -qx /etc/stratumd/ntp.conf "$out/control/conffiles" || fail "ntp.conf is not a conffile"
"$out/root/usr/sbin/stratumd" --check-config -c "$out/root/etc/stratumd/ntp.conf" >/dev/null ||
  fail "the packaged configuration does not load"
# postinst: the account, then its directories, then udev's rules applied to a receiver already
# plugged in, then the unit (re)started; prerm stops it on removal.
first_line() { grep -n -m 1 "$1" "$out/control/postinst" | cut -d: -f1; }
users=$(first_line systemd-sysusers) dirs=$(first_line systemd-tmpfiles)
trigger=$(first_line "udevadm trigger") start=$(first_line "deb-systemd-invoke restart")
[[ -n $users && -n $dirs && -n $trigger && -n $start && $users -lt $dirs && $dirs -lt $trigger &&
  $trigger -lt $start ]] ||
  fail "postinst order (sysusers ${users:-none}, tmpfiles ${dirs:-none}, udevadm trigger ${trigger:-none}, start ${start:-none})"
grep -q "deb-systemd-invoke stop stratumd.service" "$out/control/prerm" || fail "prerm does not stop the daemon"
# The appliance image's first boot is in the package, never enabled by it (build-image does that):
# on Raspberry Pi OS cloud-init reads the same seed.
firstboot=$out/root/lib/systemd/system/stratumd-firstboot.service
[[ -f $firstboot ]] || fail "no stratumd-firstboot.service"
program=$(sed -n 's/^ExecStart=//p' "$firstboot")
[[ -x $out/root$program ]] || fail "stratumd-firstboot.service runs $program, which the package does not have"
! grep -q "stratumd-firstboot" "$out/control/postinst" || fail "the package enables or starts the first boot"
# libgps is loaded only for a gpsd reference clock, so the daemon does not link it: the package
# must still depend on it (debian/rules shows dpkg-shlibdeps a program that links it).
[[ $(dpkg-deb -f "$deb" Depends) =~ libgps[0-9]+\ \( ]] ||
  fail "the package does not depend on libgps: $(dpkg-deb -f "$deb" Depends)"
# The roots made before the package exists (container, appliance image) install these libraries.
for library in $(dpkg-deb -f "$deb" Depends | tr ',|' '\n\n' | sed -n 's/^ *\(lib[^ ]*\).*/\1/p'); do
  case $library in libc6 | libgcc-s1 | libstdc++6) continue ;; esac
  grep -qx "$library" "$top/board/runtime-libraries" ||
    fail "the package depends on $library, which board/runtime-libraries does not list"
done
# The SNMP subagent is a package of its own: the daemon's carries none of it (the appliance roots
# need no libsnmp), the subagent's depends on this very daemon and on libsnmp, and its unit runs
# only with `snmp agentx` in the configuration.
snmp_deb=$(ls "$packages"/stratumd-snmp_*.deb 2>/dev/null || true)
[[ -n $snmp_deb ]] || fail "no stratumd-snmp package"
[[ ! -e $out/root/usr/sbin/stratumd-snmp && ! -e $out/root/lib/systemd/system/stratumd-snmp.service ]] ||
  fail "the stratumd package carries the SNMP subagent"
[[ $(dpkg-deb -f "$deb" Depends) != *libsnmp* ]] || fail "the stratumd package depends on libsnmp"
mkdir "$out/snmp"
dpkg-deb -x "$snmp_deb" "$out/snmp"
[[ -x $out/snmp/usr/sbin/stratumd-snmp && -f $out/snmp/usr/share/man/man8/stratumd-snmp.8.gz ]] ||
  fail "stratumd-snmp or its manual page missing from its package"
snmp_depends=$(dpkg-deb -f "$snmp_deb" Depends)
[[ $snmp_depends =~ stratumd\ \(=\ $(dpkg-deb -f "$deb" Version)\) && $snmp_depends =~ libsnmp[0-9]+ ]] ||
  fail "stratumd-snmp's Depends: $snmp_depends"
grep -qx 'ExecCondition=/usr/sbin/stratumd-snmp --enabled -c /etc/stratumd/ntp.conf' \
  "$out/snmp/lib/systemd/system/stratumd-snmp.service" || fail "stratumd-snmp.service has no ExecCondition"
grep -qx 'User=stratumd' "$out/snmp/lib/systemd/system/stratumd-snmp.service" || fail "stratumd-snmp.service runs as root"
if command -v lintian >/dev/null; then
  lintian "$snmp_deb" >"$out/lintian-snmp.txt" 2>&1 || true
  cat "$out/lintian-snmp.txt"
  grep -q "^E: " "$out/lintian-snmp.txt" && fail "lintian errors in stratumd-snmp"
fi
for field in Provides Conflicts Replaces; do
  [[ $(dpkg-deb -f "$deb" "$field") == time-daemon ]] || fail "$field is not time-daemon"
done
echo "PASS: $(basename "$deb") ($(du -k "$deb" | cut -f1) KiB): lintian clean of errors, layout, postinst order, conffile"
