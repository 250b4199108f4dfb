# Mode 6 for the tools operators already use: ntpstat says unsynchronised before lock and
# synchronised after; NTPsec's ntpq lists the reference clock with its tally and reads the system
# and clock variables; `restrict noquery` is honoured; writes are refused; garbage is dropped;
# without restrict lines mode 6 is answered on the loopback only; the MRU list (ntpq mrulist,
# monstats, iostats, ntpmon) with its nonce handshake and `nomrulist`.
source "$(dirname "$0")/lib.sh"

# ntpq's ifstats and reslist need the control key: key 1 is it, key 2 is trusted but is not.
cat >"$work/keys" <<'KEYS'
1 SHA1 0123456789abcdef0123456789abcdef01234567
2 MD5 not-the-control-key
KEYS
chmod 600 "$work/keys"
cat >"$work/ntp.conf" <<CONF
keys $work/keys
trustedkey 1 2
controlkey 1
leapfile /usr/share/zoneinfo/leap-seconds.list
restrict default noquery
restrict 127.0.0.1
restrict ::1
restrict 127.0.0.3 nomrulist
restrict 127.0.0.4
CONF
[[ -x ${NTPQ:-} ]] || cannot_run "NTPsec's ntpq is not at '${NTPQ:-}' (scripts/test unpacks it)"
start_daemon --simulate -n -x -c "$work/ntp.conf" --console-socket "$work/console.sock"
retry_until 10 probe query 127.0.0.1 --timeout 0.5 >/dev/null || fail "the daemon never answered"

# Before the simulated receiver has locked (that takes five PPS seconds): unsynchronised.
set +e
ntpstat >"$work/ntpstat.out" 2>&1
status=$?
set -e
cat "$work/ntpstat.out"
[[ $status -eq 1 ]] || fail "ntpstat before lock exited $status, expected 1: $(cat "$work/ntpstat.out")"
grep -q unsynchronised "$work/ntpstat.out" || fail "ntpstat did not say unsynchronised"

ntpstat_synchronised() { ntpstat >"$work/ntpstat.out" 2>&1; }
retry_until 30 ntpstat_synchronised || fail "ntpstat never said synchronised: $(cat "$work/ntpstat.out")"
cat "$work/ntpstat.out"
grep -q 'synchronised to atomic clock at stratum 1' "$work/ntpstat.out" || fail "ntpstat output: $(cat "$work/ntpstat.out")"

"$NTPQ" -p 127.0.0.1 >"$work/peers.out" 2>&1 || fail "ntpq -p failed: $(cat "$work/peers.out")"
cat "$work/peers.out"
grep -Eq '^oSIM_GPS\(0\) +\.PPS\. +0 l ' "$work/peers.out" || fail "ntpq -p does not list the PPS peer with 'o'"
"$NTPQ" -c rv 127.0.0.1 >"$work/rv.out" 2>&1 || fail "ntpq -c rv failed"
cat "$work/rv.out"
for want in 'leap_none' 'sync_pps' 'stratum=1' 'refid=PPS' 'tc=4' 'frequency='; do
  grep -q "$want" "$work/rv.out" || fail "ntpq -c rv lacks $want"
done
# Named variables: only those come back.
"$NTPQ" -c 'rv 0 stratum,refid' 127.0.0.1 >"$work/rv-named.out" 2>&1 || fail "ntpq -c 'rv 0 stratum,refid' failed"
cat "$work/rv-named.out"
grep -q 'stratum=1' "$work/rv-named.out" && grep -q 'refid=PPS' "$work/rv-named.out" ||
  fail "named rv lacks what was asked for"
grep -q 'frequency=' "$work/rv-named.out" && fail "named rv answered variables not asked for"
# The leap table as ntpd shows it: TAI - UTC, its last leap and its expiry (yyyymmddhhmm, UTC).
expires=$(awk '/^#@/ { print $2 - 2208988800 }' /usr/share/zoneinfo/leap-seconds.list)
last=$(awk '!/^#/ && NF >= 2 { last = $1; tai = $2 } END { print last - 2208988800, tai }' /usr/share/zoneinfo/leap-seconds.list)
want="tai=${last#* }, leapsec=$(date -u -d "@${last% *}" +%Y%m%d%H%M), expire=$(date -u -d "@$expires" +%Y%m%d%H%M)"
"$NTPQ" -c 'rv 0 tai,leapsec,expire' 127.0.0.1 >"$work/rv-leap.out" 2>&1 || fail "ntpq -c 'rv 0 tai,leapsec,expire' failed"
cat "$work/rv-leap.out"
grep -qF "$want" "$work/rv-leap.out" || fail "rv 0 tai,leapsec,expire: $(cat "$work/rv-leap.out"), wanted $want"
# ntpq's summaries: sysinfo, sysstats, kerninfo (named-only system variables).
for view in sysinfo sysstats kerninfo; do
  "$NTPQ" -c "$view" 127.0.0.1 >"$work/$view.out" 2>&1 || fail "ntpq -c $view failed: $(cat "$work/$view.out")"
  grep -q '^\*\*\*\|???' "$work/$view.out" && fail "ntpq -c $view: $(cat "$work/$view.out")"  # ntpq's error and unknown marks
  cat "$work/$view.out"
