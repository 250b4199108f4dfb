# restrict and discard with ntpd's semantics against the running daemon: an ignored address gets
# nothing, a `limited kod` address gets its first answers then a RATE kiss, everyone else is
# served; each drop is counted.
source "$(dirname "$0")/lib.sh"

cat >"$work/ntp.conf" <<'CONF'
restrict default kod limited nomodify notrap nopeer noquery
restrict -6 default kod limited nomodify notrap nopeer noquery
restrict 127.0.0.1
restrict ::1
restrict 127.0.0.2 ignore
restrict 127.0.0.4 noserve
discard average 3 minimum 2
CONF
start_daemon --simulate -n -x -c "$work/ntp.conf" ${STRATUMD_IO:+--io=$STRATUMD_IO}
wait_for_stratum_1

# 127.0.0.1 is unrestricted: ten requests back to back, ten answers with time.
probe burst 127.0.0.1 --count 10 --timeout 1 >"$work/free.json"
grep -q '^\["time"\(, "time"\)\{9\}\]$' "$work/free.json" || fail "127.0.0.1 was not served every time: $(cat "$work/free.json")"

# 127.0.0.2 is ignored: nothing at all, not even a kiss.
probe burst 127.0.0.1 --bind 127.0.0.2 --count 3 --timeout 0.5 >"$work/ignored.json"
[[ $(cat "$work/ignored.json") == '["none", "none", "none"]' ]] || fail "127.0.0.2 (ignore) got answers: $(cat "$work/ignored.json")"

# 127.0.0.4 is noserve: no time.
probe burst 127.0.0.1 --bind 127.0.0.4 --count 2 --timeout 0.5 >"$work/noserve.json"
[[ $(cat "$work/noserve.json") == '["none", "none"]' ]] || fail "127.0.0.4 (noserve) got answers: $(cat "$work/noserve.json")"

# 127.0.0.3 falls under the default: limited kod. The first request is served; the next one,
# under the 2 s minimum, gets a RATE kiss; further ones within the interval get nothing.
probe burst 127.0.0.1 --bind 127.0.0.3 --count 5 --timeout 0.5 >"$work/limited.json"
[[ $(cat "$work/limited.json") == '["time", "kiss-RATE", "none", "none", "none"]' ]] ||
  fail "127.0.0.3 (limited kod) expected time, RATE, then silence: $(cat "$work/limited.json")"

# IPv6: ::1 unrestricted.
probe burst ::1 --count 3 --timeout 1 >"$work/v6.json"
[[ $(cat "$work/v6.json") == '["time", "time", "time"]' ]] || fail "::1 was not served: $(cat "$work/v6.json")"

# Counted: 5 restricted (3 ignore + 2 noserve), 3 rate limited, 1 kiss.
wait_for_status_field restricted 5 10 || fail "restricted drops not counted"
wait_for_status_field limited 3 10 || fail "rate-limited drops not counted"
wait_for_status_field kod 1 10 || fail "KoD not counted"
grep 'restricted=' "$work/daemon.log" | tail -n 1
echo "PASS: restrict ignore/noserve/limited kod and discard behave as ntpd's"
