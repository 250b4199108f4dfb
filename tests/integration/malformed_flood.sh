# A flood of malformed requests (short, wrong version, mode 7, bad extension fields, oversized)
# gets no reply, is counted, and the daemon keeps answering valid requests.
source "$(dirname "$0")/lib.sh"

start_daemon --simulate -n -x ${STRATUMD_IO:+--io=$STRATUMD_IO}
retry_until 10 probe query 127.0.0.1 --timeout 0.5 >/dev/null || fail "the daemon never answered"

probe flood 127.0.0.1 --rounds 200 >"$work/flood.json" || fail "malformed requests were answered: $(cat "$work/flood.json")"
cat "$work/flood.json"
sent=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["sent"])' "$work/flood.json")

# Each dropped packet is counted: the status line's "dropped" reaches the number sent.
wait_for_status_field dropped "$sent" 10 || fail "the daemon did not count $sent dropped requests"
grep 'dropped=' "$work/daemon.log" | tail -n 1

kill -0 "$daemon_pid" || fail "the daemon died under the flood"
probe query 127.0.0.1 >/dev/null || fail "no answer after the flood"
ntpdig 127.0.0.1 >/dev/null 2>&1 || retry_until 30 ntpdig 127.0.0.1 || fail "ntpdig gets no answer after the flood"
echo "PASS: $sent malformed requests dropped and counted; still serving"
