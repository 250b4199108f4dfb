#!/usr/bin/env bash
# The daemon unmodified inside clknetsim, beside chronyd on the same simulated noise (one short
# scenario of tests/bench/clock_sim): the plain I/O mode runs there with no preload but the
# simulator's, steers the simulated kernel clock through clock_adjtime, serves chronyd clients in
# basic and interleaved mode, and with -x serves its virtual clock. With --network: the quick
# network cell instead, stratumd as a client of three chronyd servers (themselves disciplined by
# reference clocks) beside chronyd in the same role. Deterministic: simulated time, fixed seed.
set -euo pipefail
top=$(cd "$(dirname "$0")/../.." && pwd)
clknetsim=${CLKNETSIM:-${SHARED_DIR:-$top/../shared}/clknetsim}
if [[ ! -f $clknetsim/Makefile ]]; then
  echo "FAIL: clknetsim not found at $clknetsim (set CLKNETSIM)" >&2
  exit 1
fi
mode=${1:-reference}
results=$(mktemp)
trap 'rm -f "$results"' EXIT
if [[ $mode == --network ]]; then
  CLKNETSIM=$clknetsim RESULTS=$results "$top/tests/bench/clock_sim/run" --quick --network
else
  CLKNETSIM=$clknetsim RESULTS=$results "$top/tests/bench/clock_sim/run" --quick
fi

python3 - "$results" "$mode" <<'PY'
import json, sys
runs = {r["daemon"]: r for r in map(json.loads, open(sys.argv[1]))}
failures = []
def check(ok, what):
    print(("ok   " if ok else "FAIL ") + what)
    if not ok:
        failures.append(what)
if sys.argv[2] == "--network":
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
check(set(runs) == {"chronyd", "stratumd", "stratumd-x"}, "chronyd, stratumd and stratumd -x all ran")
c, s, x = runs["chronyd"], runs["stratumd"], runs["stratumd-x"]
check(c["rms"] < 2e-6, f"the peer chronyd locked (rms {c['rms'] * 1e9:.0f} ns)")
# 1 us reference noise: a limit cycle or a servo blind to its actuator is far beyond these.
check(s["rms"] < 1e-6, f"stratumd steered the simulated kernel clock (rms {s['rms'] * 1e9:.0f} ns)")
check(s["settled"] is not None and s["settled"] <= 60,
      f"stratumd settled within 10 us in 60 s (took {s['settled']} s)")
check(s["freq_max_ppm"] < 5, f"no frequency limit cycle (max {s['freq_max_ppm']:.2f} ppm)")
check(s["served_rms"] < 1e-6, f"its client got its time (rms {s['served_rms'] * 1e9:.0f} ns)")
check(s["xleave_share"] > 0.95 and x["xleave_share"] > 0.95,
      f"the xleave client was answered in interleaved mode ({s['xleave_share']:.0%}, "
      f"with -x {x['xleave_share']:.0%}; chronyd {c['xleave_share']:.0%})")
check(s["xleave_rms"] < 1e-6, f"and got its time (rms {s['xleave_rms'] * 1e9:.0f} ns)")
check(x["served_rms"] < 1e-6 and abs(x["served_mean"]) < 200e-9,
      f"with -x the client got the virtual clock's time (rms {x['served_rms'] * 1e9:.0f} ns, "
      f"mean {x['served_mean'] * 1e9:.0f} ns)")
sys.exit(1 if failures else 0)
PY
