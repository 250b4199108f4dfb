# `restrict HOST` is resolved at run time, never at parse time: the daemon starts and serves while
# a name does not resolve (said once, retried), and a name applies as soon as it resolves. The
# names come from an /etc/hosts of the test's own (a private mount namespace): no DNS needed.
private_mounts=1
source "$(dirname "$0")/lib.sh"

printf '127.0.0.1 localhost\n127.0.0.5 lab-client.test\n' >"$work/hosts"
mount --bind "$work/hosts" /etc/hosts
cat >"$work/ntp.conf" <<'CONF'
restrict lab-client.test ignore
restrict no-such-host.invalid noserve
CONF
start_daemon --simulate -n -x -c "$work/ntp.conf"
wait_for_stratum_1
retry_until 10 grep -q "restrict lab-client.test: resolved to 127.0.0.5" "$work/daemon.log" ||
  fail "lab-client.test was not resolved"
probe burst 127.0.0.1 --bind 127.0.0.5 --count 2 --timeout 0.5 >"$work/ignored.json"
[[ $(cat "$work/ignored.json") == '["none", "none"]' ]] || fail "127.0.0.5 (lab-client.test ignore) was served"
probe burst 127.0.0.1 --bind 127.0.0.6 --count 1 --timeout 1 | grep -q '"time"' || fail "127.0.0.6 was not served"
retry_until 10 grep -q "cannot resolve no-such-host.invalid: .*; retrying" "$work/daemon.log" ||
  fail "the unresolvable name was not reported"
[[ $(grep -c "cannot resolve no-such-host.invalid" "$work/daemon.log") == 1 ]] || fail "the failure was said more than once"
echo "PASS: restrict host names resolved at run time; an unresolvable one reported and retried"
