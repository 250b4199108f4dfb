# --replay feeds a captured receiver log through the NMEA reference clock at its original rate:
# the daemon locks to the log's time and serves it (here a u-blox MAX-M8Q capture from 2017).
source "$(dirname "$0")/lib.sh"
log_file=${SHARED_DIR:-}/testdata/nmea/ublox-8.log
[[ -f $log_file ]] || { echo "SKIP: $log_file not present"; exit 77; }

start_daemon -n -x --replay "$log_file"
retry_until 10 grep -q 'reference: the NMEA log' "$work/daemon.log" || fail "the replay did not start"
wait_for_stratum_1 40
probe query 127.0.0.1 >"$work/q.json"
python3 - "$work/q.json" <<'PY' || fail "not serving the log's time: $(cat "$work/q.json")"
import datetime, json, sys
r = json.load(open(sys.argv[1]))
served = datetime.datetime.fromtimestamp(r["transmit"], datetime.timezone.utc)
print("serving", served.isoformat(), "refid", r["refid"])
# The capture runs from 2017-01-10 00:09:41 for 72 s.
assert served.date() == datetime.date(2017, 1, 10), served
assert datetime.time(0, 9, 41) <= served.time() <= datetime.time(0, 11, 30), served
assert r["stratum"] == 1 and r["refid"] == "GPS", r
PY
echo "PASS: replayed ublox-8.log is served as time"
