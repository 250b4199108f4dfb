# Upstream servers by name: `server NAME` and `pool NAME` resolve at run time (an /etc/hosts of
# the test's own in a private mount namespace: no DNS). Two simulated stratumd servers listen on
# 127.0.0.2 and 127.0.0.3; a third stratumd on port 1123 follows them. A pool member that never
# answers (127.0.0.4) is dropped after eight polls and replaced by an address the name gives now.
private_mounts=1
source "$(dirname "$0")/lib.sh"

printf '127.0.0.1 localhost\n127.0.0.2 time.test\n127.0.0.2 pool.test\n127.0.0.4 pool.test\n' >"$work/hosts"
mount --bind "$work/hosts" /etc/hosts
for n in 2 3; do
  ip addr add "127.0.0.$n/32" dev lo
  printf 'interface ignore all\ninterface listen 127.0.0.%s\n' "$n" >"$work/server$n.conf"
  "$STRATUMD" --simulate -n -x --console-socket none -c "$work/server$n.conf" >"$work/server$n.log" 2>&1 &
  helper_pids+=($!)
done
server_stratum_1() { probe query "127.0.0.$1" --timeout 0.5 2>/dev/null | grep -q '"stratum": 1,'; }
retry_until 40 server_stratum_1 2 || fail "the server on 127.0.0.2 never served stratum 1"
retry_until 20 server_stratum_1 3 || fail "the server on 127.0.0.3 never served stratum 1"
client_stratum_2() {
  probe query 127.0.0.1 --port 1123 --timeout 0.5 2>/dev/null | grep -q '"stratum": 2,'
}

# server NAME
printf 'server time.test iburst\n' >"$work/named.conf"
start_daemon -n -x --port 1123 --console-socket none -c "$work/named.conf"
retry_until 10 grep -q "server time.test: using 127.0.0.2" "$work/daemon.log" || fail "time.test was not resolved"
retry_until 45 client_stratum_2 || fail "no stratum 2 from server time.test"
stop_daemon

# pool NAME, with a dead member. `restrict source` lets the members (and only them) query mode 6,
# which the default line refuses: it follows the members as they are replaced.
printf 'pool pool.test iburst\nrestrict default noquery\nrestrict source nomodify\n' >"$work/pool.conf"
ip addr add 127.0.0.5/32 dev lo
answers_mode6() {  # answers_mode6 SOURCE: the daemon answers a READVAR from it
  PYTHONPATH=$here python3 -c 'import sys; from udp_ask import READVAR, ask
sys.exit(0 if ask(READVAR, source=sys.argv[1], port=1123) else 1)' "$1"
}
start_daemon -n -x --port 1123 --console-socket none -c "$work/pool.conf"
retry_until 10 grep -q "pool pool.test: using 127.0.0.2, 127.0.0.4" "$work/daemon.log" ||
  fail "pool.test did not give both members"
retry_until 5 answers_mode6 127.0.0.2 || fail "restrict source: a pool member was refused mode 6"
answers_mode6 127.0.0.4 || fail "restrict source: the other member was refused mode 6"
answers_mode6 127.0.0.5 && fail "restrict default noquery: a host outside the pool was answered"
# From now on the name also gives 127.0.0.3 (written in place: the bind mount follows the file),
# before the dead member can be dropped (its iburst's eight requests, some 16 s).
printf '127.0.0.1 localhost\n127.0.0.2 pool.test\n127.0.0.4 pool.test\n127.0.0.3 pool.test\n' >"$work/hosts"
# The clock is set from the estimate of the burst's samples, once they are in (some 20 s).
retry_until 45 client_stratum_2 || fail "no stratum 2 from the pool"
retry_until 60 grep -q "pool pool.test: dropping 127.0.0.4 (unreachable)" "$work/daemon.log" ||
  fail "the dead member was not dropped: $(grep -v state= "$work/daemon.log")"
retry_until 20 grep -q "pool pool.test: using 127.0.0.3" "$work/daemon.log" ||
  fail "the dropped member was not replaced: $(grep -v state= "$work/daemon.log")"
retry_until 30 client_stratum_2 || fail "no stratum 2 after the replacement"
# The policy follows the associations once a second.
retry_until 5 answers_mode6 127.0.0.3 || fail "restrict source: the new member was refused mode 6"
refuses_mode6() { ! answers_mode6 "$1"; }
retry_until 5 refuses_mode6 127.0.0.4 || fail "restrict source: the dropped member is still answered"
grep -c "dropping" "$work/daemon.log" | grep -qx 1 || fail "a live member was dropped too"
echo "PASS"
