# An upstream server: chronyd (`local stratum 3`, on 127.0.0.2) polled by stratumd with no
# reference clock. stratumd selects it and serves stratum 4 with its address as the refid; when
# chronyd stops, reach decays and after the holdover limit stratumd says unsynchronised.
source "$(dirname "$0")/lib.sh"
start_local_chronyd

cat >"$work/ntp.conf" <<'CONF'
server 127.0.0.2 iburst minpoll 3 maxpoll 3
interface ignore all
interface listen 127.0.0.1
holdover 5
CONF
start_daemon -n -x -c "$work/ntp.conf" --console-socket none

stratum_4_from_chronyd() {
  probe query 127.0.0.1 --timeout 0.5 >"$work/q.json" 2>/dev/null || return 1
  python3 -c 'import json, sys
r = json.load(open(sys.argv[1]))
assert r["stratum"] == 4 and r["refid"] == "\x7f\x00\x00\x02" and r["leap"] == 0, r  # refid: the address' "$work/q.json" 2>/dev/null
}
retry_until 80 stratum_4_from_chronyd || fail "never served stratum 4 from chronyd: $(cat "$work/q.json")"
cat "$work/q.json"
grep -q "following upstream server 127.0.0.2" "$work/daemon.log" || fail "no log of the system peer"
[[ -x ${NTPQ:-} ]] || cannot_run "NTPsec's ntpq is not at '${NTPQ:-}' (scripts/test unpacks it)"
# Right after its start chronyd announces a large root dispersion, and a selection pass may
# reject it for a poll or two: the system peer shows within a few polls.
system_peer_listed() {
  "$NTPQ" -pn 127.0.0.1 >"$work/peers.out" 2>&1 &&
    grep -Eq '^\*127\.0\.0\.2 +[^ ]+ +3 u ' "$work/peers.out"
}
retry_until 30 system_peer_listed || fail "ntpq -p does not show chronyd as the system peer: $(cat "$work/peers.out")"
cat "$work/peers.out"

kill "$chronyd_pid"
wait "$chronyd_pid" 2>/dev/null || true
unsynchronised() {
  probe query 127.0.0.1 --timeout 0.5 >"$work/q.json" 2>/dev/null || return 1
  grep -q '"leap": 3' "$work/q.json" && grep -q '"stratum": 0' "$work/q.json"
}
retry_until 90 unsynchronised || fail "still synchronised after chronyd stopped: $(cat "$work/q.json")"
grep -q "holdover" "$work/daemon.log" || fail "no holdover before giving up"
echo "PASS: chronyd as upstream: stratum 4, then unsynchronised after holdover when it stops"
