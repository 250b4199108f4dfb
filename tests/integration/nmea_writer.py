#!/usr/bin/env python3
"""A GPS receiver on a pseudo-terminal, for the serial NMEA tests.

  nmea_writer.py LINK [--delay S] [--baud B] [--burst whole|chunks] [--lies N] [--owner U:G]
                  [--skew S [--skew-for N]]

Opens a pty, points LINK at its slave side (as udev would point /dev/gps0 at a USB receiver) and,
a fixed delay after every true second (this host's CLOCK_REALTIME), writes RMC, GGA and ZDA for
that second, paced byte by byte at the baud rate as a real UART would deliver them; with --burst
as a USB-CDC receiver delivers them: the whole second in one write, or cut at random points into
writes a millisecond apart (chunks). With --lies N every Nth cycle is a checksum-valid lie
(nmea_sentences.LIES in turn: a day ahead, demo mode, 31 November...). --skew S makes every
sentence name the second S seconds after the true one (a receiver that lies steadily, or one still
reporting GPS time: +18), sent at the true second's time; --skew-for N only for the first N
cycles, the true second after that (a receiver that has learnt UTC; "learnt UTC" printed). SIGUSR1
unplugs the receiver (removes the link, closes the pty) and plugs it back in two seconds later, on
a new pty; SIGTERM unplugs it for good.
--owner gives each pty to the daemon's account, as udev gives a serial port to `dialout`: a daemon
running as that account (-u) must reopen it after an unplug.
"""
import argparse
import os
import random
import shutil
import signal
import sys
import time
import tty

from nmea_sentences import LIES, cycle, lie


class Receiver:
    def __init__(self, link, owner=None):
        self.link = link
        self.owner = owner
        self.master = None
        self.unplug_requested = False

    def plug(self):
        self.master, slave = os.openpty()
        tty.setraw(self.master)
        name = os.ttyname(slave)
        if self.owner:
            user, _, group = self.owner.partition(":")
            shutil.chown(name, user, group or None)
        os.close(slave)  # the daemon opens it by name
        tmp = self.link + ".tmp"
        if os.path.lexists(tmp):
            os.unlink(tmp)
        os.symlink(name, tmp)
        os.rename(tmp, self.link)
        print("plugged", name, flush=True)

    def unplug(self):
        # The link goes first, as udev removes it when a USB receiver is pulled: a link left
        # pointing at a freed pty number would lead the daemon to whatever pty another program
        # opens next under that number (tests run side by side share /dev/pts).
        if os.path.lexists(self.link):
            os.unlink(self.link)
        if self.master is None:
            return
        os.close(self.master)
        self.master = None
        print("unplugged", flush=True)


def sleep_until(t):
    while True:
        left = t - time.time()
        if left <= 0:
            return
        time.sleep(min(left, 0.05) if left > 0.002 else 0)


def main():
    p = argparse.ArgumentParser()
    p.add_argument("link")
    p.add_argument("--delay", type=float, default=0.2)
    p.add_argument("--baud", type=int, default=9600)
    p.add_argument("--burst", choices=["whole", "chunks"])
    p.add_argument("--lies", type=int, default=0)
    p.add_argument("--owner")
    p.add_argument("--skew", type=int, default=0)
    p.add_argument("--skew-for", type=int)
    args = p.parse_args()
    receiver = Receiver(args.link, args.owner)
    signal.signal(signal.SIGUSR1, lambda *_: setattr(receiver, "unplug_requested", True))

    def unplugged_for_good(*_):
        receiver.unplug()
        sys.exit(0)

    signal.signal(signal.SIGTERM, unplugged_for_good)
    receiver.plug()
    byte_time = 10.0 / args.baud
    second = int(time.time()) + 1
    cycles = 0

    def sentences(second):
        nonlocal cycles
        cycles += 1
        skewed = args.skew_for is None or cycles <= args.skew_for
        if args.skew and args.skew_for is not None and cycles == args.skew_for + 1:
            print("learnt UTC at", second, flush=True)
        named = second + (args.skew if skewed else 0)
        if args.lies and cycles % args.lies == 0:
            kind = LIES[(cycles // args.lies - 1) % len(LIES)]
            print("lie", kind, second, flush=True)
            return lie(named, kind)
        return cycle(named)

    while True:
        sleep_until(second + args.delay)
        if receiver.unplug_requested:
            receiver.unplug_requested = False
            receiver.unplug()
            sleep_until(time.time() + 2)
            receiver.plug()
            second = int(time.time()) + 1
            continue
        start = time.time()
        n = 0
        if args.burst:
            data = "".join(sentences(second)).encode()
            cuts = sorted(random.sample(range(1, len(data)), 3)) if args.burst == "chunks" else []
            for i, (a, b) in enumerate(zip([0] + cuts, cuts + [len(data)])):
                sleep_until(start + i * 0.001)
                try:
                    os.write(receiver.master, data[a:b])
                except OSError:
                    pass
            second += 1
            continue
        for s in sentences(second):
            for ch in s.encode():
                sleep_until(start + n * byte_time)
                try:
                    os.write(receiver.master, bytes([ch]))
                except OSError:
                    pass  # nobody has the slave open (yet): the bytes are lost, as on a wire
                n += 1
        second += 1


if __name__ == "__main__":
    sys.exit(main())
