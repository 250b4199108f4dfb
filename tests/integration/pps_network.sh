# A PPS with no receiver of its own, numbered by the network (ntpd's type 22 taking its seconds
# from a network system peer, chrony's PPS without `lock`): the upstream server (chronyd) steers
# the clock first; once its majority agrees with the clock to within 0.1 s, the pulse is numbered
# from the clock and steers: stratum 1, refid PPS, within a millisecond. Without a server line the
# same pulse is not used. /dev/pps0 is fake_pps (this kernel has no PPS client drivers).
source "$(dirname "$0")/private_dev.sh"
: >"$STRATUMD_DEVROOT/new/pps0"
use_private_dev
source "$(dirname "$0")/lib.sh"
: "${FAKE_PPS:?set FAKE_PPS to the fake PPS library}"

cat >"$work/pps-only.conf" <<CONF
server 127.127.22.0 minpoll 4
fudge 127.127.22.0 refid PPS
CONF
LD_PRELOAD=$FAKE_PPS STRATUMD_FAKE_PPS_PATH=/dev/pps0 start_daemon -n -x -c "$work/pps-only.conf"
retry_until 10 grep -q "note: a PPS with nothing to number its seconds" "$work/daemon.log" ||
  fail "a PPS alone was not said to be unused"
probe query 127.0.0.1 --timeout 0.5 | grep -q '"stratum": 0,' || fail "a PPS alone was served"
stop_daemon

start_local_chronyd 127.0.0.2 1
cat >"$work/ntp.conf" <<CONF
server 127.127.22.0 minpoll 4
fudge 127.127.22.0 refid PPS
server 127.0.0.2 iburst minpoll 3 maxpoll 3
interface ignore all
interface listen 127.0.0.1
CONF
"$STRATUMD" --check-config -c "$work/ntp.conf" >"$work/check.out" 2>&1 || fail "the check failed: $(cat "$work/check.out")"
LD_PRELOAD=$FAKE_PPS STRATUMD_FAKE_PPS_PATH=/dev/pps0 start_daemon -n -x -c "$work/ntp.conf"
retry_until 10 grep -q "takes them from the clock while the network servers agree" "$work/daemon.log" ||
  fail "the start did not say how the PPS is numbered"
retry_until 60 grep -q "the PPS takes its seconds from the clock" "$work/daemon.log" ||
  fail "the network never numbered the PPS: $(grep -v state= "$work/daemon.log" | tail -20)"
pps_served() { probe query 127.0.0.1 --timeout 0.5 2>/dev/null | grep -q '"refid": "PPS"'; }
retry_until 60 pps_served || fail "the PPS never steered: $(probe query 127.0.0.1 --timeout 0.5)"
wait_for_stratum_1 10
retry_until 30 served_within 0.001 || fail "not within 1 ms of the PPS: $(cat "$work/ntpdig.json" "$work/ntpdig.err")"
echo "PASS: a PPS numbered by the network: unused alone, numbered once the server agrees, stratum 1 within 1 ms, refid PPS"