done
grep -Eq '^system peer: +127\.127\.' "$work/sysinfo.out" || fail "sysinfo has no system peer"
# ntpd's processor is uname's machine (NTPsec's sysinfo does not print it; rv does).
"$NTPQ" -c 'rv 0 processor' 127.0.0.1 >"$work/rv-processor.out" 2>&1 || fail "ntpq -c 'rv 0 processor' failed"
grep -qF "processor=\"$(uname -m)\"" "$work/rv-processor.out" || fail "processor: $(cat "$work/rv-processor.out")"
grep -Eq '^packets received: +[1-9]' "$work/sysstats.out" || fail "sysstats counts no packets"
grep -Eq '^current version: +[1-9]' "$work/sysstats.out" || fail "sysstats counts no NTPv4 packet"
grep -Eq '^pll time constant: +[0-9]+' "$work/kerninfo.out" || fail "kerninfo has no time constant"
"$NTPQ" -c 'cv 1' 127.0.0.1 >"$work/cv.out" 2>&1 || fail "ntpq -c cv failed"
grep -q 'name="SIM_GPS(0)"' "$work/cv.out" || fail "ntpq -c cv: $(cat "$work/cv.out")"

# The MRU list: five time requests from 127.0.0.2 (two of them NTPv3) and this host's queries.
PYTHONPATH=$here python3 -c '
from udp_ask import ask
for version in (4, 4, 4, 3, 3):
  assert ask(bytes([(version << 3) | 3]) + bytes(47), source="127.0.0.2") is not None' ||
  fail "no time for 127.0.0.2"
"$NTPQ" -c mrulist 127.0.0.1 >"$work/mrulist.out" 2>&1 || fail "ntpq -c mrulist failed: $(cat "$work/mrulist.out")"
cat "$work/mrulist.out"
# lstint avgint rstr r m v count score drop rport address: the latest was a v3 client request.
grep -Eq '^ +[0-9]+ +[0-9.]+ +0 \. 3 3 +5 +- +0 +[0-9]+ 127\.0\.0\.2$' "$work/mrulist.out" ||
  fail "mrulist does not show 127.0.0.2's five requests"
grep -Eq ' 6 2 +[0-9]+ .* (localhost|127\.0\.0\.1)$' "$work/mrulist.out" ||
  fail "mrulist does not show ntpq's own mode 6 requests"
"$NTPQ" -c 'mrulist mincount=5' -n 127.0.0.1 >"$work/mrulist-5.out" 2>&1 || fail "mrulist mincount=5 failed"
grep -q '127.0.0.2$' "$work/mrulist-5.out" || fail "mincount=5 dropped 127.0.0.2: $(cat "$work/mrulist-5.out")"
# monstats and iostats: ntpq prints "?" for what is not kept; the counters must be there.
retry_until 5 bash -c '"$0" -c monstats 127.0.0.1 | grep -Eq "^addresses in use: +[1-9]"' "$NTPQ" ||
  fail "monstats: $("$NTPQ" -c monstats 127.0.0.1 2>&1)"
"$NTPQ" -c monstats -c iostats 127.0.0.1 >"$work/stats.out" 2>&1 || fail "ntpq monstats/iostats failed"
cat "$work/stats.out"
grep -Eq '^maximum addresses: +[1-9]' "$work/stats.out" || fail "monstats has no maximum"
grep -Eq '^alloc: new: +[1-9]' "$work/stats.out" || fail "monstats counts no new client"
grep -Eq '^received packets: +[1-9]' "$work/stats.out" || fail "iostats counts no packet received"
grep -Eq '^packets sent: +[1-9]' "$work/stats.out" || fail "iostats counts no packet sent"
# Every variable ntpq's monstats, iostats, authinfo and timerstats ask for is answered in one go
# (for an unknown one ntpq retries them one at a time and prints ??? for those missing).
for view in monstats iostats authinfo timerstats; do
  "$NTPQ" -c "$view" 127.0.0.1 >"$work/$view.out" 2>&1 || fail "ntpq -c $view failed: $(cat "$work/$view.out")"
  grep -q 'Unknown variable\|?\|^\*\*\*' "$work/$view.out" && fail "ntpq -c $view: $(cat "$work/$view.out")"
