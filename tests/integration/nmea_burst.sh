# A USB-style receiver on a pty: each second's sentences (RMC, GGA, ZDA) arrive in one write, or
# cut at random points into writes a millisecond apart, 200 ms after the second, configured the
# ntpd way (`server 127.127.20.0 mode 1`, `fudge … time2 0.200`), NMEA only. Back-dated at the
# line rate these stamps moved by up to ~200 ms with the cutting and the clock stepped back and
# forth; recognised as burst delivery they are stamped at the read: locked within 60 s, served
# within 20 ms of this host's clock, never stepped after the lock. --chunks: the cut variant.
# A /dev of our own (private_dev.sh), where the writer links gps0.
source "$(dirname "$0")/private_dev.sh"
use_private_dev

source "$(dirname "$0")/lib.sh"
burst=whole
[[ ${1:-} == --chunks ]] && burst=chunks

start_pty_receiver 0.200 1 --burst "$burst"
start_daemon -n -x -c "$work/ntp.conf"
wait_for_stratum_1 60
retry_until 10 served_within 0.020 || fail "not serving within 20 ms: $(cat "$work/ntpdig.json" "$work/ntpdig.err")"
retry_until 10 grep -q "nmea_stamps=at-read" "$work/daemon.log" || fail "burst delivery not recognised"
# A while locked: no step, and still within 20 ms.
locked_at=$(grep -n "locked" "$work/daemon.log" | head -n 1 | cut -d: -f1)
wait_for_status_field nmea_labels 40 60 || fail "labels stopped"
tail -n +"$locked_at" "$work/daemon.log" | grep -q "stepped" && fail "stepped after the lock: $(grep stepped "$work/daemon.log")"
served_within 0.020 || fail "drifted beyond 20 ms: $(cat "$work/ntpdig.json")"
echo "PASS: burst delivery ($burst) stamped at the read; locked, within 20 ms, no step after the lock"
