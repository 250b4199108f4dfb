#!/usr/bin/env python3
"""A GPS receiver reachable over TCP (gpsd reads it as tcp://127.0.0.1:PORT).

  nmea_tcp_server.py PORT [--delay S]

Each second, `delay` after it (this host's CLOCK_REALTIME), sends RMC, GGA and ZDA for that
second to the connected client. gpsd treats such a source like a serial receiver, and, unlike a
pseudo-terminal, feeds its NTP shared-memory segment from it.
"""
import argparse
import socket
import sys
import time

from nmea_sentences import cycle


def main():
    p = argparse.ArgumentParser()
    p.add_argument("port", type=int)
    p.add_argument("--delay", type=float, default=0.1)
    args = p.parse_args()
    server = socket.socket()
    server.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    server.bind(("127.0.0.1", args.port))
    server.listen(1)
    print("listening", flush=True)
    while True:
        client, _ = server.accept()
        second = int(time.time()) + 1
        while True:
            while time.time() < second + args.delay:
                time.sleep(min(0.01, max(0.0, second + args.delay - time.time())))
            try:
                client.sendall("".join(cycle(second)).encode())
            except OSError:
                break
            second += 1


if __name__ == "__main__":
    sys.exit(main())