done
cat "$work/authinfo.out" "$work/timerstats.out"
grep -Eq '^stored keys: +2$' "$work/authinfo.out" || fail "authinfo does not count the two keys"
grep -Eq '^useful input wakeups: +[1-9]' "$work/iostats.out" || fail "iostats counts no useful wakeup"
# Under -x kerninfo shows the in-process clock's loop, and says so.
grep -Eq '^kernel status: +virtual clock \(-x\)' "$work/kerninfo.out" || fail "kerninfo under -x: $(cat "$work/kerninfo.out")"

# ifstats and reslist, signed with the control key as ntpd requires; another trusted key is refused.
"$NTPQ" -k "$work/keys" -a 1 -c ifstats 127.0.0.1 >"$work/ifstats.out" 2>&1 || fail "ntpq ifstats failed"
cat "$work/ifstats.out"
# The IPv4 wildcard socket, enabled, has received and sent (the address on the next line).
grep -Eq '^ +[0-9]+ wildcard +\. +[0-9a-f]+ +[1-9][0-9]* +[1-9][0-9]* +0 ' "$work/ifstats.out" ||
  fail "ifstats shows no enabled socket with traffic"
grep -Eq '^ +0\.0\.0\.0:123$' "$work/ifstats.out" && grep -Eq '^ +\[::\]:123$' "$work/ifstats.out" ||
  fail "ifstats does not list the IPv4 and IPv6 wildcard sockets"
"$NTPQ" -k "$work/keys" -a 1 -c reslist 127.0.0.1 >"$work/reslist.out" 2>&1 || fail "ntpq reslist failed"
cat "$work/reslist.out"
python3 - "$work/reslist.out" <<'PY' || fail "reslist does not show the restrict lines with their hits"
import re, sys
lines = open(sys.argv[1]).read().splitlines()
entries = {}
for first, second in zip(lines, lines[1:]):
    m = re.match(r"^ +(\d+) (\S+/\d+)$", first)
    if m:
        entries[m.group(2)] = (int(m.group(1)), second.strip())
assert entries["0.0.0.0/0"][1] == "noquery", entries
assert entries["::/0"][1] == "noquery", entries
assert entries["127.0.0.3/32"][1] == "nomrulist", entries
assert entries["127.0.0.1/32"][1] == "none" and entries["127.0.0.1/32"][0] > 0, entries
assert entries["0.0.0.0/0"][0] >= 5, entries  # 127.0.0.2's five time requests
PY
"$NTPQ" -k "$work/keys" -a 2 -c reslist 127.0.0.1 >"$work/reslist-2.out" 2>&1
grep -q 'PERMISSION' "$work/reslist-2.out" || fail "reslist with a key that is not the control key: $(cat "$work/reslist-2.out")"
# authinfo counts those: three keys looked up; the two signed with the control key checked
# (SHA-1) and answered signed; the other refused without a check.
authinfo_counts_keyed_queries() {
  "$NTPQ" -c authinfo 127.0.0.1 >"$work/authinfo.out" 2>&1 &&
    grep -Eq '^key lookups: +[3-9]' "$work/authinfo.out" &&
    grep -Eq '^digest decryptions: +[2-9]' "$work/authinfo.out" &&
    grep -Eq '^digest encryptions: +[2-9]' "$work/authinfo.out"
}
retry_until 5 authinfo_counts_keyed_queries || fail "authinfo after keyed queries: $(cat "$work/authinfo.out")"
# stratumctl's status counts the ntpq queries answered beside the time requests.
"$STRATUMCTL" --socket "$work/console.sock" -c status >"$work/status.out" || fail "no console"
grep -Eq '^clients: .*, [1-9][0-9]* ntpq queries answered,' "$work/status.out" ||
  fail "stratumctl status: $(cat "$work/status.out")"

# ntpmon, NTPsec's top-like monitor, on a terminal: the peer and the MRU list, then 'q'.
python3 "$here/run_on_pty.py" --until 'SIM_GPS(0)' --until 'lstint avgint' --until '127.0.0.2' \
  --keys q --out "$work/ntpmon.out" -- "$NTPMON" -n 127.0.0.1 ||
  fail "ntpmon did not show the peer and the MRU list and quit: $(tail -c 600 "$work/ntpmon.out" | cat -v)"

