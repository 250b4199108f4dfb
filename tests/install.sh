#!/usr/bin/env bash
# `cmake --install` into a staging root: the binaries, the systemd units with the prefix's paths
# filled in (their ExecStart names the installed binary; systemd-analyze verify finds it), the
# documentation and examples, and a starting configuration that loads — and that a second install
# leaves alone once the operator has edited it. The account the unit runs as, and its groups.
# Usage: tests/install.sh BUILD_DIR
set -euo pipefail
build=$1
dest=$(mktemp -d /tmp/stratumd-install.XXXXXX)
trap 'rm -rf "$dest"' EXIT
fail() { echo "FAIL: $*"; exit 1; }

DESTDIR=$dest cmake --install "$build" >"$dest.log" 2>&1 || { cat "$dest.log"; fail "install failed"; }
prefix=$(sed -n 's/^CMAKE_INSTALL_PREFIX:PATH=//p' "$build/CMakeCache.txt")
root=$dest$prefix
for f in sbin/stratumd bin/stratumctl; do [[ -x $root/$f ]] || fail "no executable $prefix/$f"; done
unit=$root/lib/systemd/system/stratumd.service
[[ -f $unit && -f $root/lib/systemd/system/stratumctl-console@.service ]] || fail "units not installed"
exec_start=$(sed -n 's/^ExecStart=\([^ ]*\).*/\1/p' "$unit")
[[ $exec_start == "$prefix/sbin/stratumd" && -x $dest$exec_start ]] || fail "ExecStart names $exec_start"
config=$(sed -n 's/^ExecStart=.* -c \([^ ]*\).*/\1/p' "$unit")
[[ -f $dest$config ]] || fail "the unit's configuration $config is not installed"
docs=$(sed -n 's|^Documentation=file://||p' "$unit")
[[ -f $dest$docs ]] || fail "the unit's documentation $docs is not installed"
grep -q '@[A-Z]*@' "$unit" && fail "a placeholder was left in the unit"
[[ -f $root/share/doc/stratumd/examples/raspberry-pi-gps-hat.conf ]] || fail "no examples"
for page in man8/stratumd.8 man1/stratumctl.1 man5/stratumd.conf.5; do
  [[ -f $root/share/man/$page ]] || fail "no manual page $page"
done
[[ -f $root/share/bash-completion/completions/stratumctl && -f $root/share/stratumd/grafana/stratumd.json &&
   -f $root/share/stratumd/prometheus/stratumd-alerts.yml ]] ||
  fail "no bash completion, Grafana dashboard or alerting rules"
if command -v systemd-analyze >/dev/null; then
  systemd-analyze verify --root="$dest" "${unit#"$dest"}" >"$dest.verify" 2>&1 || true
  grep -E "stratumd is not executable|Unknown (key|lvalue|section)|Failed to parse" "$dest.verify" &&
    fail "systemd-analyze verify: $(cat "$dest.verify")"
fi
# The unit's account, made by sysusers.d from the host's base accounts (dialout exists there), in
# the groups its receivers' devices belong to (udev rules); tmpfiles.d lets it save the config.
[[ -f $root/lib/udev/rules.d/60-stratumd.rules ]] || fail "no udev rules for PPS and GPIO devices"
user=$(sed -n 's/^User=//p' "$unit")
if command -v systemd-sysusers >/dev/null && command -v systemd-tmpfiles >/dev/null; then
  mkdir -p "$dest/etc"
  cp /etc/passwd /etc/group "$dest/etc/"
  systemd-sysusers --root="$dest" >"$dest.log" 2>&1 || fail "sysusers: $(cat "$dest.log")"
  grep -q "^$user:.*:/usr/sbin/nologin$" "$dest/etc/passwd" || fail "sysusers made no account $user"
  for group in $(sed -n 's/^SupplementaryGroups=//p' "$unit"); do
    grep -Eq "^$group:.*[:,]$user(,|$)" "$dest/etc/group" || fail "$user is not in $group"
  done
  systemd-tmpfiles --root="$dest" --create >"$dest.log" 2>&1 || fail "tmpfiles: $(cat "$dest.log")"
  config_group=$(sed -n "s/^$user:x:\([0-9]*\):.*/\1/p" "$dest/etc/group")
  [[ $(stat -c '%u %g %a' "$(dirname "$dest$config")") == "0 $config_group 775" ]] ||
    fail "the configuration directory is not root's with group $user: $(stat -c '%U %g %a' "$(dirname "$dest$config")")"
fi
# The starting configuration loads (no reference clock yet: a warning, not an error).
"$dest$exec_start" --check-config -c "$dest$config" >"$dest.check" 2>&1 || fail "the installed configuration: $(cat "$dest.check")"
grep -q "no reference clock" "$dest.check" || fail "the starting configuration should say it has no time source"
# An operator's edit survives a reinstall.
echo "server 127.127.28.0" >>"$dest$config"
DESTDIR=$dest cmake --install "$build" >"$dest.log" 2>&1 || fail "second install failed"
grep -qx "server 127.127.28.0" "$dest$config" || fail "a reinstall overwrote the operator's configuration"
rm -f "$dest.log" "$dest.verify" "$dest.check"
echo "PASS: install layout, units pointing at the installed files, starting configuration kept"
