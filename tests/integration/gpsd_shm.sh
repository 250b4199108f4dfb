# gpsd for real, through its shared memory: gpsd reads a receiver over TCP and fills ntpd's SHM
# segment 0 (key 0x4E545030); stratumd, configured as `server 127.127.28.0` + `fudge … time1`,
# reads it and serves the receiver's time. (gpsd leaves SHM alone for pseudo-terminal sources
# such as gpsfake's, hence the TCP receiver.) Runs in its own IPC and network namespaces.
set -euo pipefail
if [[ -z ${STRATUMD_IN_IPC_NS:-} ]]; then
  STRATUMD_IN_IPC_NS=1 exec unshare --ipc bash "$0" "$@"
fi
source "$(dirname "$0")/lib.sh"
command -v gpsd >/dev/null || cannot_run "gpsd not installed"

start_tcp_receiver 0.100

cat >"$work/ntp.conf" <<CONF
server 127.127.28.0 minpoll 4 prefer
fudge 127.127.28.0 time1 0.100 refid GPS
CONF
start_daemon -n -x -c "$work/ntp.conf"
# gpsd in the foreground, polling at once.
start_helper_group gpsd -N -n -S 2948 tcp://127.0.0.1:5000
wait_for_stratum_1 60
retry_until 20 served_within 0.05 || fail "not within 50 ms of the receiver through gpsd's SHM: $(cat "$work/ntpdig.json")"
ipcs -m | grep -qi '0x4e545030' || fail "no SHM segment with ntpd's key"
echo "PASS: gpsd's SHM segment read as ntpd's type 28"
