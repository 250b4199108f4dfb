#!/usr/bin/env python3
"""An upstream NTP server whose time is this host's CLOCK_REALTIME plus an offset the test sets:
a server that lies by a known amount, for the disagreement scenarios.

  offset_server.py ADDR [--offset S] [--turn AFTER:OFFSET] [--stratum N] [--refid TEXT]

Answers mode-3 requests on ADDR:123 with a mode-4 reply: origin = the request's transmit time,
receive and transmit stamps read from the clock (plus the offset) as the request is handled,
LI 0, the given stratum (default 1: its own lineage) and refid (default GPS), a root delay and
dispersion of a good stratum-1 server. --turn AFTER:OFFSET changes the offset AFTER seconds
after the first request answered (a server that starts honest and turns). Prints one line when
listening and one when it turns.
"""
import argparse
import socket
import struct
import time

from ntp_probe import unix_to_ntp as to_ntp


def main():
    p = argparse.ArgumentParser()
    p.add_argument("address")
    p.add_argument("--offset", type=float, default=0.0)
    p.add_argument("--turn")
    p.add_argument("--stratum", type=int, default=1)
    p.add_argument("--refid", default="GPS")
    args = p.parse_args()
    turn_after, turn_to = (float(x) for x in args.turn.split(":")) if args.turn else (None, None)
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    s.bind((args.address, 123))
    print("listening on", args.address, "offset", args.offset, flush=True)
    offset = args.offset
    first = None
    refid = args.refid.encode().ljust(4, b"\0")[:4]
    while True:
        data, peer = s.recvfrom(512)
        now = time.time()
        if len(data) < 48 or data[0] & 7 != 3:
            continue
        if first is None:
            first = now
        if turn_after is not None and now - first >= turn_after and offset != turn_to:
            offset = turn_to
            print("turned to offset", offset, flush=True)
        received = now + offset
        version = (data[0] >> 3) & 7
        header = struct.pack("!BBbb", (0 << 6) | (version << 3) | 4, args.stratum, data[2], -20)
        # Root delay 0, root dispersion ~0.5 ms (16.16), the refid.
        header += struct.pack("!II", 0, 33) + refid
        reference = to_ntp(int(received))
        origin = data[40:48]
        reply = header + struct.pack("!Q", reference) + origin + struct.pack("!Q", to_ntp(received))
        reply += struct.pack("!Q", to_ntp(time.time() + offset))
        s.sendto(reply, peer)


if __name__ == "__main__":
    main()
