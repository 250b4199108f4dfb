# NMEA over a serial port with real termios: a pseudo-terminal plays the receiver, /dev/gps0
# points at it (inside a private mount namespace), and the daemon is configured exactly as an
# ntpd operator would: `server 127.127.20.0 mode 0x11` (RMC at 9600 baud) + `fudge … time2`.
# It must serve time within 100 ms of the writer's clock, and recover when the receiver is
# unplugged and plugged back in.
# A /dev of our own (private_dev.sh), where the writer links gps0.
source "$(dirname "$0")/private_dev.sh"
use_private_dev

source "$(dirname "$0")/lib.sh"

start_pty_receiver 0.200 0x11
start_daemon -n -x -c "$work/ntp.conf"
wait_for_stratum_1 40

retry_until 10 served_within 0.1 || fail "not serving within 100 ms of the receiver: $(cat "$work/ntpdig.json" "$work/ntpdig.err")"
probe query 127.0.0.1 >"$work/q.json"
grep -q '"refid": "GPS"' "$work/q.json" || fail "refid is not GPS: $(cat "$work/q.json")"

# Unplug and plug back in: the daemon notices, reopens, and carries on from the new port.
lines_before=$(grep -o 'nmea_lines=[0-9]*' "$work/daemon.log" | tail -n 1 | cut -d= -f2)
kill -USR1 "$writer_pid"
retry_until 10 grep -q '/dev/gps0: lost' "$work/daemon.log" || fail "the daemon did not notice the unplug"
retry_until 15 bash -c "[[ \$(grep -c '/dev/gps0: opened' '$work/daemon.log') -ge 2 ]]" || fail "the daemon did not reopen"
wait_for_status_field nmea_lines $((lines_before + 6)) 15 || fail "no sentences after the reopen"
retry_until 10 served_within 0.1 || fail "not serving within 100 ms after the reopen"
grep -E 'gps0|nmea' "$work/daemon.log" | grep -v state= | head -n 10
echo "PASS: NMEA over a pty with termios, ntpd-style config, within 100 ms, recovers from an unplug"
