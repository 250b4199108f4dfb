#!/usr/bin/env python3
"""Drives stratumctl on a pseudo-terminal the way an operator types: commands, line editing
(Ctrl-A), Tab completion, history (the up arrow), a change applied and seen in effect, a bad change refused, and a
change that cuts the daemon off rolled back by itself. Prints the transcript; exits 1 on the first
expectation that fails."""
import os
import pty
import select
import subprocess
import sys
import time

stratumctl, socket_path, probe = sys.argv[1], sys.argv[2], sys.argv[3]
transcript = []


def fail(message):
    print("".join(transcript))
    print("FAIL:", message)
    sys.exit(1)


pid, fd = pty.fork()
if pid == 0:
    os.execv(stratumctl, [stratumctl, "--socket", socket_path])


def read_until(marker, timeout=10.0):
    """Reads the terminal until `marker` shows up after the last command; returns what came."""
    deadline = time.monotonic() + timeout
    seen = ""
    while marker not in seen:
        left = deadline - time.monotonic()
        if left <= 0:
            fail(f"no {marker!r} within {timeout} s; got {seen!r}")
        ready, _, _ = select.select([fd], [], [], left)
        if ready:
            try:
                chunk = os.read(fd, 4096).decode(errors="replace")
            except OSError:
                fail(f"stratumctl exited while waiting for {marker!r}")
            seen += chunk
            transcript.append(chunk)
    return seen


def command(keys, expect=None, timeout=10.0):
    os.write(fd, keys.encode())
    out = read_until("stratumd> ", timeout)
    if expect and expect not in out:
        fail(f"{keys!r}: expected {expect!r}")
    return out


def ntp_answers(source):
    result = subprocess.run([sys.executable, probe, "burst", "127.0.0.1", "--bind", source,
                             "--count", "1", "--timeout", "0.5"], capture_output=True, text=True)
    return '"time"' in result.stdout


read_until("stratumd> ")
out = command("status\r", "stratum 1")
if "satellites used" not in out:
    fail("status does not show the satellites in use")
# Line editing: "tatus", Ctrl-A to the start, "s": the shell runs "status".
command("tatus\x01s\r", "state:      locked")
command("show sources\r", "SIM_GPS(0)")
command("add restrict 127.0.0.2 ignore\r", "ok")
command("diff\r", "+restrict 127.0.0.2 ignore")
if not ntp_answers("127.0.0.2"):
    fail("127.0.0.2 not served before the change")
command("apply 2\r", "watching for 2 s")
if ntp_answers("127.0.0.2"):
    fail("127.0.0.2 still served after apply")
if not ntp_answers("127.0.0.1"):
    fail("127.0.0.1 not served after apply")
out = command("add restrict 127.0.0.3 bogus\r", "refused:")
if "unknown restrict flag 'bogus'" not in out:
    fail("the refusal does not give the reason")
# History: the up arrow brings the refused line back; it is refused again.
command("\x1b[A\r", "unknown restrict flag 'bogus'")
if not ntp_answers("127.0.0.1"):
    fail("a refused change stopped the service")
deadline = time.monotonic() + 10  # the first apply's 2 s watch ends and keeps it
while "the applied configuration is kept" not in command("log 3\r"):
    if time.monotonic() > deadline:
        fail("the first apply was not kept")
    time.sleep(0.2)
# Tab completion: "sho<Tab>run<Tab>" is "show running".
command("sho\trun\t\r", "restrict 127.0.0.2 ignore")
# Cut loopback off: the daemon stops answering its own probe, and the change is undone.
command("add restrict 127.0.0.1 ignore\r", "ok")
command("apply 3\r", "watching for 3 s")
if ntp_answers("127.0.0.1"):
    fail("127.0.0.1 still served right after the cutting change")
deadline = time.monotonic() + 15
while True:
    out = command("log 3\r")
    if "apply rolled back: the daemon stopped answering NTP on 127.0.0.1" in out:
        break
    if time.monotonic() > deadline:
        fail("the cutting change was not rolled back")
    time.sleep(0.5)
if not ntp_answers("127.0.0.1"):
    fail("127.0.0.1 not served after the rollback")
out = command("show running\r")
if "127.0.0.1 ignore" in out or "127.0.0.2 ignore" not in out:
    fail("the running configuration after rollback is not the one kept before")
os.write(fd, b"quit\r")
_, status = os.waitpid(pid, 0)
if os.waitstatus_to_exitcode(status) != 0:
    fail("stratumctl did not exit cleanly")
print("".join(transcript))
print("PASS: console session on a pty")
