#!/usr/bin/env bash
# The network discipline inside clknetsim beside chronyd (the quick network cell of
# tests/bench/clock_sim): stratumd, unmodified, as a client of three chronyd servers that are
# themselves disciplined by reference clocks, on the same simulated network noise as chronyd in
# the same role. Deterministic network noise: simulated time, fixed seed.
set -euo pipefail
top=$(cd "$(dirname "$0")/../.." && pwd)
clknetsim=${CLKNETSIM:-${SHARED_DIR:-$top/../shared}/clknetsim}
if [[ ! -f $clknetsim/Makefile ]]; then
  echo "FAIL: clknetsim not found at $clknetsim" >&2
  exit 1
fi
results=$(mktemp)
trap 'rm -f "$results"' EXIT
CLKNETSIM=$clknetsim RESULTS=$results "$top/tests/bench/clock_sim/run" --quick --network

python3 - "$results" <<'PY'
import json, sys
runs = {r["daemon"]: r for r in map(json.loads, open(sys.argv[1]))}
failures = []
def check(ok, what):
    print(("ok   " if ok else "FAIL ") + what)
    if not ok:
        failures.append(what)
check(set(runs) == {"chronyd", "stratumd"}, "chronyd and stratumd both ran as clients")
c, s = runs["chronyd"], runs["stratumd"]
check(c["rms"] < 20e-6, f"the peer chronyd followed its servers (rms {c['rms'] * 1e6:.2f} us)")
check(s["rms"] <= c["rms"],
      f"stratumd's clock no further off than chronyd's (rms {s['rms'] * 1e6:.2f} us against "
      f"{c['rms'] * 1e6:.2f} us)")
check(s["settled"] is not None and s["settled"] <= 100,
      f"stratumd settled within 100 us in 100 s from +0.1 s/+50 ppm (took {s['settled']} s)")
check(s["max_after_close"] is not None and s["max_after_close"] < 200e-6,
      f"no excursion once within 1 ms (largest {s['max_after_close'] * 1e6:.1f} us)")
check(s["holdovers_entered"] == 0,
      f"no holdover while the servers answer ({s['holdovers_entered']} entered)")
sys.exit(1 if failures else 0)
PY
