# The metrics as Prometheus itself takes them: promtool lints the exposition text (its own parser,
# its naming rules), a real Prometheus server scrapes the daemon and answers every expression of
# the Grafana dashboard, counters only through rate() or increase(), and evaluates the example
# alert rules: a leapfile that expires in ten days makes StratumdLeapfileExpiresSoon pending.
# The rules' own timing is unit-tested by promtool (tests/prometheus).
source "$(dirname "$0")/lib.sh"
[[ -x ${PROMTOOL:-} && -x ${PROMETHEUS:-} ]] ||
  cannot_run "Prometheus and promtool are not at '${PROMETHEUS:-}', '${PROMTOOL:-}' (scripts/test unpacks them)"
top=$here/../..

(cd "$top/tests/prometheus" && "$PROMTOOL" test rules stratumd-alerts-test.yml) || fail "promtool test rules"

expires=$(($(date +%s) + 10 * 86400))
"$here/make_leapfile.py" "$expires" "$work/leap-seconds.list"
cat >"$work/ntp.conf" <<CONF
leapfile $work/leap-seconds.list
metrics listen 127.0.0.1
CONF
start_daemon --simulate -n -x -c "$work/ntp.conf" --console-socket none
wait_for_stratum_1
scrape() { python3 -c 'import urllib.request, sys; sys.stdout.write(urllib.request.urlopen("http://127.0.0.1:10123/metrics", timeout=2).read().decode())'; }
exported_leapfile() { scrape >"$work/metrics.txt" && grep -q '^stratumd_leapfile_expiry_seconds ' "$work/metrics.txt"; }
retry_until 5 exported_leapfile || fail "no leapfile expiry exported: $(cat "$work/metrics.txt")"
"$PROMTOOL" check metrics <"$work/metrics.txt" >"$work/lint.out" 2>&1 || fail "promtool check metrics: $(cat "$work/lint.out")"
[[ ! -s $work/lint.out ]] || fail "promtool check metrics: $(cat "$work/lint.out")"
left=$(awk '$1 == "stratumd_leapfile_expiry_seconds" { print $2 }' "$work/metrics.txt")
python3 -c "import sys; left = float(sys.argv[1]); assert 10 * 86400 - 60 < left <= 10 * 86400, left" "$left" ||
  fail "the leapfile expires in $left s, not ten days"

mkdir "$work/prometheus"
cat >"$work/prometheus/prometheus.yml" <<CONF
global:
  scrape_interval: 1s
  evaluation_interval: 1s
rule_files:
  - $top/board/prometheus/stratumd-alerts.yml
scrape_configs:
  - job_name: stratumd
    static_configs:
      - targets: ['127.0.0.1:10123']
CONF
"$PROMTOOL" check config "$work/prometheus/prometheus.yml" >/dev/null || fail "promtool check config"
"$PROMETHEUS" --config.file="$work/prometheus/prometheus.yml" --storage.tsdb.path="$work/prometheus/data" \
  --web.listen-address=127.0.0.1:19090 >"$work/prometheus.log" 2>&1 &
helper_pids+=($!)

PROMETHEUS_URL=http://127.0.0.1:19090 python3 - "$top/board/grafana/stratumd.json" <<'PY' ||
import json, os, re, sys, time, urllib.parse, urllib.request
url = os.environ["PROMETHEUS_URL"]

def query(expr):
    body = urllib.request.urlopen(url + "/api/v1/query?" + urllib.parse.urlencode({"query": expr}), timeout=5).read()
    answer = json.loads(body)
    assert answer["status"] == "success", (expr, answer)
    return answer["data"]["result"]

def wait(what, check, seconds=60):
    deadline = time.time() + seconds
    while True:
        try:
            if check():
                return
        except (OSError, IndexError):
            pass  # not listening yet, or nothing scraped yet
        if time.time() > deadline:
            sys.exit("never: " + what)
        time.sleep(0.5)

# Five scrapes or more, so that a rate over the last minute has points to work with.
wait("five scrapes of the daemon", lambda: float(query('count_over_time(up{job="stratumd"}[1m])')[0]["value"][1]) >= 5 and query('up{job="stratumd"} == 1'))
dashboard = json.load(open(sys.argv[1]))
counters = set()
for panel in dashboard["panels"]:
    for target in panel["targets"]:
        expr = target["expr"]
        # A counter's raw value says nothing: the dashboard shows its rate or increase.
        for name in re.findall(r"stratumd_[a-z_]+_total", expr):
            counters.add(name)
            assert re.search(r"(rate|increase)\(" + name, expr), (panel["title"], expr)
        concrete = expr.replace("$instance", ".*").replace("$__range", "1m").replace("[5m]", "[1m]")
        result = query(concrete)
        assert result, "no data for %s: %s" % (panel["title"], concrete)
        print("%-22s %2d series  %s" % (panel["title"], len(result), concrete))
assert len(counters) >= 4, counters
# The alert on the leapfile is pending (its `for` is an hour), with the instance's labels.
wait("StratumdLeapfileExpiresSoon pending", lambda: any(
    a["labels"]["alertname"] == "StratumdLeapfileExpiresSoon" and a["state"] == "pending"
    for a in json.loads(urllib.request.urlopen(url + "/api/v1/alerts", timeout=5).read())["data"]["alerts"]), 30)
firing = [a["labels"]["alertname"] for a in json.loads(urllib.request.urlopen(url + "/api/v1/alerts", timeout=5).read())["data"]["alerts"]]
assert "StratumdUnsynchronised" not in firing and "StratumdLeapfileExpired" not in firing, firing
print("alerts:", firing)
PY
  fail "Prometheus does not draw the dashboard or evaluate the alerts: $(tail -5 "$work/prometheus.log")"
echo "PASS: promtool lint, rule tests, a real Prometheus scraping the daemon: every dashboard expression answers, the leapfile alert pending"
