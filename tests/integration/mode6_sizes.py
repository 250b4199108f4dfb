#!/usr/bin/env python3
"""How many bytes a mode 6 server sends back for each unauthenticated 12-byte request.

  mode6_sizes.py ASSOCIATIONS [--port N] [--wait S]

Waits (up to --wait seconds) until READSTAT lists ASSOCIATIONS associations, then asks READSTAT,
READVAR and READCLOCK for the system (0) and each association, and a few opcodes a server may not
implement (MRU list, trap registration). Prints one JSON object: request name -> total bytes of
every reply datagram (all fragments); for the associations, the largest answer, so two servers
whose association IDs differ line up.
"""
import argparse
import json
import socket
import struct
import sys
import time


def ask(sock, port, opcode, association=0):
    request = struct.pack("!BBHHHHH", 0x16, opcode, 7, 0, association, 0, 0)
    sock.sendto(request, ("127.0.0.1", port))
    replies = []
    try:
        while True:
            replies.append(sock.recvfrom(4096)[0])
    except socket.timeout:
        pass
    return replies


def main():
    p = argparse.ArgumentParser()
    p.add_argument("associations", type=int)
    p.add_argument("--port", type=int, default=123)
    p.add_argument("--wait", type=float, default=20)
    args = p.parse_args()
    sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    sock.settimeout(0.3)
    deadline = time.monotonic() + args.wait
    ids = []
    while time.monotonic() < deadline:
        replies = ask(sock, args.port, 1)
        if replies:
            data = replies[0][12:]
            ids = [struct.unpack("!H", data[i:i + 2])[0] for i in range(0, len(data) - 3, 4)]
            if len(ids) >= args.associations:
                break
        time.sleep(0.5)
    if len(ids) < args.associations:
        sys.exit(f"READSTAT listed {len(ids)} associations, not {args.associations}")
    sizes = {"readstat": sum(map(len, ask(sock, args.port, 1)))}
    for opcode, name in ((2, "readvar"), (4, "readclock")):
        sizes[f"{name} 0"] = sum(map(len, ask(sock, args.port, opcode)))
        sizes[f"{name} (largest association)"] = max(
            sum(map(len, ask(sock, args.port, opcode, association))) for association in ids)
    for opcode, name in ((10, "mrulist"), (6, "settrap"), (12, "opcode 12")):
        sizes[name] = sum(map(len, ask(sock, args.port, opcode)))
    print(json.dumps(sizes))


if __name__ == "__main__":
    main()
