# The receive timestamp is the kernel's, not the time a worker got round to the packet: with the
# daemon stopped, a request waits in the socket buffer; when the daemon resumes, its reply's
# receive stamp still says when the request arrived, and its transmit stamp when it was answered.
source "$(dirname "$0")/lib.sh"

start_daemon --simulate -n -x ${STRATUMD_IO:+--io=$STRATUMD_IO}
wait_for_stratum_1

python3 - "$daemon_pid" <<'PY' || fail "the receive stamp is not the kernel's"
import json, os, signal, socket, struct, sys, time
pid = int(sys.argv[1])
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.settimeout(5)
hold = 0.3  # how long the request waits in the socket buffer: the stimulus, not a synchronisation
def all_threads_stopped():
    for task in os.listdir(f"/proc/{pid}/task"):
        with open(f"/proc/{pid}/task/{task}/stat") as f:
            if f.read().rsplit(")", 1)[1].split()[0] != "T":
                return False
    return True

os.kill(pid, signal.SIGSTOP)
try:
    # SIGSTOP is asynchronous: a worker on the other core may still be running for a moment.
    deadline = time.time() + 5
    while not all_threads_stopped():
        assert time.time() < deadline, "the daemon did not stop"
        time.sleep(0.001)
    t1 = time.time()
    xmt = ((int(t1) + 2208988800) << 32) | int((t1 % 1) * 2**32)
    s.sendto(bytes([0x23, 0, 6, 0xEC]) + bytes(36) + struct.pack("!Q", xmt), ("127.0.0.1", 123))
    time.sleep(hold)
finally:
    os.kill(pid, signal.SIGCONT)
reply, _ = s.recvfrom(128)
t4 = time.time()
rec, out = struct.unpack("!QQ", reply[32:48])
to_unix = lambda raw: (raw >> 32) - 2208988800 + (raw & 0xFFFFFFFF) / 2**32
t2, t3 = to_unix(rec), to_unix(out)
print(json.dumps({"t2_minus_t1": t2 - t1, "t3_minus_t2": t3 - t2, "t4_minus_t3": t4 - t3}))
assert struct.unpack("!Q", reply[24:32])[0] == xmt
assert abs(t2 - t1) < 0.01, "T2 is not when the request arrived"
assert t3 - t2 > hold * 0.9, "T3 - T2 does not include the time the request waited"
PY
echo "PASS: T2 comes from the kernel receive stamp"
