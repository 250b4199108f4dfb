# --check-config and the daemon agree: over every example configuration and the line shapes
# operators bring from ntpd (the LOCAL clock, drivers stratumd lacks, a PPS device that is not
# there, a logfile that cannot be written or is a planted link (warnings: the messages go to
# syslog), a receiver not plugged in, a second line for one server), a configuration the check
# passes starts the daemon, and one it refuses is refused by the daemon too.
set -euo pipefail
# The SHM clocks of the examples make gpsd's segments: in an IPC namespace of the test's own, so
# neither the host's gpsd nor its segments are touched.
private_ipc=1
source "$(dirname "$0")/lib.sh"

shapes=$work/shapes
mkdir -p "$shapes"
printf 'server 127.127.1.0\nfudge 127.127.1.0 stratum 10\nrestrict 127.0.0.1\n' >"$shapes/local-clock.conf"
printf 'server 127.127.8.0 mode 5\n' >"$shapes/parse-driver.conf"
printf 'server 127.127.30.0\n' >"$shapes/oncore-driver.conf"
printf 'server 127.127.22.0\nfudge 127.127.22.0 flag3 1\n' >"$shapes/pps-missing.conf"
printf 'refclock gpio unit 0 path /dev/no-such-gpiochip line 18\n' >"$shapes/gpio-missing.conf"
printf 'server 127.127.20.0 mode 17\nfudge 127.127.20.0 time2 0.1\n' >"$shapes/nmea-unplugged.conf"
printf 'server 127.127.28.0\nlogfile /no/such/dir/ntp.log\n' >"$shapes/logfile-unwritable.conf"
echo "not a log" >"$work/link-target"
ln -s "$work/link-target" "$shapes/planted.log"
printf 'server 127.127.28.0\nlogfile %s\n' "$shapes/planted.log" >"$shapes/logfile-link.conf"
printf 'server 127.0.0.2 iburst\nserver 127.0.0.2 prefer\n' >"$shapes/duplicate-server.conf"
printf 'server 127.127.28.0\nleapfile /no/such/leap-seconds.list\ndriftfile /no/such/dir/drift\n' >"$shapes/files-missing.conf"

checked=0
for conf in "$here"/../../configs/*.conf "$shapes"/*.conf; do
  name=$(basename "$conf")
  set +e
  "$STRATUMD" --check-config -c "$conf" >"$work/check.out" 2>&1
  check=$?
  set -e
  # Examples: nothing wrong with the file itself; only this host may lack a device.
  if [[ $conf == */configs/* ]] && grep -v "does not exist: the daemon would not start" "$work/check.out" | grep -q ": error:"; then
    fail "$name: the example has errors: $(cat "$work/check.out")"
  fi
  "$STRATUMD" -n -x --quiet --console-socket none -c "$conf" >"$work/daemon.log" 2>&1 &
  pid=$!
  started() { grep -q "serving NTP on UDP port" "$work/daemon.log" || ! kill -0 "$pid" 2>/dev/null; }
  retry_until 20 started || fail "$name: the daemon neither started nor exited"
  if grep -q "serving NTP on UDP port" "$work/daemon.log"; then daemon=0; else daemon=1; fi
  kill "$pid" 2>/dev/null || true
  wait "$pid" 2>/dev/null || true
  echo "$name: check-config exit $check, daemon $([[ $daemon == 0 ]] && echo started || echo refused)"
  if [[ $check == 0 && $daemon != 0 ]]; then
    fail "$name: --check-config passed but the daemon refused: $(tail -n 5 "$work/daemon.log")"
  fi
  if [[ $check != 0 && $daemon == 0 ]]; then
    fail "$name: --check-config refused but the daemon started: $(cat "$work/check.out")"
  fi
  checked=$((checked + 1))
done

# The findings say what and where.
"$STRATUMD" --check-config -c "$shapes/local-clock.conf" >"$work/out" 2>&1 || fail "the LOCAL clock is refused"
grep -q "local-clock.conf:1: warning: ntpd's LOCAL clock (127.127.1.U) is not used" "$work/out" || fail "no LOCAL clock note: $(cat "$work/out")"
"$STRATUMD" --check-config -c "$shapes/parse-driver.conf" >"$work/out" 2>&1 && fail "driver 8 passed the check"
grep -q "parse-driver.conf:1: error: ntpd's reference clock driver type 8 is not available" "$work/out" || fail "no driver 8 error: $(cat "$work/out")"
"$STRATUMD" --check-config -c "$shapes/pps-missing.conf" >"$work/out" 2>&1 && fail "a missing PPS device passed the check"
grep -q "pps-missing.conf:1: error: /dev/pps0 does not exist" "$work/out" || fail "no PPS device error: $(cat "$work/out")"
"$STRATUMD" --check-config -c "$shapes/nmea-unplugged.conf" >"$work/out" 2>&1 || fail "an unplugged receiver failed the check"
grep -q "nmea-unplugged.conf:1: warning: /dev/gps0 does not exist (yet)" "$work/out" || fail "no receiver warning: $(cat "$work/out")"
"$STRATUMD" --check-config -c "$shapes/files-missing.conf" >"$work/out" 2>&1 || fail "missing files failed the check"
grep -q "warning: leapfile /no/such/leap-seconds.list cannot be read" "$work/out" || fail "no leapfile warning"
grep -q "warning: /no/such/dir does not exist: the frequency will not be kept" "$work/out" || fail "no driftfile warning"
"$STRATUMD" --check-config -c "$shapes/duplicate-server.conf" >"$work/out" 2>&1 || fail "a duplicate line failed the check"
grep -q "duplicate-server.conf:2: warning: a second 'server 127.0.0.2' line (the first is at $shapes/duplicate-server.conf:1)" "$work/out" ||
  fail "no duplicate warning: $(cat "$work/out")"
echo "PASS: --check-config and the daemon agree on $checked configurations"
