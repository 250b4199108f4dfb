#!/usr/bin/env python3
"""Runs a full-screen program (ntpmon) on a pseudo-terminal of 40x120: waits until every --until
text has appeared on its screen (or --timeout passes), types --keys, and waits for it to exit.
Writes what it drew to --out; exits with the program's status, or 1 when a text never appeared or
the program did not exit after the keys."""
import argparse
import os
import pty
import select
import struct
import sys
import termios
import time
import fcntl

parser = argparse.ArgumentParser()
parser.add_argument("--until", action="append", default=[])
parser.add_argument("--timeout", type=float, default=20.0)
parser.add_argument("--keys", default="q")
parser.add_argument("--out", required=True)
parser.add_argument("command", nargs="+")
args = parser.parse_args()

pid, fd = pty.fork()
if pid == 0:
    os.environ["TERM"] = "xterm"
    os.execvp(args.command[0], args.command)
fcntl.ioctl(fd, termios.TIOCSWINSZ, struct.pack("HHHH", 40, 120, 0, 0))

screen = b""


def read_for(seconds, done):
    global screen
    deadline = time.monotonic() + seconds
    while not done() and time.monotonic() < deadline:
        ready, _, _ = select.select([fd], [], [], 0.1)
        if ready:
            try:
                chunk = os.read(fd, 65536)
            except OSError:
                chunk = b""
            if not chunk:
                break  # the terminal closed: the program is gone or going
            screen += chunk
    while not done() and time.monotonic() < deadline:
        time.sleep(0.05)
    return done()


def all_shown():
    return all(text.encode() in screen for text in args.until)


shown = read_for(args.timeout, all_shown)
os.write(fd, args.keys.encode())
exited = [None]


def child_exited():
    if exited[0] is None:
        finished, status = os.waitpid(pid, os.WNOHANG)
        if finished:
            exited[0] = os.waitstatus_to_exitcode(status)
    return exited[0] is not None


read_for(10.0, child_exited)
with open(args.out, "wb") as out:
    out.write(screen)
if exited[0] is None:
    os.kill(pid, 9)
    print("the program did not exit after the keys", file=sys.stderr)
    sys.exit(1)
if not shown:
    print("never shown: %s" % [t for t in args.until if t.encode() not in screen], file=sys.stderr)
    sys.exit(1)
sys.exit(exited[0])
