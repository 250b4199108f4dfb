# The reference clock and the network together, as ntpd does it and one better: the GPS (an SHM
# refclock fed by a writer in a private IPC namespace) serves stratum 1; lost beyond holdover, the
# upstream server (chronyd, stratum 3) takes over at stratum 4; the GPS back, it wins again.
# --falseticker: a GPS one second off from the start is contradicted by three independent servers
# (tos minsane 3, the default), marked a falseticker and not served (tos sanity); once it is right
# again the mark clears and it serves stratum 1 again.
set -euo pipefail
if [[ -z ${STRATUMD_IN_IPC_NS:-} ]]; then
  STRATUMD_IN_IPC_NS=1 exec unshare --ipc bash "$0" "$@"
fi
source "$(dirname "$0")/lib.sh"

cat >"$work/ntp.conf" <<'CONF'
server 127.127.28.0 minpoll 4 prefer
fudge 127.127.28.0 time1 0.050 refid GPS
interface ignore all
interface listen 127.0.0.1
holdover 5
tos sanity 0.1
CONF
if [[ ${1:-} != --falseticker ]]; then
  start_local_chronyd 127.0.0.2 3
  echo "server 127.0.0.2 iburst minpoll 3 maxpoll 3" >>"$work/ntp.conf"
else
  # Stratum 1 each: three witnesses of their own (servers that follow the same upstream count once).
  for address in 127.0.0.2 127.0.0.3 127.0.0.4; do
    start_local_chronyd $address 1
    echo "server $address iburst minpoll 3 maxpoll 3" >>"$work/ntp.conf"
  done
fi
served() {  # $1: stratum, $2: refid (text, or an IPv4 address for stratum 2 and above)
  probe query 127.0.0.1 --timeout 0.5 >"$work/q.json" 2>/dev/null || return 1
  python3 -c 'import json, sys
r = json.load(open(sys.argv[1]))
want = sys.argv[3]
if want.count(".") == 3:
    want = "".join(chr(int(part)) for part in want.split("."))
assert r["stratum"] == int(sys.argv[2]) and r["refid"] == want and r["leap"] == 0, r' \
    "$work/q.json" "$1" "$2" 2>/dev/null
}

if [[ ${1:-} != --falseticker ]]; then
  start_daemon -n -x -c "$work/ntp.conf" --console-socket none
  start_shm_writer --delay 0.050
  writer=$shm_writer
  retry_until 40 served 1 GPS || fail "the GPS did not serve stratum 1: $(cat "$work/q.json")"
  # Wait until the network is reachable too, then take the GPS away.
  retry_until 60 grep -q "offset" <(python3 - <<'PY'
import socket
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM); s.settimeout(0.5)
s.sendto(bytes([0x23]) + bytes(47), ("127.0.0.2", 123))
r = s.recv(100)
print("offset" if r[0] & 0xC0 != 0xC0 else "unsynchronised")
PY
) || fail "chronyd never answered synchronised"
  kill "$writer"
  retry_until 60 served 4 127.0.0.2 || fail "the network did not take over at stratum 4: $(cat "$work/q.json")"
  grep -q "following upstream server 127.0.0.2" "$work/daemon.log" || fail "no log of the network taking over"
  start_shm_writer --delay 0.050
  retry_until 30 served 1 GPS || fail "the GPS did not win again: $(cat "$work/q.json")"
  grep -q "the reference clock is back" "$work/daemon.log" || fail "no log of the GPS returning"
  echo "PASS: GPS stratum 1; lost: network at stratum 4; back: GPS again"
else
  # A GPS a second off from the start: three independent servers outvote it.
  start_shm_writer --delay 0.050 --skew 1
  writer=$shm_writer
  start_daemon -n -x -c "$work/ntp.conf" --console-socket none
  retry_until 90 grep -q "disagrees with 3 independent network sources" "$work/daemon.log" ||
    fail "the wrong GPS was not caught"
  network_served() { served 2 127.0.0.2 || served 2 127.0.0.3 || served 2 127.0.0.4; }
  retry_until 30 network_served || fail "not serving the network's time: $(cat "$work/q.json")"
  # The receiver is right again: the disagreement is over, the mark clears, the GPS serves.
  kill "$writer"
  start_shm_writer --delay 0.050
  retry_until 60 grep -q "no longer a falseticker" "$work/daemon.log" ||
    fail "the mark did not clear when the GPS agreed again: $(grep -v state= "$work/daemon.log" | tail -5)"
  retry_until 30 served 1 GPS || fail "the GPS did not serve again: $(cat "$work/q.json")"
  echo "PASS: a GPS one second off is a falseticker, the network's time is served; right again, it serves"
fi
