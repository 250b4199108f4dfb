#!/usr/bin/env python3
"""A raw NTP client for the integration tests: sends exact bytes and decodes replies.

  ntp_probe.py query HOST [--port N]           one mode-3 request; prints the reply as JSON
  ntp_probe.py flood HOST [--port N]           malformed requests; exits 1 if any is answered
  ntp_probe.py burst HOST --count N            N requests back to back; prints what each got
  ntp_probe.py listen ADDR --count N           N broadcasts received on ADDR:port; one JSON line
                                               each, with the transmit time against our clock
                                               and, with --key-file/--key-id, the MAC checked
Add --bind ADDR to send from a given local address (e.g. 127.0.0.2).
"""
import argparse
import json
import os
import socket
import struct
import sys
import time

NTP_UNIX_OFFSET = 2208988800


def ntp_to_unix(raw):
    return (raw >> 32) - NTP_UNIX_OFFSET + (raw & 0xFFFFFFFF) / 2**32


def unix_to_ntp(t):
    seconds = int(t)
    return ((seconds + NTP_UNIX_OFFSET) << 32) | int((t - seconds) * 2**32)


def client_request(version=4, mode=3):
    xmt = unix_to_ntp(time.time()) ^ (int.from_bytes(os.urandom(2), "big"))
    header = bytes([(version << 3) | mode, 0, 6, 0xEC]) + bytes(36)
    return header + struct.pack("!Q", xmt), xmt


BIND = None


def make_socket(host, timeout):
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    s = socket.socket(family, socket.SOCK_DGRAM)
    if BIND:
        s.bind((BIND, 0))
    s.settimeout(timeout)
    return s


def decode(reply):
    li_vn_mode, stratum, poll, precision = struct.unpack("!BBbb", reply[:4])
    root_delay, root_disp, refid = struct.unpack("!III", reply[4:16])
    ref, org, rec, xmt = struct.unpack("!QQQQ", reply[16:48])
    refid_text = refid.to_bytes(4, "big").rstrip(b"\0").decode("ascii", "replace")
    return {
        "leap": li_vn_mode >> 6, "version": (li_vn_mode >> 3) & 7, "mode": li_vn_mode & 7,
        "stratum": stratum, "poll": poll, "precision": precision,
        "root_delay": root_delay / 65536, "root_dispersion": root_disp / 65536,
        "refid": refid_text, "reference": ntp_to_unix(ref) if ref else 0,
        "origin_raw": org, "receive": ntp_to_unix(rec), "transmit": ntp_to_unix(xmt),
        "length": len(reply),
    }


def query(args):
    s = make_socket(args.host, args.timeout)
    request, xmt = client_request(args.version)
    t1 = time.time()
    s.sendto(request, (args.host, args.port))
    reply, _ = s.recvfrom(2048)
    t4 = time.time()
    result = decode(reply)
    result["origin_matches"] = result["origin_raw"] == xmt
    result["offset"] = ((result["receive"] - t1) + (result["transmit"] - t4)) / 2
    result["delay"] = (t4 - t1) - (result["transmit"] - result["receive"])
    print(json.dumps(result))


def malformed_requests():
    good, _ = client_request()
    yield "short-47", good[:47]
    yield "empty", b""
    yield "one-byte", b"\x23"
    yield "version-0", bytes([(0 << 3) | 3]) + good[1:]
    yield "version-5", bytes([(5 << 3) | 3]) + good[1:]
    yield "version-7", bytes([(7 << 3) | 3]) + good[1:]
    # ntpdc's monlist request (mode 7, implementation 3, request 42): the classic amplifier.
    yield "mode-7-monlist", bytes([0x17, 0x00, 0x03, 0x2A]) + bytes(4)
    yield "mode-7-padded", bytes([0x17, 0x00, 0x03, 0x2A]) + bytes(44)
    yield "mode-4-reply", bytes([(4 << 3) | 4]) + good[1:]
    yield "mode-0-v4", bytes([(4 << 3) | 0]) + good[1:]
    yield "bad-extension", good + struct.pack("!HH", 0x0104, 400) + bytes(28)
    yield "odd-tail", good + bytes(7)
    yield "oversized", good + bytes(1400)


