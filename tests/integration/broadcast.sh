# Broadcast mode between two hosts: this namespace and a second one joined by a veth pair. The
# stratumd here (simulated GPS) broadcasts to 10.77.0.255, signed with SHA-1 key 1; a listener on
# the other side receives mode-5 packets at stratum 1, transmit times within a millisecond of its
# clock and MACs that verify; then a stratumd there with `broadcastclient` calibrates the delay
# and serves stratum 2 from the broadcasts, and one holding a different key 1 refuses them.
source "$(dirname "$0")/lib.sh"

make_second_host
ns=$peer_ns
in_ns() { ip netns exec "$ns" "$@"; }

printf '1 SHA1 0123456789abcdef0123456789abcdef01234567\n' >"$work/keys"
printf '1 SHA1 fedcba9876543210fedcba9876543210fedcba98\n' >"$work/wrong.keys"
chmod 600 "$work/keys" "$work/wrong.keys"
cat >"$work/broadcaster.conf" <<CONF
keys $work/keys
trustedkey 1
broadcast 10.77.0.255 key 1 minpoll 3
CONF
start_daemon --simulate -n -x --console-socket none -c "$work/broadcaster.conf"
wait_for_stratum_1

in_ns python3 "$here/ntp_probe.py" listen 0.0.0.0 --count 2 --timeout 20 \
  --key-file "$work/keys" --key-id 1 >"$work/heard.json" 2>&1 || fail "no broadcast heard: $(cat "$work/heard.json")"
cat "$work/heard.json"
python3 - "$work/heard.json" <<'PY' || fail "the broadcasts are not right"
import json, sys
packets = [json.loads(line) for line in open(sys.argv[1])]
assert len(packets) == 2, packets
for p in packets:
    assert p["mode"] == 5 and p["stratum"] == 1 and p["leap"] != 3, p
    assert p["source"] == "10.77.0.1", p
    assert abs(p["transmit_minus_now"]) < 0.001, p
    assert p.get("key_id") == 1 and p.get("mac_valid") is True, p
assert packets[1]["transmit"] - packets[0]["transmit"] > 7, "minpoll 3: 8 s apart"
PY

# A stratumd broadcast client on the other host, with the same key.
client_conf() {
  cat >"$work/client-$1.conf" <<CONF
keys $work/$2
trustedkey 1
broadcastclient
CONF
}
client_conf good keys
ip netns exec "$ns" "$STRATUMD" -n -x --console-socket none -c "$work/client-good.conf" >"$work/client.log" 2>&1 &
helper_pids+=($!)
retry_until 60 second_host_serves_stratum_2 || fail "the broadcast client never served stratum 2: $(cat "$work/there.json" "$work/client.log")"
cat "$work/there.json"
grep -q "calibrated at" "$work/client.log" || fail "the client did not calibrate the delay: $(cat "$work/client.log")"
kill "${helper_pids[-1]}"
wait "${helper_pids[-1]}" 2>/dev/null || true

# The same client holding another key 1: every broadcast fails authentication.
client_conf wrong wrong.keys
ip netns exec "$ns" "$STRATUMD" -n -x --console-socket none -c "$work/client-wrong.conf" >"$work/client.log" 2>&1 &
helper_pids+=($!)
retry_until 30 grep -q "fails authentication" "$work/client.log" ||
  fail "a broadcast with a MAC under another key was not refused: $(cat "$work/client.log")"
in_ns python3 "$here/ntp_probe.py" query 127.0.0.1 --timeout 1 >"$work/client.json" || true
grep -q '"stratum": 2' "$work/client.json" && fail "the client followed an unauthenticated broadcaster: $(cat "$work/client.json" "$work/client.log")"
echo "PASS"
