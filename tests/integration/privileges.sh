# -u user[:group] (ntpd's): once the port, the receiver and the sockets are open, the daemon runs
# as that account, in every thread, with no capability left (with -x it steers nothing; steering
# the system clock it would keep CAP_SYS_TIME alone), and cannot gain any back; it goes on serving.
# A user that does not exist stops it at start with a message; a malformed -u is a usage error.
# Files root could write and the account cannot are named at start; the logfile root created is
# handed to the account, so a reopen (SIGHUP, after logrotate) still writes to it.
# Started as systemd's User= with AmbientCapabilities= starts it (no root at all), the daemon binds
# port 123 with CAP_NET_BIND_SERVICE and then lets go of every capability it no longer needs.
source "$(dirname "$0")/lib.sh"
nobody_uid=$(id -u nobody)

mkdir "$work/root-only"
cat >"$work/ntp.conf" <<CONF
logfile $work/messages.log
driftfile $work/root-only/drift
statsdir $work/root-only/
statistics loopstats
CONF
start_daemon --simulate -n -x -u nobody -c "$work/ntp.conf" --console-socket none
wait_for_stratum_1
grep -q "running as nobody, with no capabilities" "$work/daemon.log" || fail "the switch was not logged"
for dir in driftfile statsdir; do
  grep -Eq "as nobody: $work/ntp.conf: warning: $work/root-only/? is not writable: .*\\($dir\\)" \
    "$work/daemon.log" || fail "no warning that the $dir's directory is root's alone"
done
[[ $(stat -c %U "$work/messages.log") == nobody ]] || fail "the logfile was not handed to nobody"
mv "$work/messages.log" "$work/messages.log.1"
kill -HUP "$daemon_pid"
retry_until 10 grep -q "reload of $work/ntp.conf" "$work/messages.log" ||
  fail "after logrotate and SIGHUP the daemon does not write its new logfile"
for task in /proc/"$daemon_pid"/task/*; do
  status=$(cat "$task/status")
  grep -Eq "^Uid:\s+$nobody_uid\s+$nobody_uid\s+$nobody_uid\s+$nobody_uid$" <<<"$status" ||
    fail "thread ${task##*/} is not nobody: $(grep Uid <<<"$status")"
  grep -Eq "^CapEff:\s+0+$" <<<"$status" || fail "thread ${task##*/} kept capabilities: $(grep Cap <<<"$status")"
  grep -Eq "^CapPrm:\s+0+$" <<<"$status" || fail "thread ${task##*/} can regain capabilities"
  grep -Eq "^NoNewPrivs:\s+1$" <<<"$status" || fail "thread ${task##*/} may gain privileges"
done
probe query 127.0.0.1 >/dev/null || fail "not serving as nobody"
stop_daemon

# systemd's User=nobody with AmbientCapabilities=CAP_NET_BIND_SERVICE CAP_SYS_TIME.
setpriv --reuid=nobody --regid=nogroup --clear-groups --inh-caps=+net_bind_service,+sys_time \
  --ambient-caps=+net_bind_service,+sys_time "$STRATUMD" --simulate -n -x --console-socket none \
  >"$work/daemon.log" 2>&1 &
daemon_pid=$!
wait_for_stratum_1
grep -q "started with capabilities as an ordinary account, with no capabilities" "$work/daemon.log" ||
  fail "the capabilities were not let go"
for task in /proc/"$daemon_pid"/task/*; do
  [[ $(grep -Ec "^Cap(Eff|Prm|Amb|Inh):\s+0+$" "$task/status") -eq 4 ]] ||
    fail "thread ${task##*/} kept capabilities: $(grep Cap "$task/status")"
done
stop_daemon

# Root without -u stays root, as ntpd: nothing is dropped behind the operator's back.
"$stratumd_binary" --simulate -n -x --console-socket none >"$work/daemon.log" 2>&1 &
daemon_pid=$!
wait_for_stratum_1
grep -Eq "^CapEff:\s+0+$" "/proc/$daemon_pid/status" && fail "root without -u lost its capabilities"
grep -q "started with capabilities" "$work/daemon.log" && fail "root without -u called itself an ordinary account"
stop_daemon

set +e
"$STRATUMD" --simulate -n -x -u no-such-user-here --console-socket none >"$work/nouser.log" 2>&1
status=$?
"$STRATUMD" --simulate -n -x -u nobody: >"$work/usage.log" 2>&1
usage=$?
set -e
[[ $status -eq 1 ]] && grep -q "no user 'no-such-user-here'" "$work/nouser.log" ||
  fail "an unknown user did not stop the daemon with a message ($status): $(cat "$work/nouser.log")"
[[ $usage -eq 2 ]] && grep -q "takes user or user:group" "$work/usage.log" ||
  fail "a malformed -u is not a usage error ($usage): $(cat "$work/usage.log")"
echo "PASS: -u nobody: every thread nobody, no capabilities, no new privileges, still serving"
