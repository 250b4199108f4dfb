#!/usr/bin/env bash
# The package as an operator gets it: installed into a clean Debian 12 root (board/container/
# make-root, made by scripts/setup --test), booted by systemd-nspawn with a network of its own,
# the daemon started by its unit at boot. It must come up active, answer NTP inside the container
# (unsynchronised: the packaged ntp.conf has no receiver), run as the account stratumd with no
# capability left (nspawn withholds CAP_SYS_TIME: the clock is not the container's to steer),
# under its own system call filter beside systemd's, and answer stratumctl; a reinstall while it runs
# restarts it, and dpkg -r stops it.
# Usage: tests/container_boot.sh BUILD_DIR PACKAGE_DIR
set -euo pipefail
source "$(dirname "$0")/cannot_run.sh"
build=$1
packages=$2
here=$(cd "$(dirname "$0")" && pwd)
template=$build/container-root
deb=$(ls "$packages"/stratumd_*.deb 2>/dev/null || true)
command -v systemd-nspawn >/dev/null || cannot_run "no systemd-nspawn (systemd-container)"
[[ -d $template ]] || cannot_run "no $template (scripts/setup --test makes it)"
[[ -n $deb ]] || { echo "FAIL: no package in $packages (static.debian_package builds it)"; exit 1; }

scratch=$(mktemp -d /tmp/stratumd-container.XXXXXX)
nspawn_pid=
cleanup() {
  if [[ -n $nspawn_pid ]] && kill -0 "$nspawn_pid" 2>/dev/null; then
    kill "$nspawn_pid"  # the container shuts down
    wait "$nspawn_pid" 2>/dev/null || true
  fi
  rm -rf --one-file-system "$scratch"
}
trap cleanup EXIT
fail() {
  echo "FAIL: $*"
  [[ -n ${init:-} ]] && in_container journalctl -b -u stratumd --no-pager 2>&1 | tail -n 30
  exit 1
}

started=$(date +%s.%N)
# The contents: the template may be a link to a cached root.
mkdir -p "$scratch/root"
cp -a "$template/." "$scratch/root"
cp "$deb" "$scratch/root/var/tmp/"  # not /tmp: the booted system mounts a tmpfs there
chroot "$scratch/root" dpkg -i "/var/tmp/$(basename "$deb")" >"$scratch/dpkg.log" 2>&1 ||
  fail "dpkg -i: $(cat "$scratch/dpkg.log")"

systemd-nspawn --quiet --directory="$scratch/root" --boot --private-network --register=no \
  --keep-unit --machine=stratumd-test >"$scratch/console.log" 2>&1 </dev/null &
nspawn_pid=$!
init=
for _ in $(seq 100); do
  # The container's PID 1 (nspawn's first child only forks it and goes).
  init=$(pgrep -P "$nspawn_pid" -x systemd | head -n 1 || true)
  [[ -n $init ]] && break
  sleep 0.1
done
[[ -n $init ]] || fail "the container did not start: $(cat "$scratch/console.log")"
in_container() { nsenter --target "$init" --all "$@"; }

active() { [[ $(in_container systemctl is-active stratumd 2>/dev/null) == active ]]; }
for _ in $(seq 300); do
  active && break
  kill -0 "$nspawn_pid" 2>/dev/null || fail "the container exited: $(tail -n 20 "$scratch/console.log")"
  sleep 0.2
done
active || fail "stratumd.service is $(in_container systemctl is-active stratumd) after 60 s"

# This host's client, in the container's network namespace (the container has no Python).
answer=$(nsenter --target "$init" --net python3 "$here/integration/ntp_probe.py" query 127.0.0.1 \
  --timeout 2) || fail "no NTP answer in the container"
ready=$(date +%s.%N)
grep -q '"stratum": 0,' <<<"$answer" || fail "served something other than unsynchronised: $answer"

main_pid=$(in_container systemctl show -P MainPID stratumd)
status=$(in_container cat "/proc/$main_pid/status")
uid=$(in_container id -u stratumd)
grep -Eq "^Uid:\s+$uid\s+$uid\s+$uid\s+$uid$" <<<"$status" || fail "not running as stratumd: $(grep Uid <<<"$status")"
grep -Eq "^CapEff:\s+0+$" <<<"$status" || fail "capabilities kept: $(grep Cap <<<"$status")"
grep -Eq "^NoNewPrivs:\s+1$" <<<"$status" || fail "may gain privileges"
in_container journalctl -b -u stratumd --no-pager >"$scratch/journal.txt" 2>&1
grep -q "system call filter on (-F 1)" "$scratch/journal.txt" || fail "its own filter is not on"
in_container stratumctl -c status >"$scratch/console.txt" 2>&1 || fail "stratumctl: $(cat "$scratch/console.txt")"

# Reinstalled over itself (dpkg's upgrade path) while it runs: debian/postinst restarts it, so the
# new programs serve. Removed: debian/prerm stops it before its programs go.
deb_inside=/var/tmp/$(basename "$deb")
in_container dpkg -i "$deb_inside" </dev/null >"$scratch/upgrade.log" 2>&1 || fail "dpkg -i again: $(cat "$scratch/upgrade.log")"
new_pid=$(in_container systemctl show -P MainPID stratumd)
[[ $new_pid != 0 && $new_pid != "$main_pid" ]] && active ||
  fail "not restarted by the upgrade (MainPID $main_pid -> $new_pid, $(in_container systemctl is-active stratumd))"
in_container dpkg -r stratumd </dev/null >"$scratch/remove.log" 2>&1 || fail "dpkg -r: $(cat "$scratch/remove.log")"
! in_container kill -0 "$new_pid" 2>/dev/null || fail "the daemon still runs after dpkg -r"
[[ $(in_container systemctl is-active stratumd 2>/dev/null) != active ]] || fail "still active after dpkg -r"

echo "boot to answering NTP: $(python3 -c "print(f'{$ready - $started:.1f}')") s (copy, dpkg -i, boot)"
echo "PASS: installed in a clean Debian 12 root and started by its unit: active, answering, as stratumd, no capabilities, filtered, stratumctl answers; restarted by an upgrade, stopped by dpkg -r"
