# The NTPv4-MIB through Debian's snmpd: stratumd-snmp (AgentX subagent, unprivileged) beside the
# daemon; snmpwalk of 1.3.6.1.2.1.197 shows what `ntpq rv` and `ntpq -c as` show; the
# notifications reach a real snmptrapd (mode, stratum and system peer changing as the simulated
# receiver locks; a heartbeat; notRunning when the daemon stops); without `snmp agentx` the unit's
# condition says SNMP is off.
source "$(dirname "$0")/lib.sh"

snmp_agent=$(dirname "$stratumd_binary")/stratumd-snmp
[[ -x $snmp_agent ]] || fail "no $snmp_agent (the build makes it with STRATUMD_SNMP=ON)"
for tool in snmpd snmptrapd snmpwalk snmpget; do
  command -v "$tool" >/dev/null || [[ -x /usr/sbin/$tool ]] ||
    cannot_run "$tool is not installed (scripts/setup --test installs snmpd, snmptrapd and snmp)"
done
[[ -x ${NTPQ:-} ]] || cannot_run "NTPsec's ntpq is not at '${NTPQ:-}' (scripts/test unpacks it)"
PATH=$PATH:/usr/sbin

# Off without the directive: the unit's ExecCondition fails (1), saying so.
echo "server 127.127.28.0" >"$work/plain.conf"
set +e
"$snmp_agent" --enabled -c "$work/plain.conf" 2>"$work/enabled.err"
status=$?
set -e
[[ $status -eq 1 ]] || fail "--enabled without an snmp line exited $status, expected 1"
grep -q "no \`snmp agentx\` line: SNMP is off" "$work/enabled.err" || fail "--enabled said: $(cat "$work/enabled.err")"

socket=$work/agentx.sock
cat >"$work/ntp.conf" <<CONF
snmp agentx $socket heartbeat 3
CONF
"$snmp_agent" --enabled -c "$work/ntp.conf" || fail "--enabled with an snmp line did not exit 0"

# snmpd as AgentX master on a socket the unprivileged subagent may use; its notifications go to
# snmptrapd, which logs them with numeric OIDs.
cat >"$work/snmpd.conf" <<CONF
master agentx
agentXSocket $socket
agentXPerms 0666 0755
agentaddress udp:127.0.0.1:16161
rocommunity public 127.0.0.1
trap2sink 127.0.0.1:16162 public
CONF
cat >"$work/snmptrapd.conf" <<CONF
disableAuthorization yes
CONF
# Their persistent state stays in the test's directory, not the host's /var/lib/snmp.
export SNMP_PERSISTENT_DIR=$work/snmp-state
mkdir -p "$SNMP_PERSISTENT_DIR"
snmpd -f -C -c "$work/snmpd.conf" -M /dev/null -m "" -Lf "$work/snmpd.log" -p "$work/snmpd.pid" &
helper_pids+=($!)
snmptrapd -f -C -c "$work/snmptrapd.conf" -M /dev/null -m "" -On -Lf "$work/traps.log" \
  udp:127.0.0.1:16162 &
helper_pids+=($!)
retry_until 10 test -S "$socket" || fail "snmpd made no AgentX socket: $(cat "$work/snmpd.log")"

start_daemon --simulate -n -x -c "$work/ntp.conf" --console-socket none
retry_until 10 probe query 127.0.0.1 --timeout 0.5 >/dev/null || fail "the daemon never answered"
# The subagent as an account of its own, as under its unit.
setpriv --reuid=nobody --regid=nogroup --clear-groups "$snmp_agent" -c "$work/ntp.conf" \
  >"$work/agent.log" 2>&1 &
agent_pid=$!
helper_pids+=($agent_pid)

walk() { snmpwalk -v2c -c public -On -Oe -M /dev/null -m "" 127.0.0.1:16161 1.3.6.1.2.1.197 >"$work/walk.out" 2>&1; }
registered() { walk && grep -q '^\.1\.3\.6\.1\.2\.1\.197\.1\.1\.1\.0 = STRING: "stratumd"' "$work/walk.out"; }
retry_until 15 registered || fail "the MIB never appeared in snmpd: $(cat "$work/walk.out"; cat "$work/agent.log")"

get() { grep "^\.1\.3\.6\.1\.2\.1\.197\.$1 = " "$work/walk.out" | sed 's/^[^=]*= [A-Za-z0-9-]*: *//; s/^"//; s/"$//'; }
synchronised() { walk && [[ $(get 1.2.1.0) == 5 ]]; }
retry_until 30 synchronised || fail "ntpEntStatusCurrentMode never became syncToRefclock(5): $(cat "$work/walk.out")"
cat "$work/walk.out"
"$NTPQ" -c rv 127.0.0.1 >"$work/rv.out" 2>&1 || fail "ntpq -c rv failed"
"$NTPQ" -c as 127.0.0.1 >"$work/as.out" 2>&1 || fail "ntpq -c as failed"
cat "$work/rv.out" "$work/as.out"
rv() { tr ',' '\n' <"$work/rv.out" | sed -n "s/^ *$1=//p" | head -n 1 | tr -d '"'; }

