#!/usr/bin/env python3
"""Writes the host's leap-seconds.list with another expiry (#@), its #h hash made to match
(or left stale with --damaged), for tests of expired, expiring and damaged leapfiles.

Usage: make_leapfile.py EXPIRY_UNIX_SECONDS OUT [--damaged]"""
import hashlib
import re
import sys

NTP_TO_UNIX = 2208988800


def rewrite(lines, expiry_ntp, fix_hash):
    out, hashed = [], ""
    for line in lines:
        if line.startswith("#@"):
            line = "#@\t%d" % expiry_ntp
        if line.startswith("#$") or line.startswith("#@"):
            hashed += line.split()[1]
        elif line and not line.startswith("#"):
            hashed += "".join(line.split()[:2])
        out.append(line)
    if fix_hash:
        words = re.findall(".{8}", hashlib.sha1(hashed.encode()).hexdigest())
        digest = "#h\t" + " ".join("%x" % int(w, 16) for w in words)
        out = [digest if l.startswith("#h") else l for l in out]
    return "\n".join(out) + "\n"


def main():
    expiry, path = int(sys.argv[1]), sys.argv[2]
    lines = open("/usr/share/zoneinfo/leap-seconds.list").read().splitlines()
    open(path, "w").write(rewrite(lines, expiry + NTP_TO_UNIX, "--damaged" not in sys.argv[3:]))


main()
