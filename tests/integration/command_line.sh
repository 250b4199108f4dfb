# The command line: --version, --help, missing and broken config files, --check-config.
source "$(dirname "$0")/lib.sh"

"$STRATUMD" --version | grep -Eq '^stratumd [0-9]+\.[0-9]+\.[0-9]+$' || fail "--version"
"$STRATUMD" --help | grep -q -- '--simulate' || fail "--help does not list --simulate"

expect_exit() {  # expect_exit STATUS PATTERN ARGS...
  local want=$1 pattern=$2
  shift 2
  set +e
  "$STRATUMD" "$@" >"$work/out" 2>&1
  local got=$?
  set -e
  [[ $got -eq $want ]] || fail "stratumd $* exited $got, expected $want: $(cat "$work/out")"
  grep -q -- "$pattern" "$work/out" || fail "stratumd $* did not say '$pattern': $(cat "$work/out")"
}

expect_exit 1 "/nonexistent/ntp.conf: error: cannot read the configuration file" -c /nonexistent/ntp.conf -n --simulate
expect_exit 1 "/nonexistent/ntp.conf" --check-config -c /nonexistent/ntp.conf

printf 'driftfile /var/lib/ntp/drift\nmru maxdepth 8192\nsevrer 127.127.20.0\n' >"$work/bad.conf"
expect_exit 1 "$work/bad.conf:3: error: unknown directive 'sevrer'" --check-config -c "$work/bad.conf"
expect_exit 1 "$work/bad.conf:2: warning: 'mru' is not implemented yet" --check-config -c "$work/bad.conf"
# A config with errors never starts the daemon.
expect_exit 1 "has errors; not starting" -c "$work/bad.conf" -n --simulate --port 1123

printf 'server 127.127.20.0 mode 17\n' >"$work/nmea.conf"
expect_exit 0 "0 error(s)" --check-config -c "$work/nmea.conf"

# A chrony.conf is refused once, with ntp.conf lines for each chrony line that paste as they are:
# pasted into an ntp.conf, they pass the check without an error.
cat >"$work/chrony.conf" <<CONF
makestep 1 3
refclock SHM 0 refid GPS offset 0.42 delay 0.2
allow 192.168.0.0/16
deny 10.0.0.0/8
ratelimit interval 4 burst 8
local stratum 10
rtcsync
leapsectz right/UTC
bindaddress 127.0.0.1
logdir $work
CONF
expect_exit 1 "this is chrony.conf syntax" --check-config -c "$work/chrony.conf"
sed -n 's/^    //p' "$work/out" >"$work/pasted.conf"
grep -qx 'fudge 127.127.28.0 time1 0.42 refid GPS' "$work/pasted.conf" || fail "offset was not kept: $(cat "$work/out")"
[[ $(grep -cv '^#' "$work/pasted.conf") -ge 9 ]] || fail "too few lines to paste: $(cat "$work/pasted.conf")"
expect_exit 0 " 0 error(s)" --check-config -c "$work/pasted.conf"

# No time source: the simulated receiver is not started behind the operator's back. The check and
# the daemon say so in the same words, a warning both (when the reference clocks may have been in
# an include file that cannot be read, they say that too), and the daemon serves unsynchronised.
printf 'includefile %s/missing-gps.conf\ndriftfile %s/drift\n' "$work" "$work" >"$work/nogps.conf"
expect_exit 0 "warning: no reference clock and no network source (an includefile that cannot be read" \
  --check-config -c "$work/nogps.conf"
grep -q "0 error(s), 2 warning(s)" "$work/out" || fail "the check's count: $(cat "$work/out")"
grep -o 'warning: .*' "$work/out" | sort >"$work/check-warnings"
printf 'driftfile %s/drift\n' "$work" >"$work/empty.conf"
expect_exit 0 "warning: no reference clock and no network source" --check-config -c "$work/empty.conf"
start_daemon -c "$work/nogps.conf" -n -x --port 1123 --console-socket none
retry_until 10 grep -q "warning: no reference clock and no network source" \
  "$work/daemon.log" || fail "the daemon did not say why it serves unsynchronised"
