#!/usr/bin/env python3
"""A rogue symmetric peer for the integration tests: from ADDR:123 it calls TARGET in symmetric
active mode (mode 1) once a second, unauthenticated, claiming stratum 1 (refid GPS) and a clock
AHEAD seconds off, and keeps the on-wire protocol right (origin = the target's last transmit time)
so that, where it is heard at all, its samples are valid.

  rogue_peer.py --bind ADDR --target HOST [--ahead SECONDS]
"""
import argparse
import select
import socket
import struct
import time

NTP_UNIX_OFFSET = 2208988800


def to_ntp(t):
    seconds = int(t)
    return ((seconds + NTP_UNIX_OFFSET) << 32) | int((t - seconds) * 2**32)


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--bind", required=True)
    p.add_argument("--target", required=True)
    p.add_argument("--ahead", type=float, default=10.0)
    args = p.parse_args()
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    s.bind((args.bind, 123))
    their_transmit = 0  # echoed as our origin
    our_receive = 0
    next_send = time.monotonic()
    while True:
        wait = max(0.0, next_send - time.monotonic())
        if select.select([s], [], [], wait)[0]:
            data, _ = s.recvfrom(1024)
            if len(data) >= 48:
                our_receive = to_ntp(time.time() + args.ahead)
                their_transmit = struct.unpack("!Q", data[40:48])[0]
            continue
        now = to_ntp(time.time() + args.ahead)
        header = struct.pack("!BBbbII4s", (4 << 3) | 1, 1, 3, -20, 0, 0x10, b"GPS\0")
        s.sendto(header + struct.pack("!QQQQ", now, their_transmit, our_receive, now),
                 (args.target, 123))
        next_send += 1.0


if __name__ == "__main__":
    main()
