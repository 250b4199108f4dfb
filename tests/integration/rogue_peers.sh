# No one outvotes the GPS. The attack: a host on the LAN calls in symmetric active mode (mode 1),
# unauthenticated, claiming stratum 1 and a clock 10 s ahead; before, it got an ephemeral passive
# association that alone made the "network majority", the GPS was marked a falseticker and the
# clock stepped +10 s. Now: with ntpd's default `enable auth` such a caller is refused outright;
# with `disable auth` two of them (two spoofed source addresses) are heard and followed by no one:
# fewer than `tos minsane` (3) independent sources can never overrule the reference clock. Either
# way the GPS keeps steering and clients keep the true time.
set -euo pipefail
if [[ -z ${STRATUMD_IN_IPC_NS:-} ]]; then
  STRATUMD_IN_IPC_NS=1 exec unshare --ipc bash "$0" "$@"
fi
source "$(dirname "$0")/lib.sh"
[[ -x ${NTPQ:-} ]] || cannot_run "NTPsec's ntpq was not unpacked"

start_shm_writer --delay 0.050
write_config() {  # extra lines
  cat >"$work/ntp.conf" <<CONF
server 127.127.28.0 minpoll 4 prefer
fudge 127.127.28.0 time1 0.050 refid GPS
interface ignore all
interface listen 127.0.0.1
$*
CONF
}
# Stratum 1 from the GPS, and the served time within 5 ms of this host's clock (which the SHM
# writer reports as the truth).
serves_true_time() {
  probe query 127.0.0.1 --timeout 0.5 >"$work/q.json" 2>/dev/null || return 1
  python3 -c 'import json, sys
r = json.load(open(sys.argv[1]))
assert r["stratum"] == 1 and r["refid"] == "GPS" and r["leap"] == 0 and abs(r["offset"]) < 0.005, r' \
    "$work/q.json" 2>/dev/null
}
rogue() { python3 "$here/rogue_peer.py" --bind "$1" --target 127.0.0.1 --ahead 10 & helper_pids+=($!); }

# 1. The default: an unauthenticated caller gets nothing.
write_config
start_daemon -n -x -c "$work/ntp.conf" --console-socket none
retry_until 40 serves_true_time || fail "the GPS did not serve stratum 1: $(cat "$work/q.json")"
rogue 127.0.0.5
retry_until 20 grep -q "symmetric peer 127.0.0.5 refused (not authenticated with a trusted key; enable auth)" \
  "$work/daemon.log" || fail "the unauthenticated caller was not refused"
grep -q "symmetric passive association" "$work/daemon.log" && fail "an unauthenticated caller got an association"
serves_true_time || fail "the time served moved: $(cat "$work/q.json")"
kill "${helper_pids[-1]}"
stop_daemon
echo "ok: refused by default"

# 2. `disable auth`: two rogue callers are heard, measured +10 s, and outvote no one.
write_config "disable auth"
start_daemon -n -x -c "$work/ntp.conf" --console-socket none
retry_until 40 serves_true_time || fail "the GPS did not serve stratum 1: $(cat "$work/q.json")"
rogue 127.0.0.5
rogue 127.0.0.6
# Each rogue measured at about +10 s and taking part in the selection (a tally code: its root
# distance is short enough once its clock filter holds a few samples). That is when the old code
# marked the GPS a falseticker.
rogues_measured() {
  "$NTPQ" -p -n 127.0.0.1 >"$work/peers" 2>&1 || return 1
  awk '$1 ~ /^[-+x#*o]127\.0\.0\.[56]$/ && $9 > 9000 && $9 < 11000 { n++ } END { exit n != 2 }' \
    "$work/peers"
}
retry_until 100 rogues_measured || fail "the rogue peers were not heard: $(cat "$work/peers")"
cat "$work/peers"
grep -q "falseticker" "$work/daemon.log" && fail "the rogues outvoted the GPS: $(grep falseticker "$work/daemon.log")"
grep -q "following peer" "$work/daemon.log" && fail "a rogue peer was followed"
serves_true_time || fail "the time served moved: $(cat "$work/q.json")"
echo "PASS: rogue symmetric peers are refused, or heard and outvote no one; the GPS keeps the time"
