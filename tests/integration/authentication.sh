# Symmetric-key authentication against NTPsec's ntpdig: SHA-1, MD5 and AES-128-CMAC keys from an
# ntpd keys file succeed with the right key and fail with a wrong one (a crypto-NAK, no time);
# `restrict notrust` serves only authenticated clients. Then stratumd's own upstream association
# with `key N`: signed requests, only authenticated replies believed — key 1 (SHA-1) and 3
# (AES-128-CMAC) synchronise a second stratumd; a key the server does not trust, and another
# secret under a trusted ID, get crypto-NAKs, which are refused (anyone can send one).
source "$(dirname "$0")/lib.sh"

cat >"$work/ntp.keys" <<'KEYS'
# id type key
1 SHA1 0123456789abcdef0123456789abcdef01234567
2 MD5 md5secret
3 AES-128 000102030405060708090a0b0c0d0e0f
4 SHA1 nottrusted
KEYS
chmod 600 "$work/ntp.keys"
sed 's/md5secret/wrongpass/; s/^1 SHA1 0/1 SHA1 f/' "$work/ntp.keys" >"$work/wrong.keys"
chmod 600 "$work/wrong.keys"
cat >"$work/ntp.conf" <<CONF
keys $work/ntp.keys
trustedkey 1 2 3
restrict default notrust
restrict 127.0.0.1
CONF
start_daemon --simulate -n -x -c "$work/ntp.conf"
wait_for_stratum_1

for key in 1 2 3; do
  ntpdig -k "$work/ntp.keys" -a "$key" 127.0.0.1 >"$work/key$key.out" 2>&1 ||
    fail "key $key was refused: $(cat "$work/key$key.out")"
  grep -q ' 127.0.0.1 s1 ' "$work/key$key.out" || fail "key $key: no stratum-1 time: $(cat "$work/key$key.out")"
done
for key in 1 2; do
  if ntpdig -k "$work/wrong.keys" -a "$key" 127.0.0.1 >"$work/wrong$key.out" 2>&1; then
    fail "a wrong key $key was accepted: $(cat "$work/wrong$key.out")"
  fi
  grep -q ' s1 ' "$work/wrong$key.out" && fail "a wrong key $key got time"
done
# The untrusted key and a garbage digest get a crypto-NAK: 52 bytes, key ID 0, no time.
python3 - <<'PY' || fail "no crypto-NAK"
import socket, struct
for key_id, digest in ((4, b"\x00" * 20), (2, b"\x11" * 16)):
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    s.settimeout(2)
    s.sendto(bytes([0x23]) + bytes(47) + struct.pack("!I", key_id) + digest, ("127.0.0.1", 123))
    reply = s.recv(1024)
    assert len(reply) == 52 and reply[48:52] == b"\x00" * 4, reply
PY
# notrust: 127.0.0.2 is served only when authenticated.
probe burst 127.0.0.1 --bind 127.0.0.2 --count 1 --timeout 0.5 | grep -q '"none"' ||
  fail "restrict notrust served an unauthenticated client"
ntpdig -k "$work/ntp.keys" -a 1 127.0.0.1 >/dev/null 2>&1 || fail "127.0.0.1 (trusted entry) failed"

# A second stratumd on port 1123 using this one as its `server ... key N`.
client_log=$work/client.log
start_client() {  # KEYFILE KEY-ID
  cat >"$work/client.conf" <<CONF
keys $1
trustedkey $2
server 127.0.0.1 key $2 iburst
CONF
  "$STRATUMD" -n -x --port 1123 --console-socket none -c "$work/client.conf" >"$client_log" 2>&1 &
  client_pid=$!
  helper_pids+=($client_pid)
}
stop_client() { kill "$client_pid"; wait "$client_pid" 2>/dev/null || true; }
client_stratum_2() {
  probe query 127.0.0.1 --port 1123 --timeout 0.5 2>/dev/null | grep -q '"stratum": 2,'
}
for key in 1 3; do
  start_client "$work/ntp.keys" "$key"
  retry_until 30 client_stratum_2 || fail "upstream with key $key: no stratum 2: $(cat "$client_log")"
  stop_client
done
start_client "$work/ntp.keys" 4
retry_until 20 grep -q "server 127.0.0.1: reply is a crypto-NAK: ignored" "$client_log" ||
  fail "a crypto-NAK was not refused: $(cat "$client_log")"
client_stratum_2 && fail "the client followed crypto-NAKs"
stop_client
start_client "$work/wrong.keys" 1
retry_until 20 grep -q "server 127.0.0.1: reply is a crypto-NAK: ignored" "$client_log" ||
  fail "another secret under key 1: the crypto-NAK was not refused: $(cat "$client_log")"
client_stratum_2 && fail "the client followed replies it cannot authenticate"
stop_client
echo "PASS: SHA-1, MD5 and AES-128-CMAC keys with ntpdig; wrong keys refused; notrust; upstream key N"
