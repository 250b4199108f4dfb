# The classic ntpd + gpsd Raspberry Pi configuration, unchanged: gpsd's SHM unit 0 (the serial
# NMEA time, 150 ms late) numbers the kernel PPS (type 22, /dev/pps0 with ntpd's flag3), as ntpd
# numbers a type-22 pulse from its system peer. The pulse then steers: the time served is within
# a millisecond (the SHM alone would be 150 ms off), refid PPS. /dev/pps0 is fake_pps (this kernel has no PPS client drivers); the SHM
# writer plays gpsd's side of the protocol.
set -euo pipefail
if [[ -z ${STRATUMD_IN_IPC_NS:-} ]]; then
  STRATUMD_IN_IPC_NS=1 exec unshare --ipc bash "$0" "$@"
fi
source "$(dirname "$0")/private_dev.sh"
: >"$STRATUMD_DEVROOT/new/pps0"
use_private_dev
source "$(dirname "$0")/lib.sh"
: "${FAKE_PPS:?set FAKE_PPS to the fake PPS library}"

cat >"$work/ntp.conf" <<CONF
# gpsd: NMEA time over shared memory
server 127.127.28.0 minpoll 4
fudge 127.127.28.0 refid GPS
# kernel PPS (pps-gpio overlay)
server 127.127.22.0 minpoll 4 prefer
fudge 127.127.22.0 refid PPS flag3 1
CONF
"$STRATUMD" --check-config -c "$work/ntp.conf" >"$work/check.out" 2>&1 || fail "the Pi configuration fails the check: $(cat "$work/check.out")"
LD_PRELOAD=$FAKE_PPS STRATUMD_FAKE_PPS_PATH=/dev/pps0 start_daemon -n -x -c "$work/ntp.conf"
start_shm_writer --delay 0.150
retry_until 10 grep -q attached "$work/writer.log" || fail "the writer found no segment: $(cat "$work/writer.log")"
wait_for_stratum_1 40
retry_until 20 served_within 0.001 || fail "not within 1 ms of the PPS: $(cat "$work/ntpdig.json" "$work/ntpdig.err")"
probe query 127.0.0.1 | grep -q '"refid": "PPS"' || fail "the refid is not the PPS's"
grep -q "the PPS takes its seconds from .*SHM(0)" "$work/daemon.log" || fail "the numbering was not logged"

# Without the fake, /dev/pps0 is the plain file it is: refused at start, with the line.
stop_daemon
"$STRATUMD" -n -x --console-socket none -c "$work/ntp.conf" >"$work/plain.log" 2>&1 &&
  fail "a plain file passed for a PPS device"
grep -q "ntp.conf:5: PPS(0): /dev/pps0: not a PPS device" "$work/plain.log" || fail "no reason given: $(cat "$work/plain.log")"
echo "PASS: the ntpd+gpsd Pi configuration: SHM numbers the kernel PPS, served within 1 ms, refid PPS"
