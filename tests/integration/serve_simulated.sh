# stratumd --simulate -n serves stratum 1 to real clients (ntpdig, ntpdate) on IPv4 and IPv6,
# answers "unsynchronised" before it locks, and echoes the client's version.
source "$(dirname "$0")/lib.sh"

started=$(date +%s.%N)
start_daemon --simulate -n -x ${STRATUMD_IO:+--io=$STRATUMD_IO}

# The first answer comes long before a lock is possible (that needs five labelled PPS seconds):
# it must say unsynchronised with a kiss code, never stratum 1.
retry_until 10 probe query 127.0.0.1 --timeout 0.5 >"$work/first.json" || fail "no answer at all"
python3 - "$work/first.json" <<'PY' || fail "the first, pre-lock answer is wrong: $(cat "$work/first.json")"
import json, sys
r = json.load(open(sys.argv[1]))
assert r["mode"] == 4 and r["origin_matches"], r
assert r["leap"] == 3 and r["stratum"] == 0 and r["refid"] in ("INIT", "STEP"), r
PY

# As soon as it serves stratum 1: no later than the README says.
wait_for_stratum_1 30
took=$(awk -v a="$started" -v b="$(date +%s.%N)" 'BEGIN { printf "%.1f", b - a }')
promised=$(sed -n 's/.*stratum 1 within \([0-9]*\) seconds of its start.*/\1/p' "$here/../../README.md")
[[ -n $promised ]] || fail "the README no longer says how soon --simulate serves stratum 1"
echo "stratum 1 served $took s after the start; the README says within $promised s"
awk -v t="$took" -v p="$promised" 'BEGIN { exit !(t <= p) }' || fail "stratum 1 took $took s, the README says within $promised s"

# ntpdig reports stratum 1 within 30 s.
ntpdig_says_stratum_1() {
  ntpdig -j "$1" >"$work/ntpdig.json" 2>"$work/ntpdig.err" && grep -q '"stratum":1' "$work/ntpdig.json"
}
retry_until 30 ntpdig_says_stratum_1 127.0.0.1 || fail "ntpdig never saw stratum 1: $(cat "$work/ntpdig.json" "$work/ntpdig.err")"
cat "$work/ntpdig.json"
# The virtual clock is disciplined to the simulated receiver, whose truth is this host's
# realtime clock: the client on the same host must see (almost) no offset.
python3 - "$work/ntpdig.json" <<'PY' || fail "ntpdig offset out of bounds: $(cat "$work/ntpdig.json")"
import json, sys
r = json.load(open(sys.argv[1]))
assert r["stratum"] == 1 and r["leap"] == "no-leap", r
# ntpdig's "precision" is its synchronisation distance, half the round trip and more: the offset
# it measured is only known to within that (a loaded machine stretches the round trip).
assert abs(r["offset"]) < 1e-3 + r["precision"] and r["precision"] < 0.01, r
PY

retry_until 5 ntpdig_says_stratum_1 ::1 || fail "no stratum-1 answer over IPv6: $(cat "$work/ntpdig.err")"
cat "$work/ntpdig.json"

ntpdate -q 127.0.0.1 >"$work/ntpdate.out" 2>&1 || fail "ntpdate -q rejected the server: $(cat "$work/ntpdate.out")"
grep -q ' s1 ' "$work/ntpdate.out" || fail "ntpdate did not report stratum 1: $(cat "$work/ntpdate.out")"
cat "$work/ntpdate.out"

# Every protocol version is answered in kind, with the fields a stratum-1 server must send.
for version in 1 2 3 4; do
  probe query 127.0.0.1 --version "$version" >"$work/v$version.json" || fail "no answer to NTPv$version"
  python3 - "$work/v$version.json" "$version" <<'PY' || fail "bad answer to NTPv$version: $(cat "$work/v$version.json")"
import json, sys, time
r, version = json.load(open(sys.argv[1])), int(sys.argv[2])
assert r["version"] == version and r["mode"] == 4 and r["origin_matches"], r
assert r["stratum"] == 1 and r["leap"] == 0 and r["refid"] == "PPS", r
assert -30 < r["precision"] < -10, r
assert r["receive"] <= r["transmit"] < r["receive"] + 0.01, r
assert abs(r["reference"] - time.time()) < 3, r
assert r["root_delay"] == 0 and 0 < r["root_dispersion"] < 0.001, r
# An offset is only known to within half the round-trip delay (a loaded machine stretches it).
assert abs(r["offset"]) < 1e-3 + r["delay"] / 2 and r["delay"] < 0.01, r
PY
done
# libgps and what it drags in (libdbus, libsystemd, libgcrypt …) are loaded only for a gpsd
# reference clock.
for library in libgps libdbus libsystemd; do
  ! grep -q "/$library[.-]" "/proc/$daemon_pid/maps" || fail "$library is loaded with no gpsd reference clock"
done
echo "PASS: serves stratum 1 (IPv4, IPv6, NTPv1-4; unsynchronised before lock); libgps not loaded"
