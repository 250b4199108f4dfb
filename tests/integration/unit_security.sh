#!/usr/bin/env bash
# The systemd unit stays hardened: `systemd-analyze security` scores it offline (no systemd needed
# as PID 1) at 2.5 or better (Debian's chrony.service: 3.7), and the settings this daemon cannot
# run without are still there (clock_adjtime allowed, port 123 bindable, the state directory), and it
# never runs as root: its own account, with no capability beyond the three it starts with.
set -euo pipefail
source "$(dirname "$0")/../cannot_run.sh"
# The unit as configured for the build's prefix (board/systemd/stratumd.service.in).
unit=${STRATUMD_UNIT:?set STRATUMD_UNIT to the configured stratumd.service}
command -v systemd-analyze >/dev/null || cannot_run "no systemd-analyze"
systemd-analyze security --offline=true "$unit" | tail -n 1
systemd-analyze security --offline=true --threshold=25 "$unit" >/dev/null ||
  { echo "FAIL: exposure above 2.5"; exit 1; }
grep -qx 'SystemCallFilter=@system-service @clock seccomp' "$unit" ||
  { echo "FAIL: clock_adjtime, or the daemon's own filter (seccomp), not allowed"; exit 1; }
caps='CAP_SYS_TIME CAP_NET_BIND_SERVICE CAP_IPC_OWNER'
grep -qx "CapabilityBoundingSet=$caps" "$unit" || { echo "FAIL: capabilities"; exit 1; }
grep -qx "AmbientCapabilities=$caps" "$unit" || { echo "FAIL: an ordinary account cannot bind port 123"; exit 1; }
grep -qx 'User=stratumd' "$unit" || { echo "FAIL: not run as the stratumd account"; exit 1; }
grep -q '^StateDirectory=stratumd$' "$unit" || { echo "FAIL: no state directory for the drift file"; exit 1; }
grep -Eq '^ExecStart=.* -g ' "$unit" || { echo "FAIL: no -g (boards without an RTC)"; exit 1; }
# The SNMP subagent's unit, beside it: no capability at all, its own account, skipped without the
# `snmp` line.
snmp_unit=$(dirname "$unit")/stratumd-snmp.service
[[ -f $snmp_unit ]] || { echo "FAIL: no $snmp_unit (the build configures it)"; exit 1; }
systemd-analyze security --offline=true "$snmp_unit" | tail -n 1
systemd-analyze security --offline=true --threshold=25 "$snmp_unit" >/dev/null ||
  { echo "FAIL: stratumd-snmp.service's exposure above 2.5"; exit 1; }
grep -qx 'CapabilityBoundingSet=' "$snmp_unit" || { echo "FAIL: stratumd-snmp.service keeps capabilities"; exit 1; }
grep -qx 'User=stratumd' "$snmp_unit" || { echo "FAIL: stratumd-snmp.service not run as stratumd"; exit 1; }
grep -q '^ExecCondition=.*stratumd-snmp --enabled' "$snmp_unit" || { echo "FAIL: stratumd-snmp.service always runs"; exit 1; }
echo "PASS: the units are hardened (offline scores <= 2.5)"
