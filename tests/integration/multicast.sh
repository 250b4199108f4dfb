# Multicast between two hosts (this namespace and a second one joined by a veth pair). The
# stratumd here has a simulated GPS, answers manycast requests to 239.1.1.1 and broadcasts to the
# group 224.0.1.1. A stratumd there with `manycastclient 239.1.1.1` discovers it and serves stratum
# 2 from it; then one with `multicastclient` (the default group 224.0.1.1) refuses the unsigned
# multicast broadcasts (`enable auth`, ntpd's default) and, with `disable auth`, follows them.
source "$(dirname "$0")/lib.sh"
make_second_host
ip route add 224.0.0.0/4 dev veth-a
ip netns exec "$peer_ns" ip route add 224.0.0.0/4 dev veth-b

cat >"$work/here.conf" <<'CONF'
manycastserver 239.1.1.1
broadcast 224.0.1.1 ttl 1 minpoll 3
CONF
start_daemon --simulate -n -x --console-socket none -c "$work/here.conf"
wait_for_stratum_1
grep -q "manycastserver: answering on 239.1.1.1" "$work/daemon.log" || fail "the group was not joined"

start_there() {
  printf '%s\n' "$1" >"$work/there.conf"
  ip netns exec "$peer_ns" "$STRATUMD" -n -x --console-socket none -c "$work/there.conf" \
    >"$work/there.log" 2>&1 &
  helper_pids+=($!)
}
stop_there() { kill "${helper_pids[-1]}"; wait "${helper_pids[-1]}" 2>/dev/null || true; }

start_there "manycastclient 239.1.1.1 iburst minpoll 3"
retry_until 60 second_host_serves_stratum_2 || fail "the manycast client never served stratum 2: $(cat "$work/there.json" "$work/there.log")"
grep -q "manycastclient 239.1.1.1: found server 10.77.0.1" "$work/there.log" ||
  fail "the server was not discovered: $(cat "$work/there.log")"
stop_there

# Unauthenticated broadcasts are refused under ntpd's default `enable auth`...
start_there "multicastclient"
retry_until 30 grep -q "broadcaster 10.77.0.1 refused (not authenticated with a trusted key; enable auth)" \
  "$work/there.log" || fail "an unauthenticated broadcaster was heard: $(cat "$work/there.log")"
stop_there
# ... and followed with `disable auth`.
start_there "multicastclient
disable auth"
retry_until 60 second_host_serves_stratum_2 || fail "the multicast client never served stratum 2: $(cat "$work/there.json" "$work/there.log")"
grep -q "multicastclient: listening to 224.0.1.1" "$work/there.log" || fail "the group was not joined there"
grep -q "following broadcast server 10.77.0.1" "$work/there.log" || fail "not following the broadcaster: $(cat "$work/there.log")"
stop_there
echo "PASS"
