#!/usr/bin/env python3
"""Figures from clknetsim's logs, for tests/bench/clock_sim/run.

Per run (--dir): reads `offset` and `freq` (one line per simulated second, one column per node:
node 1 is the server under test, nodes 2 and 3 its chronyd clients in basic and interleaved mode)
and the interleaved client's measurements log, and prints one JSON line.
With --table: reads those lines and prints the comparison table.
"""
import argparse
import json
import math
import statistics
import sys

PPS_SETTLE_BOUND = 10e-6
NMEA_SETTLE_BOUND = 100e-6
NETWORK_SETTLE_BOUND = 100e-6
OUTAGE = 3600


def columns(path):
    rows = []
    with open(path) as f:
        for line in f:
            parts = line.split()
            if parts:
                rows.append([float(x) for x in parts])
    return rows


def interleaved_share(path):
    """The share of the client's exchanges that were interleaved (measurements.log's last
    columns: mode and basic/interleaved, e.g. `4I K K`)."""
    modes = []
    with open(path) as f:
        for line in f:
            parts = line.split()
            if parts and parts[0][:2] == "20" and len(parts) >= 3:
                modes.append(parts[-3])
    return sum(1 for m in modes if m.endswith("I")) / len(modes) if modes else 0.0


def rms(values):
    return math.sqrt(sum(x * x for x in values) / len(values))


def network_figures(args):
    """A network cell: node 1 is the client under test; its own clock's error is the measure."""
    offsets = columns(f"{args.dir}/offset")
    seconds = len(offsets)
    holdover = "holdover" in args.scenario
    start = seconds // 3
    end = min(seconds, args.outage_at) if holdover else seconds
    clock = [row[0] for row in offsets]
    steady = clock[start:end]
    last_bad = max((i for i, x in enumerate(clock[:end]) if abs(x) > NETWORK_SETTLE_BOUND),
                   default=-1)
    first_close = next((i for i, x in enumerate(clock) if abs(x) < 1e-3), None)
    after = clock[first_close:end] if first_close is not None else []
    flaps = 0
    if args.daemon.startswith("stratumd"):
        with open(f"{args.dir}/server.log", errors="replace") as f:
            flaps = sum(1 for line in f if "no samples: holdover" in line)
    figures = {
        "daemon": args.daemon,
        "scenario": args.scenario,
        "seed": args.seed,
        "seconds": seconds,
        "rms": rms(steady),
        "max": max(abs(x) for x in steady),
        "settled": None if last_bad >= end - 60 else last_bad + 1,
        "max_after_close": max((abs(x) for x in after), default=None),
        "holdovers_entered": flaps,
    }
    if holdover and args.outage_at + OUTAGE < seconds:
        figures["holdover"] = abs(offsets[args.outage_at + OUTAGE - 1][0])
    print(json.dumps(figures))


def run_figures(args):
    if args.scenario.startswith("net-"):
        return network_figures(args)
    offsets = columns(f"{args.dir}/offset")
    freqs = columns(f"{args.dir}/freq")
    seconds = len(offsets)
    holdover = "holdover" in args.scenario
    # Steady state: the last two thirds, or for the outage scenario the stretch before the
    # outage (from a third of the run on).
    start = seconds // 3
    end = min(seconds, args.outage_at) if holdover else seconds
    server = [row[0] for row in offsets[:end]]
    client = [row[1] for row in offsets[start:end]]
    xleave_client = [row[2] for row in offsets[start:end]]
    steady = server[start:]
    bound = NMEA_SETTLE_BOUND if args.scenario.startswith("nmea") else PPS_SETTLE_BOUND
    last_bad = max((i for i, x in enumerate(server) if abs(x) > bound), default=-1)
    settled = None if last_bad >= end - 60 else last_bad + 1
    figures = {
        "daemon": args.daemon,
        "scenario": args.scenario,
        "seed": args.seed,
        "seconds": seconds,
        "rms": rms(steady),
        "max": max(abs(x) for x in steady),
        "settled": settled,
        "freq_max_ppm": max(abs(row[0]) for row in freqs[start:end]) * 1e6,
        "served_rms": rms(client),
        "served_mean": sum(client) / len(client),
        "xleave_rms": rms(xleave_client),
        "xleave_mean": sum(xleave_client) / len(xleave_client),
        "xleave_share": interleaved_share(f"{args.dir}/xleave/measurements.log"),
    }
    if holdover and args.outage_at + OUTAGE < seconds:
        figures["holdover"] = abs(offsets[args.outage_at + OUTAGE - 1][0])
    print(json.dumps(figures))


def text(seconds):
    if seconds is None:
        return "-"
    a = abs(seconds)
    if a < 1e-6:
        return f"{seconds * 1e9:.0f} ns"
    if a < 1e-3:
        return f"{seconds * 1e6:.2f} us"
    if a < 1:
        return f"{seconds * 1e3:.2f} ms"
    return f"{seconds:.2f} s"


def table(args):
    runs = [json.loads(line) for line in open(args.table) if line.strip()]
    scenarios = []
    for r in runs:
        if r["scenario"] not in scenarios:
            scenarios.append(r["scenario"])
    print(f"clknetsim: stratumd and chronyd on identical noise; {args.hours} h per run, "
          f"{args.seeds} seed(s) per cell; start +0.1 s / +50 ppm; steady state = last 2/3 "
          f"(holdover scenario: before the outage). Median over seeds [min-max].")
    print("served: the chronyd client in basic mode; xleave: the one in interleaved mode "
          "(I = share of its exchanges that were interleaved).")
    net = [s for s in scenarios if s.startswith("net-")]
    scenarios = [s for s in scenarios if not s.startswith("net-")]
    if scenarios:
        reference_table(runs, scenarios)
    if net:
        network_table(runs, net)
    return 0