# Raw mode 6: noquery from 127.0.0.2, a write, and malformed control packets.
PYTHONPATH=$here python3 - <<'PY' || fail "raw mode 6 checks failed"
from udp_ask import READVAR as readvar, ask
assert ask(readvar) is not None, "no answer to READVAR from 127.0.0.1"
assert ask(readvar, source="127.0.0.2") is None, "noquery: 127.0.0.2 got a mode 6 answer"
# READCLOCK of the simulated receiver: one fragment, its RMC sentence as timecode, within the
# bound docs/monitoring.md states.
readclock = ask(bytes([0x16, 0x04, 0, 1, 0, 0, 0, 1, 0, 0, 0, 0]))
assert readclock is not None and not readclock[1] & 0x60, readclock
assert b'timecode="$GPRMC,' in readclock and len(readclock) <= 240, (len(readclock), readclock)
write = bytes([0x16, 0x03, 0, 2, 0, 0, 0, 0, 0, 0, 0, 0])
reply = ask(write)
assert reply is not None and reply[1] & 0x40, "a write was not refused with the error bit"
for junk in (readvar[:11], bytes([0x16, 0x82]) + readvar[2:], readvar[:10] + bytes([1, 0])):
    assert ask(junk) is None, "a malformed control packet was answered: %r" % junk

# The MRU list asks for a nonce first; one handed to another address, or none, draws nothing,
# and `nomrulist` is refused with the permission error.
def control(opcode, data=b""):
    header = bytes([0x16, opcode, 0, 7, 0, 0, 0, 0, 0, 0, len(data) >> 8, len(data) & 0xFF])
    return header + data + bytes(-len(data) % 4)
def nonce(source):
    reply = ask(control(12), source=source)
    assert reply is not None and not reply[1] & 0x40, "no nonce for %s" % source
    count = reply[10] << 8 | reply[11]
    return reply[12:12 + count]
mine = nonce("127.0.0.1")
assert mine.startswith(b"nonce="), mine
assert ask(control(10, mine + b", frags=4")) is not None, "the MRU list with a good nonce drew nothing"
assert ask(control(10, mine + b", frags=4"), source="127.0.0.4") is None, "another address's nonce was accepted"
assert ask(control(10, b"frags=4"), source="127.0.0.4") is None, "an MRU request without a nonce was answered"
theirs = nonce("127.0.0.3")
reply = ask(control(10, theirs + b", frags=4"), source="127.0.0.3")
assert reply is not None and reply[1] & 0x40 and reply[4] == 1, "nomrulist was not refused: %r" % reply
print("raw mode 6 checks passed")
PY
stop_daemon

# No restrict lines at all: the built-in default answers mode 6 only on the loopback. A source
# outside 127/8 (an address of this namespace's own) gets time, but no READVAR.
ip addr add 10.99.0.1/32 dev lo
start_daemon --simulate -n -x --console-socket none
retry_until 10 probe query 127.0.0.1 --timeout 0.5 >/dev/null || fail "the daemon never answered"
PYTHONPATH=$here python3 - <<'PY' || fail "the built-in default does not keep mode 6 to the loopback"
from udp_ask import READVAR as readvar, ask
time_request = bytes([0x23]) + bytes(47)
assert ask(readvar, "127.0.0.2") is not None, "no READVAR answer on the loopback"
assert ask(time_request, "10.99.0.1") is not None, "no time for a non-local source"
assert ask(readvar, "10.99.0.1") is None, "a non-local source got a READVAR answer"
PY
stop_daemon

# Mode 6 opened to a network (no `limited`): another host's requests are still held to a burst
# and an average rate, so a spoofed source cannot make the daemon reflect at will; the host's
# own tools (loopback) are not held.
cat >"$work/open.conf" <<CONF
restrict default noquery
restrict 10.99.0.0/24
restrict 127.0.0.0 mask 255.0.0.0
CONF
start_daemon --simulate -n -x --console-socket none -c "$work/open.conf"
retry_until 10 probe query 127.0.0.1 --timeout 0.5 >/dev/null || fail "the daemon never answered"
PYTHONPATH=$here python3 - <<'PY' || fail "mode 6 from another host is not rate-limited"
import socket, time
from udp_ask import READVAR as readvar
def flood(source, count=80):
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    s.bind((source, 0))
    s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 1 << 20)
    for _ in range(count):
        s.sendto(readvar, ("127.0.0.1", 123))
    s.settimeout(0.5)
    answered = 0
    try:
        while True:
            s.recvfrom(2048)
            answered += 1
    except socket.timeout:
        return answered
remote, local = flood("10.99.0.1"), flood("127.0.0.2")
print("80 READVARs at once: %d answered from 10.99.0.1, %d from 127.0.0.2" % (remote, local))
assert 20 <= remote <= 32, remote
assert local == 80, local
PY
echo "PASS: ntpstat, ntpq -p/rv/cv/mrulist/monstats/iostats, ntpmon, MRU nonces and nomrulist, noquery, refused writes, malformed control packets; mode 6 only local by default; rate-limited for other hosts"
