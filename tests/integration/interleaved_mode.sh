# NTP interleaved mode (chronyd's `xleave`): a client that echoes our previous reply's receive
# timestamp as its origin gets, as transmit time, when that previous reply really left. The first
# interleaved reply can only carry the clock read before the earlier send; from then on the
# kernel stamps each reply to that client and the next reply carries the stamp. Clients in basic
# mode, and requests naming a reply we do not know, get basic replies.
source "$(dirname "$0")/lib.sh"

cat >"$work/ntp.conf" <<CONF
metrics listen 127.0.0.1:10123
CONF
start_daemon --simulate -n -x -c "$work/ntp.conf" ${STRATUMD_IO:+--io=$STRATUMD_IO}
wait_for_stratum_1

python3 - <<'PY' || fail "interleaved mode is not served as chronyd's xleave expects"
import os, socket, struct, time
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.settimeout(5)
s.connect(("127.0.0.1", 123))

def ntp_now():
    t = time.time()
    return ((int(t) + 2208988800) << 32) | int((t % 1) * 2**32)

def exchange(origin, receive, transmit):
    s.send(bytes([0x23, 0, 0, 0xEC]) + bytes(12) + struct.pack("!QQQQ", 0, origin, receive, transmit))
    reply = s.recv(128)
    arrived = ntp_now()
    org, rec, xmt = struct.unpack("!QQQ", reply[24:48])
    return org, rec, xmt, arrived

fresh = lambda: struct.unpack("!Q", os.urandom(8))[0] | 1
to_us = lambda raw: raw * 1e6 / 2**32

# Basic: our transmit time echoed; T3 is the clock read before the send.
x1 = fresh()
org1, rx1, tx1_estimate, t4_1 = exchange(0, 0, x1)
assert org1 == x1, "a basic request was not answered in basic mode"

# Interleaved: origin = the receive timestamp of the reply before; receive = when we got it.
# The reply before was basic, so unstamped: its remembered transmit time is the one it carried.
x2 = fresh()
org2, rx2, tx1, t4_2 = exchange(rx1, t4_1, x2)
assert org2 == t4_1, "an interleaved request was answered in basic mode (origin is not our receive time)"
assert rx2 > rx1, "the receive time did not move on"
assert tx1 == tx1_estimate, "the first interleaved reply does not carry the earlier reply's T3"

# From now on each reply is stamped by the kernel as it leaves, and the next one says when.
x3 = fresh()
org3, rx3, tx2, t4_3 = exchange(rx2, t4_2, x3)
assert org3 == t4_2 and rx2 < tx2 < rx3, "the second interleaved exchange failed"
print(f"reply 2: received {rx2:#x}, left {tx2:#x} (+{to_us(tx2 - rx2):.1f} us)")
assert tx2 - rx2 < 2**32 // 100, "the transmit stamp is not within 10 ms of the receive stamp"
x6 = fresh()
org6, rx6, tx3, _ = exchange(rx3, t4_3, x6)
assert org6 == t4_3 and rx3 < tx3 < rx6, "the third interleaved exchange failed"

# Receive equal to transmit: a basic client, whatever its origin says.
x4 = fresh()
org4, _, _, _ = exchange(rx3, x4, x4)
assert org4 == x4, "a basic request (receive == transmit) got an interleaved reply"

# An origin that names no reply of ours: basic.
x5 = fresh()
org5, _, _, _ = exchange(fresh(), fresh(), x5)
assert org5 == x5, "an unknown origin got an interleaved reply"
PY

# The kernel's stamps were read back (replies 2 and 3), and three replies were interleaved.
scrape() { python3 -c 'import urllib.request, sys; sys.stdout.write(urllib.request.urlopen("http://127.0.0.1:10123/metrics", timeout=2).read().decode())'; }
counted() {
  scrape >"$work/metrics.txt" || return 1
  awk '$1 == "stratumd_interleaved_replies_total" && $2 >= 3 { i = 1 }
       $1 == "stratumd_transmit_timestamps_total" && $2 >= 2 { t = 1 } END { exit !(i && t) }' \
    "$work/metrics.txt"
}
retry_until 10 counted || fail "interleaved replies or kernel transmit stamps not counted: $(grep -E 'interleaved|transmit' "$work/metrics.txt")"
echo "PASS: interleaved replies carry the kernel's transmit stamp of the previous reply"
