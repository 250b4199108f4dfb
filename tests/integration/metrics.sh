# Prometheus metrics from the running daemon: over HTTP (civetweb) at /metrics and as a
# node_exporter textfile, in the text exposition format, following the daemon's state and counters.
source "$(dirname "$0")/lib.sh"

cat >"$work/ntp.conf" <<CONF
metrics listen 127.0.0.1 textfile $work/stratumd.prom
leapfile /usr/share/zoneinfo/leap-seconds.list
CONF
start_daemon --simulate -n -x -c "$work/ntp.conf" --console-socket none
wait_for_stratum_1
probe burst 127.0.0.1 --count 5 --timeout 1 >/dev/null
scrape() { python3 -c 'import urllib.request, sys; sys.stdout.write(urllib.request.urlopen("http://127.0.0.1:10123/metrics", timeout=2).read().decode())'; }
answered_at_least() {
  scrape >"$work/metrics.txt" || return 1
  awk -v min="$1" '$1 == "stratumd_requests_total{outcome=\"answered\"}" && $2 >= min { found = 1 } END { exit !found }' "$work/metrics.txt"
}
retry_until 10 answered_at_least 5 || fail "the answered requests are not counted: $(cat "$work/metrics.txt")"
# The metrics follow the once-a-second tick, the NTP answers the lock at once: a scrape right after
# the lock may still show the second before it.
exported_stratum_1() { scrape >"$work/metrics.txt" && grep -qx 'stratumd_stratum 1' "$work/metrics.txt"; }
retry_until 5 exported_stratum_1 || true
grep -qx 'stratumd_stratum 1' "$work/metrics.txt" || fail "stratum 1 not exported"
grep -qx 'stratumd_state{state="locked"} 1' "$work/metrics.txt" || fail "the locked state not exported"
grep -qx 'stratumd_pps_present 1' "$work/metrics.txt" || fail "PPS presence not exported"
grep -Eq '^stratumd_gps_satellites_used [0-9]+$' "$work/metrics.txt" || fail "satellites not exported"
grep -qx 'stratumd_source_selected{source="127.127.20.0",name="SIM_GPS(0)",type="refclock"} 1' \
  "$work/metrics.txt" || fail "the reference clock's own series missing"
grep -q '^# TYPE stratumd_offset_seconds gauge$' "$work/metrics.txt" || fail "no TYPE line for the offset"
# Every sample line is NAME[{LABEL="VALUE",...}] NUMBER.
if grep -v '^#' "$work/metrics.txt" |
   grep -Ev '^[a-z_]+(\{[a-z_]+="[^"]*"(,[a-z_]+="[^"]*")*\})? -?[0-9][0-9.e+-]*$'; then
  fail "lines not in the exposition format"
fi
# The Grafana dashboard shipped in board/grafana draws only series the daemon exports.
python3 - "$here/../../board/grafana/stratumd.json" "$work/metrics.txt" <<'PY' || fail "the dashboard asks for series the daemon does not export"
import json, re, sys
dashboard = json.load(open(sys.argv[1]))
exported = {re.match(r"[a-z_]+", line).group(0) for line in open(sys.argv[2]) if not line.startswith("#")}
wanted = {name for panel in dashboard["panels"] for target in panel["targets"]
          for name in re.findall(r"stratumd_[a-z_]+", target["expr"])}
missing = sorted(wanted - exported)
print("dashboard: %d series, all exported" % len(wanted) if not missing else "missing: %s" % missing)
sys.exit(1 if missing or len(wanted) < 10 else 0)
PY
retry_until 20 test -s "$work/stratumd.prom" || fail "no textfile"
grep -q '^stratumd_frequency_adjustment_ratio ' "$work/stratumd.prom" || fail "the textfile lacks the frequency"
grep -q '^stratumd_build_info{version="[0-9.]*"} 1$' "$work/stratumd.prom" || fail "the textfile lacks build_info"
# Clients that send half a request and wait (four held /metrics for 60 s before): the scrape is
# still answered, at once.
python3 - <<'PY' || fail "half-sent requests starve the metrics"
import socket, time, urllib.request
held = []
for _ in range(6):
    s = socket.create_connection(("127.0.0.1", 10123))
    s.sendall(b"GET /metrics HTTP/1.1\r\nHost: x\r\n")  # no blank line: never complete
    held.append(s)
start = time.time()
body = urllib.request.urlopen("http://127.0.0.1:10123/metrics", timeout=5).read().decode()
took = time.time() - start
print(f"scraped in {took:.3f} s with {len(held)} half-sent requests open")
assert "stratumd_stratum" in body and took < 1.0, took
PY
echo "PASS: metrics over HTTP and as a textfile"
