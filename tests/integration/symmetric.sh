# Symmetric mode between two hosts (this namespace and a second one joined by a veth pair). The
# stratumd here has a simulated GPS, `restrict default nopeer` and no peer line: a calling peer
# gets an ephemeral passive association only when it authenticates with a trusted key. First an
# unauthenticated stratumd there calls with `peer` and is refused; then one signing with SHA-1
# key 1: both sides list each other (ntpq 's' there, 'S' here), packets flow both ways and
# verify, and the caller follows at stratum 2.
source "$(dirname "$0")/lib.sh"
[[ -x ${NTPQ:-} ]] || cannot_run "NTPsec's ntpq was not unpacked"
make_second_host

printf '1 SHA1 0123456789abcdef0123456789abcdef01234567\n' >"$work/keys"
chmod 600 "$work/keys"
cat >"$work/here.conf" <<CONF
keys $work/keys
trustedkey 1
restrict default nopeer
CONF
start_daemon --simulate -n -x --console-socket none -c "$work/here.conf"
wait_for_stratum_1

# An unauthenticated caller: refused (restrict nopeer), never answered as a peer.
printf 'peer 10.77.0.1 minpoll 3\n' >"$work/unsigned.conf"
ip netns exec "$peer_ns" "$STRATUMD" -n -x --console-socket none -c "$work/unsigned.conf" \
  >"$work/there.log" 2>&1 &
helper_pids+=($!)
retry_until 30 grep -q "symmetric peer 10.77.0.2 refused (restrict nopeer)" "$work/daemon.log" ||
  fail "an unauthenticated peer was not refused: $(grep -v state= "$work/daemon.log")"
grep -q "symmetric passive association" "$work/daemon.log" && fail "an unauthenticated peer got an association"
kill "${helper_pids[-1]}"
wait "${helper_pids[-1]}" 2>/dev/null || true

cat >"$work/there.conf" <<CONF
keys $work/keys
trustedkey 1
peer 10.77.0.1 key 1 minpoll 3
CONF
ip netns exec "$peer_ns" "$STRATUMD" -n -x --console-socket none -c "$work/there.conf" \
  >"$work/there.log" 2>&1 &
helper_pids+=($!)
retry_until 90 second_host_serves_stratum_2 || fail "the calling peer never served stratum 2: $(cat "$work/there.json" "$work/there.log")"
grep -q "symmetric passive association with 10.77.0.2 (key 1)" "$work/daemon.log" ||
  fail "no passive association here"

# ntpq on both sides: the association with its mode, reach and a tally, no refused packets.
peer_row_ok() {  # FILE TALLY-REGEX ADDRESS TYPE
  grep -Eq "^$2$3 .* $4 +[0-9a-z-]+ +[0-9]+ +[0-7]*[1-7][0-7]* " "$1"
}
# The passive side polls at 64 s: a valid exchange comes about once a minute, and the tally follows
# the samples; what it shows just after the first one may not be '*' yet.
there_follows() {
  ip netns exec "$peer_ns" "$NTPQ" -p -n 127.0.0.1 >"$work/there.peers" 2>&1 &&
    peer_row_ok "$work/there.peers" '\*' 10.77.0.1 s
}
retry_until 90 there_follows || fail "ntpq there does not show 10.77.0.1 as the 's' system peer: $(cat "$work/there.peers")"
cat "$work/there.peers"
here_listed() {
  "$NTPQ" -p -n 127.0.0.1 >"$work/here.peers" 2>&1 && peer_row_ok "$work/here.peers" '.' 10.77.0.2 S
}
retry_until 30 here_listed || fail "ntpq here does not show 10.77.0.2 as a reachable 'S' peer: $(cat "$work/here.peers")"
cat "$work/here.peers"
# "received" counts packets that carried time: the caller's first packets, sent while it was
# still unsynchronised, only set reach. Its first synchronised packet follows within a poll (8 s)
# of its reaching stratum 2.
counted_here() {
  "$NTPQ" -c "rv 2 received,badauth,bogusorg,oldpkt,keyid" 127.0.0.1 >"$work/here.rv" 2>&1 &&
    grep -Eq "received=[1-9]" "$work/here.rv"
}
retry_until 30 counted_here
cat "$work/here.rv"
grep -q "keyid=1" "$work/here.rv" && grep -q "badauth=0" "$work/here.rv" &&
  grep -Eq "received=[1-9]" "$work/here.rv" || fail "the passive association's counters: $(cat "$work/here.rv")"
echo "PASS"
