# ntpd's SHM refclock (type 28) against a writer playing gpsd's side of the protocol, in a private
# IPC namespace: the daemon creates the segment, reads samples with the count/valid protocol,
# applies fudge time1, and serves time within 10 ms; a sample hours off is refused.
set -euo pipefail
if [[ -z ${STRATUMD_IN_IPC_NS:-} ]]; then
  STRATUMD_IN_IPC_NS=1 exec unshare --ipc bash "$0" "$@"
fi
source "$(dirname "$0")/lib.sh"

cat >"$work/ntp.conf" <<CONF
server 127.127.28.0 minpoll 4 prefer
fudge 127.127.28.0 time1 0.050 refid GPS
CONF
start_daemon -n -x -c "$work/ntp.conf"
start_shm_writer --delay 0.050
writer=$shm_writer
retry_until 10 grep -q attached "$work/writer.log" || fail "the writer found no segment: $(cat "$work/writer.log")"
wait_for_stratum_1 40

retry_until 15 served_within 0.01 || fail "not within 10 ms: $(cat "$work/ntpdig.json" "$work/ntpdig.err")"
probe query 127.0.0.1 | grep -q '"refid": "GPS"' || fail "refid is not the fudge refid"
ipcs -m | grep -qi '0x4e545030' || fail "no SHM segment with ntpd's key"

# A writer five hours off (a wrong date, a bad receiver): refused, said once, not served.
kill "$writer"
start_shm_writer --delay 0.050 --skew 18000
retry_until 10 grep -q 'more than time2' "$work/daemon.log" || fail "a sample 5 h off was not refused"
served_within 0.01 || fail "a sample 5 h off moved the served time"
echo "PASS: SHM refclock with gpsd's protocol, fudge time1/refid, far samples refused"