# The same state as ntpq reads.
[[ $(get 1.2.2.0) == "$(rv stratum)" ]] || fail "ntpEntStatusStratum $(get 1.2.2.0), ntpq stratum $(rv stratum)"
[[ $(get 1.1.6.0) == "$(rv precision)" ]] || fail "ntpEntTimePrecision $(get 1.1.6.0), ntpq precision $(rv precision)"
[[ $(get 1.1.2.0) == "$(rv version)" ]] || fail "ntpEntSoftwareVersion '$(get 1.1.2.0)', ntpq version '$(rv version)'"
[[ $(get 1.1.5.0) == $((1 << -$(rv precision))) ]] || fail "ntpEntTimeResolution $(get 1.1.5.0) for precision $(rv precision)"
# The system peer: its association id as ntpq lists it, its name as the reference clock's.
peer_id=$(awk '$7 == "sys.peer" || $7 == "pps.peer" { print $2 }' "$work/as.out" | head -n 1)
[[ -n $peer_id ]] || fail "ntpq -c as shows no system peer"
[[ $(get 1.2.3.0) == "$peer_id" ]] || fail "ntpEntStatusActiveRefSourceId $(get 1.2.3.0), ntpq's system peer $peer_id"
[[ $(get 1.2.4.0) == "SIM_GPS(0)" ]] || fail "ntpEntStatusActiveRefSourceName '$(get 1.2.4.0)'"
[[ $(get "1.3.1.1.2.$peer_id") == "SIM_GPS(0)" ]] || fail "ntpAssocName.$peer_id '$(get "1.3.1.1.2.$peer_id")'"
[[ $(get "1.3.1.1.3.$peer_id") == PPS ]] || fail "ntpAssocRefId.$peer_id '$(get "1.3.1.1.3.$peer_id")'"
[[ $(get 1.2.6.0) == "$(grep -cE '^ *[0-9]+ +[0-9]+ ' "$work/as.out")" ]] ||
  fail "ntpEntStatusNumberOfRefSources $(get 1.2.6.0) against ntpq -c as"
# Offsets are read a second apart: equal to well within the simulated receiver's noise.
snmp_offset=$(get 1.2.5.0)
[[ $snmp_offset =~ ^-?[0-9.]+\ ms$ ]] || fail "ntpEntStatusActiveOffset '$snmp_offset' is not 'N ms'"
awk -v a="${snmp_offset% ms}" -v b="$(rv offset)" 'BEGIN { d = a - b; exit !(d < 0.1 && d > -0.1) }' ||
  fail "ntpEntStatusActiveOffset $snmp_offset, ntpq offset $(rv offset) ms"
[[ $(get 1.2.11.0) == 0 ]] || fail "ntpEntStatusLeapSecDirection $(get 1.2.11.0) with no leap announced"
grep -q '^\.1\.3\.6\.1\.2\.1\.197\.1\.2\.9\.0 = Hex-STRING: 00 00 00 00 ' "$work/walk.out" ||
  fail "ntpEntStatusDateTime is not a 16-byte NTP date in era 0"
# Packet counters move with the queries ntpq and the subagent made.
(($(get 1.2.12.0) > 0)) || fail "ntpEntStatusInPkts is $(get 1.2.12.0)"
(($(get 1.2.13.0) > 0)) || fail "ntpEntStatusOutPkts is $(get 1.2.13.0)"
# Read-only: a set is refused.
if snmpset -v2c -c public -M /dev/null -m "" 127.0.0.1:16161 1.3.6.1.2.1.197.1.2.2.0 u 3 >"$work/set.out" 2>&1; then
  fail "a set of ntpEntStatusStratum was accepted"
fi

# Notifications: the lock changed mode (2 -> 5), stratum (16 -> 1) and the system peer; a
# heartbeat every 3 s.
trap_seen() { grep -q "$1" "$work/traps.log"; }
for n in 1 2 3 8; do
  retry_until 10 trap_seen "\.1\.3\.6\.1\.6\.3\.1\.1\.4\.1\.0 = OID: \.1\.3\.6\.1\.2\.1\.197\.0\.$n\b" ||
    fail "no ntpEntNotif .0.$n reached snmptrapd: $(cat "$work/traps.log")"
done
grep -q '197\.1\.2\.1\.0 = INTEGER: 5' "$work/traps.log" || fail "the mode change did not carry syncToRefclock(5)"
grep -q 'stratum 16 -> 1' "$work/traps.log" || fail "the stratum change did not say 16 -> 1"

# The daemon goes away: notRunning, a mode change, and the subagent says why.
stop_daemon
stopped() { walk && [[ $(get 1.2.1.0) == 1 ]]; }
retry_until 10 stopped || fail "ntpEntStatusCurrentMode is not notRunning(1) with the daemon stopped"
retry_until 10 trap_seen '197\.1\.2\.1\.0 = INTEGER: 1' || fail "no mode change to notRunning(1)"
grep -q "the daemon is not answering" "$work/agent.log" || fail "the subagent did not say the daemon stopped: $(cat "$work/agent.log")"
kill "$agent_pid"
wait "$agent_pid" || fail "stratumd-snmp did not end cleanly on SIGTERM: $(cat "$work/agent.log")"
# Unprivileged, it writes nothing on the way out.
grep -q "Cannot\|failure" "$work/agent.log" && fail "stratumd-snmp complained: $(cat "$work/agent.log")"
echo PASS