def network_table(runs, scenarios):
    print()
    print("Network cells: the daemon as a client of 3 chronyd servers; its own clock's error. "
          "settled: within 100 us for good; after: largest error once first within 1 ms; "
          "holdovers: times stratumd entered holdover (state flaps).")
    print(f"{'scenario':<22} {'daemon':<9} {'rms':>24} {'max':>10} {'settled':>8} "
          f"{'after':>10} {'hold 1h':>9} {'holdovers':>9}")
    for scenario in scenarios:
        per = {}
        for daemon in ("chronyd", "stratumd"):
            rs = [r for r in runs if r["scenario"] == scenario and r["daemon"] == daemon]
            if not rs:
                continue
            med = lambda k: statistics.median(r[k] for r in rs)
            span = f"{text(med('rms'))} [{text(min(r['rms'] for r in rs))}-{text(max(r['rms'] for r in rs))}]"
            settled = [r["settled"] for r in rs]
            settle_text = "never" if any(s is None for s in settled) else f"{max(settled)} s"
            after = [r["max_after_close"] for r in rs if r["max_after_close"] is not None]
            holds = [r["holdover"] for r in rs if "holdover" in r]
            per[daemon] = {"rms": med("rms"), "after": max(after) if after else None,
                           "holdover": statistics.median(holds) if holds else None,
                           "settled": None if any(s is None for s in settled) else max(settled)}
            flaps = max(r["holdovers_entered"] for r in rs)
            print(f"{scenario:<22} {daemon:<9} {span:>24} {text(max(r['max'] for r in rs)):>10} "
                  f"{settle_text:>8} {text(per[daemon]['after']):>10} "
                  f"{text(per[daemon]['holdover']):>9} {flaps if daemon != 'chronyd' else '-':>9}")
        if "chronyd" in per and "stratumd" in per:
            c, s = per["chronyd"], per["stratumd"]
            ratio = lambda a, b: f"{a / b:.2f}x" if a is not None and b else "-"
            parts = [f"rms {ratio(s['rms'], c['rms'])}", f"after {ratio(s['after'], c['after'])}"]
            if c["holdover"] and s["holdover"] is not None:
                parts.append(f"holdover {ratio(s['holdover'], c['holdover'])}")
            print(f"{'':<22} {'ratio':<9} stratumd/chronyd: " + ", ".join(parts))


def reference_table(runs, scenarios):
    header = (f"{'scenario':<20} {'daemon':<10} {'rms':>22} {'max':>10} {'settled':>8} "
              f"{'|f| max':>9} {'hold 1h':>9} {'served rms':>22} {'served mean':>11} "
              f"{'xleave rms':>10} {'I':>4}")
    print(header)
    for scenario in scenarios:
        per = {}
        for daemon in ("chronyd", "stratumd", "stratumd-x"):
            rs = [r for r in runs if r["scenario"] == scenario and r["daemon"] == daemon]
            if not rs:
                continue
            med = lambda k: statistics.median(r[k] for r in rs)
            span = lambda k: f"{text(med(k))} [{text(min(r[k] for r in rs))}-{text(max(r[k] for r in rs))}]"
            settled = [r["settled"] for r in rs]
            settle_text = "never" if any(s is None for s in settled) else f"{max(settled)} s"
            holds = [r["holdover"] for r in rs if "holdover" in r]
            per[daemon] = {
                "rms": med("rms"), "max": max(r["max"] for r in rs),
                "served": med("served_rms"), "xleave": med("xleave_rms"),
                "holdover": statistics.median(holds) if holds else None,
            }
            xleave = f"{text(med('xleave_rms')):>10} {min(r['xleave_share'] for r in rs):>4.0%}"
            if daemon == "stratumd-x":
                # The system clock is not what it serves: only the clients' figures count.
                print(f"{scenario:<20} {daemon:<10} {'(system clock untouched)':>22} {'-':>10} "
                      f"{'-':>8} {'-':>9} {'-':>9} {span('served_rms'):>22} "
                      f"{text(med('served_mean')):>11} {xleave}")
                continue
            print(f"{scenario:<20} {daemon:<10} {span('rms'):>22} {text(per[daemon]['max']):>10} "
                  f"{settle_text:>8} {max(r['freq_max_ppm'] for r in rs):>7.2f}pp "
                  f"{text(per[daemon]['holdover']):>9} {span('served_rms'):>22} "
                  f"{text(med('served_mean')):>11} {xleave}")
        if "chronyd" in per and "stratumd" in per:
            c, s = per["chronyd"], per["stratumd"]
            ratio = lambda a, b: f"{a / b:.2f}x" if b > 0 else "-"
            parts = [f"rms {ratio(s['rms'], c['rms'])}", f"max {ratio(s['max'], c['max'])}",
                     f"served {ratio(s['served'], c['served'])}",
                     f"xleave {ratio(s['xleave'], c['xleave'])}"]
            if c["holdover"] and s["holdover"] is not None:
                parts.append(f"holdover {ratio(s['holdover'], c['holdover'])}")
            if "stratumd-x" in per:
                parts.append(f"served with -x {ratio(per['stratumd-x']['served'], c['served'])}")
            print(f"{'':<20} {'ratio':<10} stratumd/chronyd: " + ", ".join(parts))


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--dir")
    p.add_argument("--daemon")
    p.add_argument("--scenario")
    p.add_argument("--seed", type=int)
    p.add_argument("--outage-at", type=int, default=0)
    p.add_argument("--table")
    p.add_argument("--hours")
    p.add_argument("--seeds")
    args = p.parse_args()
    if args.table:
        return table(args)
    run_figures(args)
    return 0


if __name__ == "__main__":
    sys.exit(main())