grep -o 'warning: .*' "$work/daemon.log" | sort >"$work/daemon-warnings"
diff "$work/check-warnings" "$work/daemon-warnings" || fail "the check and the daemon do not say the same"
stop_daemon

# An expired leapfile (its hash made right) and a damaged one: the same warnings from both.
"$here/make_leapfile.py" "$(date -u -d 2017-04-01 +%s)" "$work/expired.list"
"$here/make_leapfile.py" "$(date -u -d 2017-04-01 +%s)" "$work/damaged.list" --damaged
for case in "expired.list:expired on 2017-04" "damaged.list:the #h hash does not match"; do
  leapfile=${case%%:*}
  printf 'server 127.127.28.0\nleapfile %s/%s\n' "$work" "$leapfile" >"$work/leap.conf"
  expect_exit 0 "0 error(s), [1-9] warning(s)" --check-config -c "$work/leap.conf"
  grep -o 'warning: .*' "$work/out" >"$work/check-warnings"
  grep -qF "warning: leapfile $work/$leapfile: ${case#*:}" "$work/check-warnings" ||
    fail "the check did not warn '${case#*:}': $(cat "$work/out")"
  start_daemon -c "$work/leap.conf" -n -x --port 1123 --console-socket none
  retry_until 10 grep -q "serving NTP" "$work/daemon.log" || fail "the daemon did not start"
  stop_daemon
  grep -o 'warning: .*leapfile.*' "$work/daemon.log" >"$work/daemon-warnings"
  diff "$work/check-warnings" "$work/daemon-warnings" || fail "$leapfile: the check and the daemon do not say the same"
done
start_daemon -c "$work/nogps.conf" -n -x --port 1123 --console-socket none
# Answered, and unsynchronised for as long as anyone looks (it never locks without a source).
retry_until 10 probe query 127.0.0.1 --port 1123 --timeout 0.5 >"$work/q.json" || fail "no answer"
python3 -c 'import json, sys; r = json.load(open(sys.argv[1])); assert r["leap"] == 3 and r["stratum"] == 0, r' \
  "$work/q.json" || fail "served something other than unsynchronised: $(cat "$work/q.json")"
grep -q "locked" "$work/daemon.log" && fail "locked with no time source: $(grep locked "$work/daemon.log")"
stop_daemon

# A relative console socket name is taken from the directory the daemon was started in.
mkdir "$work/started-here"
pushd "$work/started-here" >/dev/null
start_daemon --simulate -n -x --port 1123 --console-socket rel.sock
popd >/dev/null
retry_until 10 test -S "$work/started-here/rel.sock" || fail "no socket at $work/started-here/rel.sock: $(ls -la "$work/started-here")"
grep -qF "console on $work/started-here/rel.sock (stratumctl)" "$work/daemon.log" || fail "the log does not name the socket"
"$STRATUMCTL" --socket "$work/started-here/rel.sock" -c status | grep -q '^state:' || fail "no console on the relative socket"
stop_daemon

# A receiver that is not plugged in is not fatal: the daemon says so and keeps trying.
start_daemon -c "$work/nmea.conf" -n -x --port 1123
retry_until 10 grep -q '/dev/gps0: no such serial port' "$work/daemon.log" || fail "no message about the missing receiver"
kill -0 "$daemon_pid" || fail "the daemon exited over a missing receiver"
kill "$daemon_pid"
wait "$daemon_pid" || true
daemon_pid=

# Without -n the daemon forks (as ntpd does) and must still obey SIGHUP and SIGTERM: its signal
# descriptor is made after the fork (one made before reported to the parent, and only SIGKILL
# stopped the daemon).
printf 'logfile %s\n' "$work/background.log" >"$work/background.conf"
"$STRATUMD" --simulate -x -c "$work/background.conf" --port 1124 --console-socket none --quiet \
  -p "$work/stratumd.pid" || fail "the daemonising start failed"
