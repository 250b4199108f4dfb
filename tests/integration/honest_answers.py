#!/usr/bin/env python3
"""The client of the disagreement scenarios: asks the daemon once a second and holds every answer
to the honest-answer invariant, then waits for the end state the scenario expects.

  honest_answers.py --log FILE [--truth S] [--check-from S] [--min S] [--max S]
                    [--final-stratum N] [--final-refid TEXT] [--hold K] [--sntp-grace S]

Every answer that is not unsynchronised (LI != 3, stratum 1..15) must satisfy
|offset - truth| <= root delay / 2 + root dispersion + 1 ms + half the probe's own round trip,
where offset is the daemon's time
against this host's CLOCK_REALTIME (the truth of every scenario: the receivers and honest servers
follow it; --truth shifts it when what was asked is another time) and answers before --check-from
seconds are not judged (a lie no source can tell). SNTP clients read only LI and stratum: a run of
served answers more than the step threshold (128 ms) off the truth may last --sntp-grace seconds
at most (the daemon's 10 s grace for a glitch, plus slack). It asks for at least --min seconds
and until the last --hold answers have the expected final stratum (and refid: text, or an IPv4 address for
stratum 2 and above), at most --max seconds. Each answer is a JSON line in --log; the last line
printed is a summary. Exit 1 on a dishonest answer, a wrong time served to SNTP clients beyond the
grace, or when the end state never came.
"""
import argparse
import json
import socket
import struct
import sys
import time

EPOCH = 2208988800


def refid_text(raw, stratum):
    if stratum >= 2:
        return ".".join(str(b) for b in raw)
    return raw.rstrip(b"\0").decode("ascii", "replace")


def ask(s):
    t1 = time.time()
    s.sendto(bytes([0x23]) + bytes(39) + struct.pack("!Q", int((t1 + EPOCH) * 2**32)),
             ("127.0.0.1", 123))
    try:
        r = s.recv(128)
    except socket.timeout:
        return None
    t4 = time.time()
    if len(r) < 48:
        return None
    rd, rdisp = (struct.unpack("!I", r[i:i + 4])[0] / 65536 for i in (4, 8))
    rec, xmt = (struct.unpack("!Q", r[i:i + 8])[0] / 2**32 - EPOCH for i in (32, 40))
    stratum = r[1]
    return {"t": t1, "leap": r[0] >> 6, "stratum": stratum, "refid": refid_text(r[12:16], stratum),
            "root_delay": rd, "root_dispersion": rdisp,
            "offset": ((rec - t1) + (xmt - t4)) / 2, "delay": (t4 - t1) - (xmt - rec)}


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--log", required=True)
    p.add_argument("--truth", type=float, default=0.0)
    p.add_argument("--check-from", type=float, default=0.0)
    p.add_argument("--min", type=float, default=30.0)
    p.add_argument("--max", type=float, default=90.0)
    p.add_argument("--final-stratum", type=int)
    p.add_argument("--final-refid")
    p.add_argument("--hold", type=int, default=5)
    p.add_argument("--sntp-grace", type=float, default=12.0)
    args = p.parse_args()
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    s.settimeout(0.5)
    start = time.time()
    answers, dishonest, sntp_wrong = [], [], []
    wrong_since = None
    final_reached_at = None
    asked = 0

    def final(a):
        if args.final_stratum is None:
            return True
        if args.final_stratum == 16:
            return a["leap"] == 3
        return (a["leap"] != 3 and a["stratum"] == args.final_stratum and
                (args.final_refid is None or a["refid"] == args.final_refid))

    with open(args.log, "w") as log:
        while True:
            elapsed = time.time() - start
            a = ask(s)
            asked += 1
            if a is not None:
                a["elapsed"] = round(elapsed, 3)
                answers.append(a)
                served = a["leap"] != 3 and 1 <= a["stratum"] <= 15
                # Our own measurement is uncertain by half its round trip (long on a loaded
                # machine, when the probe is scheduled late): an error within it is not the
                # daemon's.
                bound = a["root_delay"] / 2 + a["root_dispersion"] + 0.001 + max(a["delay"], 0) / 2
                a["honest"] = not served or abs(a["offset"] - args.truth) <= bound
                if not a["honest"] and elapsed >= args.check_from:
                    dishonest.append(a)
                wrong = served and abs(a["offset"] - args.truth) > 0.128
                if wrong and elapsed >= args.check_from:
                    wrong_since = elapsed if wrong_since is None else wrong_since
                    if elapsed - wrong_since > args.sntp_grace:
                        sntp_wrong.append(a)
                else:
                    wrong_since = None
                log.write(json.dumps(a) + "\n")
                log.flush()
            tail = answers[-args.hold:]
            held = len(tail) == args.hold and all(final(x) for x in tail)
            if held and final_reached_at is None:
                final_reached_at = tail[0]["elapsed"]
            if not held:
                final_reached_at = None
            if (held and elapsed >= args.min) or elapsed >= args.max:
                break
            time.sleep(max(0.0, start + asked - time.time()))  # once a second, on deadlines
    served = [a for a in answers if a["leap"] != 3 and 1 <= a["stratum"] <= 15]
    summary = {
        "answers": len(answers), "served": len(served), "dishonest": len(dishonest),
        "first_dishonest": dishonest[:3], "wrong_for_sntp": len(sntp_wrong),
        "first_wrong_for_sntp": sntp_wrong[:2],
        "worst_error": max((abs(a["offset"] - args.truth) for a in served), default=None),
        "final_reached_at": final_reached_at, "last": answers[-1] if answers else None,
    }
    print(json.dumps(summary))
    if dishonest:
        print("dishonest answers: %d (the first above)" % len(dishonest), file=sys.stderr)
        return 1
    if sntp_wrong:
        print("served with LI 0 more than 128 ms off for longer than %.0f s: %d answers" %
              (args.sntp_grace, len(sntp_wrong)), file=sys.stderr)
        return 1
    if args.final_stratum is not None and final_reached_at is None:
        print("the expected end state (stratum %s, refid %s) never held for %d answers" %
              (args.final_stratum, args.final_refid, args.hold), file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
