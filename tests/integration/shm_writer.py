#!/usr/bin/env python3
"""Plays gpsd's side of ntpd's SHM refclock protocol (mode 1, count/valid) on unit 0.

  shm_writer.py [--delay S] [--skew S]

Each second it writes clock = that second + skew, receive = that second + delay (this host's
CLOCK_REALTIME): the sample gpsd writes for a serial sentence that arrives `delay` late.
"""
import argparse
import ctypes
import struct
import sys
import time

KEY = 0x4E545030
libc = ctypes.CDLL("libc.so.6", use_errno=True)
libc.shmat.restype = ctypes.c_void_p
libc.shmat.argtypes = [ctypes.c_int, ctypes.c_void_p, ctypes.c_int]


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--delay", type=float, default=0.05)
    p.add_argument("--skew", type=float, default=0.0)
    args = p.parse_args()
    deadline = time.time() + 10
    while True:
        shmid = libc.shmget(KEY, 96, 0)
        if shmid >= 0:
            break
        if time.time() > deadline:
            print("no segment", flush=True)
            return 1
        time.sleep(0.1)
    base = libc.shmat(shmid, None, 0)
    seg = (ctypes.c_char * 96).from_address(base)
    print("attached", flush=True)
    count = 0
    second = int(time.time()) + 1
    while True:
        while time.time() < second + args.delay:
            time.sleep(0.01)
        clock = second + args.skew
        receive = second + args.delay
        cs, cns = int(clock // 1), int(round((clock % 1) * 1e9)) % 1000000000
        rs, rns = int(receive // 1), int(round((receive % 1) * 1e9)) % 1000000000
        count += 1
        struct.pack_into("i", seg, 52, 0)            # valid = 0 while writing
        struct.pack_into("ii", seg, 0, 1, count)      # mode 1, count
        struct.pack_into("qi", seg, 8, cs, cns // 1000)
        struct.pack_into("qi", seg, 24, rs, rns // 1000)
        struct.pack_into("iii", seg, 36, 0, -1, 3)    # leap, precision, nsamples
        struct.pack_into("II", seg, 52, cns, rns)
        struct.pack_into("i", seg, 4, count + 1)
        struct.pack_into("i", seg, 48, 1)             # valid
        count += 1
        second += 1


if __name__ == "__main__":
    sys.exit(main())
