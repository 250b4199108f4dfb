#!/usr/bin/env bash
# The daemon unmodified inside clknetsim, beside chronyd on the same simulated noise (one short
# scenario of tests/bench/clock_sim): the plain I/O mode runs there with no preload but the
# simulator's, steers the simulated kernel clock through clock_adjtime, serves chronyd clients in
# basic and interleaved mode, and with -x serves its virtual clock. Deterministic: simulated time, fixed seed.
set -euo pipefail
top=$(cd "$(dirname "$0")/../.." && pwd)
clknetsim=${CLKNETSIM:-${SHARED_DIR:-$top/../shared}/clknetsim}
if [[ ! -f $clknetsim/Makefile ]]; then
  echo "SKIP: clknetsim not found at $clknetsim" >&2
  exit 77
fi
results=$(mktemp)
trap 'rm -f "$results"' EXIT
CLKNETSIM=$clknetsim RESULTS=$results "$top/tests/bench/clock_sim/run" --quick

python3 - "$results" <<'PY'
import json, sys
runs = {r["daemon"]: r for r in map(json.loads, open(sys.argv[1]))}
failures = []
def check(ok, what):
    print(("ok   " if ok else "FAIL ") + what)
    if not ok:
        failures.append(what)
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
