# Never a wrong second: a receiver on a pty that lies every third cycle, checksum-valid each time
# (a day ahead, an hour ahead in a GGA-only cycle, demo mode an hour off, hour -1, 31 November, a
# ZDA year of 2263, GP and GN a second apart, a two-digit year 99), NMEA only, configured the ntpd
# way. For a minute the daemon is asked five times a second: every answer it gives as stratum 1
# (LI not 3) is within 50 ms of this host's clock (the truth the writer follows), and it locks and
# keeps serving despite the lies (not deafened by them).
# A /dev of our own (private_dev.sh), where the writer links gps0.
source "$(dirname "$0")/private_dev.sh"
use_private_dev

source "$(dirname "$0")/lib.sh"
start_pty_receiver 0.200 0x10 --lies 3
start_daemon -n -x -c "$work/ntp.conf"

python3 - <<'PY' || fail "a wrong second was served, or the lies deafened the clock"
import json, socket, struct, time
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.settimeout(0.5)
EPOCH = 2208988800
answers = []
end = time.time() + 60
while time.time() < end:
    t1 = time.time()
    s.sendto(bytes([0x23]) + bytes(39) + struct.pack("!Q", int((t1 + EPOCH) * 2**32)), ("127.0.0.1", 123))
    try:
        r = s.recv(128)
    except socket.timeout:
        continue
    t4 = time.time()
    rec, xmt = (struct.unpack("!Q", r[i:i + 8])[0] / 2**32 - EPOCH for i in (32, 40))
    answers.append({"leap": r[0] >> 6, "stratum": r[1], "offset": ((rec - t1) + (xmt - t4)) / 2})
    time.sleep(0.2)
served = [a for a in answers if a["stratum"] == 1 and a["leap"] != 3]
wrong = [a for a in served if abs(a["offset"]) > 0.05]
first = next((i for i, a in enumerate(answers) if a in served), None)
after_lock = answers[first:] if first is not None else []
print(json.dumps({"answers": len(answers), "stratum_1": len(served), "wrong": wrong[:5],
                  "max_offset": max((abs(a["offset"]) for a in served), default=None)}))
assert not wrong, "a wrong time served at stratum 1"
assert served, "never served stratum 1"
assert len(served) >= 0.9 * len(after_lock), "stopped serving after the lock"
PY
grep -c "^lie" "$work/writer.log" | xargs -I{} echo "lies told: {}"
grep -E "NMEA:|stepped" "$work/daemon.log" | head -n 12
echo "PASS: lies every third cycle; never a wrong second at stratum 1, and the time kept"
