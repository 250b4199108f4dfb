# When port 123 is taken (chronyd or ntpd running), stratumd says so and what to do, and exits.
source "$(dirname "$0")/lib.sh"

python3 -c '
import signal, socket
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.bind(("0.0.0.0", 123))
print("bound", flush=True)
signal.pause()
' >"$work/holder.out" &
holder=$!
helper_pids+=($holder)
retry_until 5 grep -q bound "$work/holder.out" || fail "could not occupy port 123 for the test"

set +e
timeout 20 "$STRATUMD" --simulate -n -x >"$work/daemon.log" 2>&1
status=$?
set -e
cat "$work/daemon.log"
[[ $status -eq 1 ]] || fail "expected exit status 1 with the port taken, got $status"
grep -q 'port 123 (IPv4) is already in use' "$work/daemon.log" || fail "the message does not say the port is in use"
grep -q -- '--port' "$work/daemon.log" || fail "the message does not say what to do"

# A second stratumd under the same user: SO_REUSEPORT would let it share the port silently.
kill "$holder"
wait "$holder" 2>/dev/null || true
start_daemon --simulate -n -x --console-socket none
retry_until 10 probe query 127.0.0.1 --timeout 0.5 >/dev/null || fail "the first daemon never answered"
set +e
timeout 20 "$STRATUMD" --simulate -n -x --console-socket none >"$work/second.log" 2>&1
status=$?
set -e
cat "$work/second.log"
[[ $status -eq 1 ]] || fail "a second stratumd started on the same port (status $status)"
grep -q 'port 123 (IPv4) is already in use' "$work/second.log" || fail "the second daemon does not say the port is in use"
echo "PASS: a taken port is reported with a remedy, also when another stratumd holds it"
