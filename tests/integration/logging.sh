# Logging as ntpd's operators configure it: `logfile` with `logconfig` classes, and syslog (the
# daemon's messages at /dev/log, here a listener of the test's own in a private mount namespace)
# filtered the same way. Standard error in the foreground keeps everything.
# A /dev of our own (private_dev.sh), `log` pointing at the test's syslog listener.
source "$(dirname "$0")/private_dev.sh"
rm -f "$STRATUMD_DEVROOT/new/log"
ln -s "$STRATUMD_DEVROOT/syslog.sock" "$STRATUMD_DEVROOT/new/log"
use_private_dev

source "$(dirname "$0")/lib.sh"

python3 - "$STRATUMD_DEVROOT/syslog.sock" "$work/syslog.txt" <<'PY' &
import socket, sys
s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
s.bind(sys.argv[1])
with open(sys.argv[2], "a") as out:
    print("listening", file=out, flush=True)
    while True:
        out.write(s.recv(65536).decode(errors="replace") + "\n")
        out.flush()
PY
helper_pids+=($!)
retry_until 5 grep -q listening "$work/syslog.txt" || fail "the syslog listener did not start"

# 1. logfile with only the discipline (sync) and the daemon's events (sys).
cat >"$work/file.conf" <<CONF
logfile $work/ntp.log
logconfig =syncall +sysevents
CONF
start_daemon --simulate -n -x -c "$work/file.conf"
wait_for_stratum_1
retry_until 20 grep -q "NMEA delay learnt" "$work/daemon.log" || fail "no clock message on stderr"
grep -Eq '^[0-9]{2} [A-Z][a-z]{2} [0-9:]{8} stratumd\[[0-9]+\]: locked \(' "$work/ntp.log" ||
  fail "the sync message is not in the logfile: $(cat "$work/ntp.log")"
grep -q "reference: the simulated" "$work/ntp.log" || fail "the sys message is not in the logfile"
grep -q "NMEA delay learnt" "$work/ntp.log" && fail "a clock message passed logconfig =syncall +sysevents"
grep -q "stratumd" "$work/syslog.txt" && fail "with a logfile nothing goes to syslog"
stop_daemon

# 2. syslog with only the reference clocks' messages.
printf 'logconfig =clockall\n' >"$work/syslog.conf"
start_daemon --simulate -n -x -c "$work/syslog.conf"
wait_for_stratum_1
retry_until 20 grep -q "NMEA delay learnt" "$work/syslog.txt" || fail "the clock message did not reach syslog"
grep -Eq '^<29>.*stratumd\[[0-9]+\]: NMEA delay learnt' "$work/syslog.txt" ||
  fail "not a daemon.notice syslog message: $(tail -n 3 "$work/syslog.txt")"
grep -q "locked (" "$work/syslog.txt" && fail "a sync message passed logconfig =clockall"
grep -q "locked (" "$work/daemon.log" || fail "standard error lost the sync message"
echo "PASS: logfile and syslog follow logconfig"