background_pid() { pgrep -f -- "-c $work/background.conf"; }
retry_until 10 background_pid >/dev/null || fail "no daemon in the background"
bg_pid=$(background_pid)
helper_pids+=("$bg_pid")  # stopped at exit even when a check below fails
# ntpd's -p: the pidfile names the forked daemon (not the parent that exited), and goes with it.
retry_until 10 test -s "$work/stratumd.pid" || fail "no pidfile"
[[ $(cat "$work/stratumd.pid") == "$bg_pid" ]] || fail "the pidfile says $(cat "$work/stratumd.pid"), the daemon is $bg_pid"
retry_until 10 grep -q "reference:" "$work/background.log" || fail "the background daemon does not log: $(cat "$work/background.log")"
kill -HUP "$bg_pid"
retry_until 10 grep -q "reload of $work/background.conf" "$work/background.log" ||
  fail "SIGHUP did not reload the daemonised stratumd: $(cat "$work/background.log")"
kill -TERM "$bg_pid"
gone() { ! kill -0 "$bg_pid" 2>/dev/null; }
retry_until 10 gone || { kill -9 "$bg_pid"; fail "SIGTERM did not stop the daemonised stratumd"; }
[[ -e $work/stratumd.pid ]] && fail "the pidfile outlived the daemon"

# A PPS device that is not one, or a GPIO chip that does not exist: refused at start, with the line.
printf 'refclock pps unit 0 path /dev/null\n' >"$work/pps.conf"
expect_exit 1 "$work/pps.conf:1: PPS(0): /dev/null: not a PPS device" -c "$work/pps.conf" -n --port 1123
printf '\nrefclock gpio unit 0 path /dev/nonexistent-gpiochip line 18\n' >"$work/gpio.conf"
expect_exit 1 "$work/gpio.conf:2: GPIO_PPS(0): /dev/nonexistent-gpiochip: no such GPIO chip" -c "$work/gpio.conf" -n --port 1123
printf 'refclock dcd unit 0 path /dev/null\n' >"$work/dcd.conf"
expect_exit 1 "$work/dcd.conf:1: DCD_PPS(0): /dev/null: does not report modem-line (DCD) changes" -c "$work/dcd.conf" -n --port 1123
printf 'refclock gpio unit 0 line 18\n' >"$work/gpio-bad.conf"
expect_exit 1 "$work/gpio-bad.conf:1: error: refclock gpio needs 'path /dev/gpiochipN' and 'line N'" --check-config -c "$work/gpio-bad.conf"
printf 'server 127.127.20.0\nfudge 127.127.20.1 time2 0.3\nfudge 127.127.20.0 time3 1\n' >"$work/fudge.conf"
expect_exit 1 "$work/fudge.conf:2: error: fudge for 127.127.20.1, which no earlier" --check-config -c "$work/fudge.conf"
expect_exit 1 "$work/fudge.conf:3: error: unknown option 'time3'; valid: time1 time2" --check-config -c "$work/fudge.conf"

# The console unit's question: never the receiver's port (whatever link names it), never a port
# another program holds (gpsd); any other port is free.
: >"$work/ttyA"
: >"$work/ttyB"
ln -s "$work/ttyA" "$work/gps0"
printf 'refclock nmea unit 0 path %s\n' "$work/gps0" >"$work/console.conf"
expect_exit 1 "$work/ttyA is $work/gps0, the port of the reference clock at $work/console.conf:1: no console there" \
  --check-console-port "$work/ttyA" -c "$work/console.conf"
"$STRATUMD" --check-console-port "$work/ttyB" -c "$work/console.conf" >"$work/out" 2>&1 ||
  fail "a free port was refused for the console: $(cat "$work/out")"
sleep 60 3<"$work/ttyB" &
holder=$!
helper_pids+=($holder)
# Running as sleep means the redirection (done before exec) is in place.
holding() { [[ $(cat "/proc/$holder/comm" 2>/dev/null) == sleep ]]; }
retry_until 5 holding || fail "sleep never held $work/ttyB"
expect_exit 1 "$work/ttyB is held open by sleep (pid $holder): no console there" \
  --check-console-port "$work/ttyB" -c "$work/console.conf"
kill "$holder"

expect_exit 0 "0 error(s)" --check-config -c "$FIXTURE_DIR/configs/centos-ntp.conf"
cat "$work/out"
# The example configurations: config_agreement.sh (their devices may be missing on this host).
expect_exit 2 "must be between 1 and 65535" --port 0
expect_exit 2 "unrecognised option\|unrecognized option" --frobnicate
echo "PASS: command line and config checks"
