# Bad packets for the associations: a stratumd with no reference clock, `broadcastclient`, a
# trusted SHA-1 key and `restrict default nopeer` receives broadcasts without a MAC, with a wrong
# digest, an unknown key, a truncated or odd-length MAC, zero transmit times, kisses, replays,
# and symmetric calls unauthenticated or with bad MACs. None of it crashes the daemon, none of it
# sets its clock (it stays unsynchronised), no symmetric association is made, and the broadcast
# client's counters say why each was refused.
source "$(dirname "$0")/lib.sh"

printf '1 SHA1 0123456789abcdef0123456789abcdef01234567\n' >"$work/keys"
chmod 600 "$work/keys"
cat >"$work/ntp.conf" <<CONF
keys $work/keys
trustedkey 1
broadcastclient novolley
restrict default nopeer
CONF
start_daemon -n -x --console-socket none -c "$work/ntp.conf"
retry_until 10 probe query 127.0.0.1 --timeout 0.5 >/dev/null || fail "the daemon never answered"

python3 - <<'PY' || fail "could not send the packets"
import hashlib, os, socket, struct, time
KEY = bytes.fromhex("0123456789abcdef0123456789abcdef01234567")
EPOCH = 2208988800
def header(mode, stratum=1, leap=0, xmt=None, org=0, rec=0):
    now = time.time() if xmt is None else xmt
    t = int((now + EPOCH) * 2**32) if now else 0
    return struct.pack("!BBbbIII", (leap << 6) | (4 << 3) | mode, stratum, 6, -20, 0, 0,
                       0x47505300) + struct.pack("!QQQQ", max(t - 2**32, 0), org, rec, t)
def mac(packet, key_id=1, key=KEY):
    return packet + struct.pack("!I", key_id) + hashlib.sha1(key + packet).digest()
def garbage(n):
    # Random bytes in a reserved mode (0): `packets * 3` sends the same bytes three times, so a
    # random mode 5 would be three more bad broadcasts and the counts below would be luck.
    b = bytearray(os.urandom(n))
    if b:
        b[0] &= 0xF8
    return bytes(b)
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.bind(("127.0.0.2", 0))
signed = mac(header(5))
packets = [
    header(5),                                   # no MAC
    header(5) + struct.pack("!I", 1) + bytes(20),  # wrong digest
    mac(header(5), key_id=9),                    # unknown key
    mac(header(5))[:60],                         # truncated MAC
    mac(header(5)) + b"\x00\x00",                # odd length
    header(5) + struct.pack("!I", 0),            # a crypto-NAK from a broadcaster
    mac(header(5, xmt=0)),                       # zero transmit
    mac(header(5, stratum=0)),                   # a kiss
    mac(header(5, leap=3)),                      # unsynchronised
    signed, signed, signed,                      # a replay (the first one is new)
    header(1),                                   # an unauthenticated call: nopeer
    mac(header(1), key_id=9),                    # a call with an unknown key
    header(1) + struct.pack("!I", 1) + bytes(20),  # a call with a wrong digest
    header(2),                                   # a passive packet from nobody we know
    garbage(48), garbage(47), b"", garbage(1100),
]
for p in packets * 3:
    s.sendto(p, ("127.0.0.1", 123))
PY

# The daemon still answers, unsynchronised; the counters of the broadcast client say why.
retry_until 10 probe query 127.0.0.1 --timeout 0.5 >"$work/after.json" || fail "the daemon stopped answering"
grep -q '"leap": 3' "$work/after.json" || fail "a bad packet set the clock: $(cat "$work/after.json")"
grep -q "symmetric passive association" "$work/daemon.log" && fail "a bad call made an association"
grep -q "symmetric peer 127.0.0.2 refused (restrict nopeer)" "$work/daemon.log" || fail "the unauthenticated call was not refused"
grep -q "broadcaster 127.0.0.2 refused (restrict nopeer)" "$work/daemon.log" ||
  fail "an unauthenticated broadcaster was not refused before it had an association"
[[ -x ${NTPQ:-} ]] || cannot_run "NTPsec's ntpq is not at '${NTPQ:-}' (scripts/test unpacks it)"
# The broadcast client is the daemon's one association: its id as `ntpq -c as` lists it.
counters_seen() {
  local assid
  assid=$("$NTPQ" -c as 127.0.0.1 | awk 'NR > 2 && $2 ~ /^[0-9]+$/ { print $2; exit }')
  [[ -n $assid ]] &&
    "$NTPQ" -c "rv $assid received,badauth,oldpkt,refused,flash" 127.0.0.1 >"$work/rv.out" 2>&1 &&
    python3 - "$work/rv.out" <<'PY'
import re, sys
text = open(sys.argv[1]).read()
v = {k: int(n) for k, n in re.findall(r"(received|badauth|oldpkt|refused)=(\d+)", text)}
# Three batches of: 4 MAC failures (none, wrong digest, unknown key, crypto-NAK); a zero
# transmit (3 refused); a kiss and an unsynchronised one (refused in the first batch, replays in
# the others); the signed broadcast, older than the kiss signed after it, a replay each time (the
# truncated and odd-length ones are dropped before, as malformed; identical copies in a row are
# kept once). The first batch's MAC failures come before any association exists: refused at the
# door (restrict nopeer), not counted by one.
assert v["badauth"] == 4 * 2 and v["refused"] == 3 + 2 and v["oldpkt"] == 3 + 2 * 2, v
assert v["received"] == 0, v
PY
}
retry_until 10 counters_seen || fail "the broadcast client's counters: $(cat "$work/rv.out")"
cat "$work/rv.out"
kill -0 "$daemon_pid" || fail "the daemon died"
echo "PASS"
