# -u user[:group] (ntpd's): once the port, the receiver and the sockets are open, the daemon runs
# as that account, in every thread, with no capability left (with -x it steers nothing; steering
# the system clock it would keep CAP_SYS_TIME alone), and cannot gain any back; it goes on serving.
# A user that does not exist stops it at start with a message; a malformed -u is a usage error.
source "$(dirname "$0")/lib.sh"
nobody_uid=$(id -u nobody)

start_daemon --simulate -n -x -u nobody --console-socket none
wait_for_stratum_1
grep -q "running as nobody, with no capabilities" "$work/daemon.log" || fail "the switch was not logged"
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
