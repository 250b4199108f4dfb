# A flood of malformed requests (short, wrong version, mode 7, bad extension fields, oversized)
# gets no reply, is counted, and the daemon keeps answering valid requests.
source "$(dirname "$0")/lib.sh"

# Rate limiting on for everyone but the test client, so each spoofed source below takes a slot in
# the client table.
printf 'restrict default limited kod\nrestrict -6 default limited kod\nrestrict 127.0.0.1\n' >"$work/ntp.conf"
start_daemon --simulate -n -x -c "$work/ntp.conf" ${STRATUMD_IO:+--io=$STRATUMD_IO}
retry_until 10 probe query 127.0.0.1 --timeout 0.5 >/dev/null || fail "the daemon never answered"

probe flood 127.0.0.1 --rounds 200 >"$work/flood.json" || fail "malformed requests were answered: $(cat "$work/flood.json")"
cat "$work/flood.json"
sent=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["sent"])' "$work/flood.json")

# Each dropped packet is counted: the status line's "dropped" reaches the number sent.
wait_for_status_field dropped "$sent" 10 || fail "the daemon did not count $sent dropped requests"
grep 'dropped=' "$work/daemon.log" | tail -n 1

# Spoofed sources: 20000 requests, each from a different 127/8 address (a raw socket writes the
# IP header), then 20000 from other addresses. Each worker's client table is bounded (16384
# entries of 40 bytes) and its pages are backed as clients arrive: the first flood may grow the
# daemon by at most the tables' bound, the second, from sources never seen, must not grow it.
rss_kib() { awk '/^VmRSS:/ { print $2 }' "/proc/$daemon_pid/status"; }
spoofed_flood() {  # $1: which 20000 sources
  python3 - "$1" <<'PY' || fail "could not send the spoofed flood"
import socket, struct, sys
first = int(sys.argv[1]) * 20000
s = socket.socket(socket.AF_INET, socket.SOCK_RAW, socket.IPPROTO_RAW)
ntp = bytes([0x23]) + bytes(47)
udp_len = 8 + len(ntp)
for i in range(first, first + 20000):
    source = 0x7F000002 + i * 7919 % 0xFFFFFD  # spread over 127/8, never 127.0.0.1
    ip = struct.pack("!BBHHHBBH4s4s", 0x45, 0, 20 + udp_len, 0, 0, 64, socket.IPPROTO_UDP, 0,
                     struct.pack("!I", source), socket.inet_aton("127.0.0.1"))
    udp = struct.pack("!HHHH", 1024 + i % 60000, 123, udp_len, 0)
    s.sendto(ip + udp + ntp, ("127.0.0.1", 0))
PY
  probe query 127.0.0.1 >/dev/null || fail "no answer right after the spoofed flood"
}
workers=$(sed -n 's/.* with \([0-9]*\) [a-z]* worker.*/\1/p' "$work/daemon.log" | head -n 1)
bound_kib=$(( ${workers:-1} * 16384 * 40 / 1024 ))
rss_before=$(rss_kib)
spoofed_flood 0
rss_first=$(rss_kib)
spoofed_flood 1
rss_second=$(rss_kib)
echo "RSS before the spoofed floods: $rss_before KiB, after 20000 sources: $rss_first KiB, after 20000 more: $rss_second KiB (client tables' bound: $bound_kib KiB)"
((rss_first - rss_before < bound_kib + 256)) ||
  fail "RSS grew by $((rss_first - rss_before)) KiB under a spoofed flood, beyond the tables' $bound_kib KiB"
((rss_second - rss_first < 256)) ||
  fail "RSS grew by $((rss_second - rss_first)) KiB with 20000 more sources: memory follows the number of sources"

kill -0 "$daemon_pid" || fail "the daemon died under the flood"
probe query 127.0.0.1 >/dev/null || fail "no answer after the flood"
ntpdig 127.0.0.1 >/dev/null 2>&1 || retry_until 30 ntpdig 127.0.0.1 || fail "ntpdig gets no answer after the flood"
echo "PASS: $sent malformed requests dropped and counted; still serving"
