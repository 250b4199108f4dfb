# --replay feeds a captured receiver log through the NMEA reference clock at its original rate:
# the daemon locks to the log's time and serves it (here a u-blox MAX-M8Q capture from 2017).
source "$(dirname "$0")/lib.sh"
# A u-blox MAX-M8Q capture from 2017 (72 s from 2017-01-10 00:09:41; gpsd's, tests/fixtures/gpsd-nmea).
log_file=$FIXTURE_DIR/gpsd-nmea/ublox-8.log
first=2017-01-10T00:09:41 last=2017-01-10T00:11:30

start_daemon -n -x --replay "$log_file"
retry_until 10 grep -q 'reference: the NMEA log' "$work/daemon.log" || fail "the replay did not start"
wait_for_stratum_1 40
probe query 127.0.0.1 >"$work/q.json"
python3 - "$work/q.json" "$first" "$last" <<'PY' || fail "not serving the log's time: $(cat "$work/q.json")"
import datetime, json, sys
r = json.load(open(sys.argv[1]))
served = datetime.datetime.fromtimestamp(r["transmit"], datetime.timezone.utc)
first, last = (datetime.datetime.fromisoformat(t).replace(tzinfo=datetime.timezone.utc) for t in sys.argv[2:4])
print("serving", served.isoformat(), "refid", r["refid"])
assert first <= served <= last, served
assert r["stratum"] == 1 and r["refid"] == "GPS", r
PY
echo "PASS: the replayed log $log_file is served as time"
