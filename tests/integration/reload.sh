# SIGHUP re-reads the configuration atomically: a changed restrict takes effect while the clock
# stays locked and the service never stops; a configuration with an error is refused with its
# file:line and leaves the running one in force.
source "$(dirname "$0")/lib.sh"

cat >"$work/ntp.conf" <<'CONF'
restrict 127.0.0.1
restrict 127.0.0.2
CONF
start_daemon --simulate -n -x -c "$work/ntp.conf"
wait_for_stratum_1
probe burst 127.0.0.1 --bind 127.0.0.2 --count 1 --timeout 1 | grep -q '"time"' || fail "127.0.0.2 not served at first"

# Ignore 127.0.0.2 from now on.
cat >"$work/ntp.conf" <<'CONF'
restrict 127.0.0.1
restrict 127.0.0.2 ignore
CONF
kill -HUP "$daemon_pid"
retry_until 10 grep -q "reload of $work/ntp.conf: applied; reference clocks unchanged" "$work/daemon.log" ||
  fail "the reload was not applied"
probe burst 127.0.0.1 --bind 127.0.0.2 --count 2 --timeout 0.5 >"$work/ignored.json"
[[ $(cat "$work/ignored.json") == '["none", "none"]' ]] || fail "127.0.0.2 still served after the reload: $(cat "$work/ignored.json")"
stratum_1_answered || fail "127.0.0.1 lost stratum 1 across the reload"
[[ $(grep -c "stepped the clock" "$work/daemon.log") == 1 ]] || fail "the reload stepped the clock again"

# A broken file: refused with its line; the running configuration (127.0.0.2 ignored) stays.
cat >"$work/ntp.conf" <<'CONF'
restrict 127.0.0.1
restrict 127.0.0.2 nosuchflag
CONF
kill -HUP "$daemon_pid"
retry_until 10 grep -q "reload of $work/ntp.conf refused: 1 error(s); still running the previous configuration" "$work/daemon.log" ||
  fail "the broken configuration was not refused"
grep -q "$work/ntp.conf:2: error: unknown restrict flag 'nosuchflag'" "$work/daemon.log" || fail "the error does not name its line"
probe burst 127.0.0.1 --bind 127.0.0.2 --count 1 --timeout 0.5 | grep -q '"none"' || fail "the refused reload changed the restrictions"
stratum_1_answered || fail "service stopped after a refused reload"
echo "PASS: SIGHUP applied a restrict change while locked; a broken file was refused with its line"