def flood(args):
    """Each round sends every malformed shape, then one valid request on the same socket. The
    server handles a socket's packets in order, so the valid answer means every malformed packet
    before it was handled: any reply to them would have arrived first."""
    s = make_socket(args.host, args.timeout)
    sent = 0
    answered = []
    for _ in range(args.rounds):
        for name, payload in malformed_requests():
            s.sendto(payload, (args.host, args.port))
            sent += 1
        request, xmt = client_request()
        s.sendto(request, (args.host, args.port))
        while True:
            try:
                reply, _ = s.recvfrom(2048)
            except socket.timeout:
                print(json.dumps({"sent": sent, "error": "a valid request in the flood got no answer"}))
                return 1
            if len(reply) >= 48 and struct.unpack("!Q", reply[24:32])[0] == xmt:
                break
            answered.append(len(reply))
    print(json.dumps({"sent": sent, "valid_answered": args.rounds, "answered_malformed": len(answered)}))
    return 1 if answered else 0


def burst(args):
    """Sends requests one after another (each waits for its answer or a short timeout)."""
    s = make_socket(args.host, args.timeout)
    results = []
    for _ in range(args.count):
        request, xmt = client_request()
        s.sendto(request, (args.host, args.port))
        try:
            reply, _ = s.recvfrom(2048)
        except socket.timeout:
            results.append("none")
            continue
        r = decode(reply)
        if r["origin_raw"] != xmt:
            results.append("mismatch")
        elif r["stratum"] == 0:
            results.append("kiss-" + r["refid"])
        else:
            results.append("time")
    print(json.dumps(results))
    return 0


def read_key(path, key_id):
    """ntpd's keys file: `keyid type key`, ASCII keys up to 20 characters, longer ones in hex."""
    for line in open(path):
        words = line.split("#")[0].split()
        if len(words) >= 3 and int(words[0]) == key_id:
            secret = words[2]
            raw = bytes.fromhex(secret) if len(secret) > 20 else secret.encode()
            return words[1].upper(), raw
    raise SystemExit(f"key {key_id} not in {path}")


def listen(args):
    """Receives broadcasts (mode 5) and checks each against this machine's clock."""
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    s.setsockopt(socket.SOL_SOCKET, 35, 1)  # SO_TIMESTAMPNS: the kernel's arrival time
    s.bind((args.host, args.port))
    s.settimeout(args.timeout)
    key = read_key(args.key_file, args.key_id) if args.key_file else None
    for _ in range(args.count):
        try:
            packet, ancillary, _, source = s.recvmsg(2048, 64)
        except socket.timeout:
            print(json.dumps({"error": "no broadcast within the timeout"}))
            return 1
        now = time.time()
        for level, kind, data in ancillary:
            if level == socket.SOL_SOCKET and kind == 35:  # SCM_TIMESTAMPNS
                seconds, nanoseconds = struct.unpack("qq", data[:16])
                now = seconds + nanoseconds / 1e9
        result = decode(packet)
        result["source"] = source[0]
        result["transmit_minus_now"] = result["transmit"] - now
        if len(packet) > 48:
            result["key_id"] = struct.unpack("!I", packet[48:52])[0]
            if key:
                import hashlib
                kind, secret = key
                digest = hashlib.new("md5" if kind in ("MD5", "M") else "sha1",
                                     secret + packet[:48]).digest()
                result["mac_valid"] = digest == packet[52:]
        print(json.dumps(result), flush=True)
    return 0


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("command", choices=["query", "flood", "burst", "listen"])
    parser.add_argument("host")
    parser.add_argument("--port", type=int, default=123)
    parser.add_argument("--version", type=int, default=4)
    parser.add_argument("--timeout", type=float, default=2.0)
    parser.add_argument("--rounds", type=int, default=50)
    parser.add_argument("--count", type=int, default=10)
    parser.add_argument("--bind")
    parser.add_argument("--key-file")
    parser.add_argument("--key-id", type=int)
    args = parser.parse_args()
    global BIND
    BIND = args.bind
    if args.command == "query":
        try:
            query(args)
        except socket.timeout:
            return 1
        return 0
    if args.command == "burst":
        return burst(args)
    if args.command == "listen":
        return listen(args)
    return flood(args)


if __name__ == "__main__":
    sys.exit(main())
