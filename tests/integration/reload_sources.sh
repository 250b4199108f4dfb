# A reload that changes the sources, as an operator makes one: stratumd follows three chronyd
# servers (`local stratum 1`, on 127.0.0.2-4 of this test's network namespace, 127.0.0.3 with
# key 1) and serves stratum 2. The file is then edited to add a fourth server (127.0.0.5), remove
# 127.0.0.2 and move 127.0.0.3 to key 2, and SIGHUP reloads it. Checked with NTPsec's ntpq before
# and after: the removed server is gone, the new one is polled and reached, the kept ones keep
# their association ids and reach (their state is kept), 127.0.0.3 now signs with key 2, the
# reload's log line names exactly these changes, and the clock neither steps nor leaves stratum 2.
source "$(dirname "$0")/lib.sh"
[[ -x ${NTPQ:-} ]] || fail "NTPsec's ntpq is not at '${NTPQ:-}' (scripts/test unpacks it)"

key1=0123456789abcdef0123456789abcdef01234567
key2=89abcdef0123456789abcdef0123456789abcdef
cat >"$work/chrony.keys" <<KEYS
1 SHA1 HEX:$key1
2 SHA1 HEX:$key2
KEYS
cat >"$work/ntp.keys" <<KEYS
1 SHA1 $key1
2 SHA1 $key2
KEYS
chmod 600 "$work/ntp.keys" "$work/chrony.keys"
# The reload reads the keys again as the daemon's account, as a package installs them.
chown "$daemon_account" "$work/ntp.keys"
for address in 127.0.0.2 127.0.0.3 127.0.0.4 127.0.0.5; do
  start_local_chronyd "$address" 1 "$work/chrony.keys"
done

# $1: the server lines.
write_conf() {
  cat >"$work/ntp.conf" <<CONF
keys $work/ntp.keys
trustedkey 1 2
interface ignore all
interface listen 127.0.0.1
$1
CONF
}
poll="iburst minpoll 3 maxpoll 3"
write_conf "server 127.0.0.2 $poll
server 127.0.0.3 key 1 $poll
server 127.0.0.4 $poll"
start_daemon -n -x -c "$work/ntp.conf" --console-socket none

stratum_2_within_1ms() {
  probe query 127.0.0.1 --timeout 0.5 >"$work/q.json" 2>/dev/null &&
    python3 -c 'import json, sys
r = json.load(open(sys.argv[1]))
assert r["stratum"] == 2 and r["leap"] == 0 and abs(r["offset"]) < 0.001, r' "$work/q.json" 2>/dev/null
}
retry_until 60 stratum_2_within_1ms || fail "never served stratum 2 from the chronyd servers: $(cat "$work/q.json")"

# ntpq's view: "ADDRESS ASSID REACH AUTH KEYID" per association, from `apeers` (ids and reach)
# and `rv` (the key), sorted by address.
associations() {
  "$NTPQ" -n -c apeers 127.0.0.1 >"$work/apeers.out" 2>&1 || return 1
  "$NTPQ" -n -c as 127.0.0.1 >"$work/as.out" 2>&1 || return 1
  local address assid reach auth keyid
  while read -r address assid reach; do
    auth=$(awk -v id="$assid" '$2 == id { print $6 }' "$work/as.out")
    keyid=$("$NTPQ" -n -c "rv $assid keyid" 127.0.0.1 | sed -n 's/.*keyid=\([0-9]*\).*/\1/p')
    echo "$address $assid $reach $auth ${keyid:-0}"
  done < <(awk 'NR > 2 { sub(/^[*+#ox. -]/, "", $1); print $1, $3, $8 }' "$work/apeers.out") | sort
}
view_of() { awk -v a="$1" '$1 == a' "$2"; }

# Exactly these servers ($@), every one reached, the keyed ones authenticated.
all_reached() {
  associations >"$work/view.out" || return 1
  [[ $(cut -d' ' -f1 "$work/view.out" | xargs) == "$*" ]] && ! awk '$3 == "0"' "$work/view.out" | grep -q . &&
    awk '$5 != "0" && $4 != "ok" { exit 1 }' "$work/view.out"
}
retry_until 30 all_reached 127.0.0.2 127.0.0.3 127.0.0.4 || fail "the three servers are not all reached: $(cat "$work/view.out" "$work/apeers.out" "$work/as.out")"
cp "$work/view.out" "$work/before.out"
echo "--- before the reload (address assid reach auth keyid)"
cat "$work/before.out" "$work/apeers.out"
[[ $(view_of 127.0.0.3 "$work/before.out" | cut -d' ' -f4,5) == "ok 1" ]] ||
  fail "127.0.0.3 does not authenticate with key 1: $(cat "$work/before.out")"
steps_before=$(grep -c "stepped the clock" "$work/daemon.log" || true)

write_conf "server 127.0.0.4 $poll
server 127.0.0.3 key 2 $poll
server 127.0.0.5 $poll"
kill -HUP "$daemon_pid"
retry_until 10 grep -q "reload of $work/ntp.conf: " "$work/daemon.log" || fail "the reload was not done"
reload_line=$(grep "reload of $work/ntp.conf: " "$work/daemon.log")
echo "$reload_line"
[[ $reload_line == *"sources: added server 127.0.0.5; removed server 127.0.0.2; server 127.0.0.3: key 1 -> 2"* ]] ||
  fail "the reload does not report exactly the source changes: $reload_line"
[[ $reload_line != *"takes effect at the next restart"* ]] || fail "a change was left for a restart: $reload_line"

# The new server is reached at its first polls; the kept ones never lost theirs.
retry_until 30 all_reached 127.0.0.3 127.0.0.4 127.0.0.5 || fail "after the reload the three servers are not all reached: $(cat "$work/view.out" "$work/apeers.out")"
echo "--- after the reload"
cat "$work/view.out" "$work/apeers.out"
for kept in 127.0.0.3 127.0.0.4; do
  [[ $(view_of "$kept" "$work/view.out" | cut -d' ' -f2) == $(view_of "$kept" "$work/before.out" | cut -d' ' -f2) ]] ||
    fail "$kept changed its association id (its state was not kept)"
done
# Reach is octal, one bit per poll: a kept association has at least the polls it had answered.
answered_polls() { python3 -c 'import sys; print(bin(int(sys.argv[1], 8)).count("1"))' "$1"; }
for kept in 127.0.0.3 127.0.0.4; do
  before=$(answered_polls "$(view_of "$kept" "$work/before.out" | cut -d' ' -f3)")
  after=$(answered_polls "$(view_of "$kept" "$work/view.out" | cut -d' ' -f3)")
  ((before >= 3 && after >= before)) || fail "$kept lost its reach across the reload ($before answered polls before, $after after)"
done
[[ $(view_of 127.0.0.3 "$work/view.out" | cut -d' ' -f4,5) == "ok 2" ]] ||
  fail "127.0.0.3 does not authenticate with key 2: $(cat "$work/view.out")"
new_id=$(view_of 127.0.0.5 "$work/view.out" | cut -d' ' -f2)
old_ids=$(cut -d' ' -f2 "$work/before.out")
grep -qx "$new_id" <<<"$old_ids" && fail "127.0.0.5 took an association id in use before ($new_id)"
# Key 2 is what 127.0.0.3 now answers to: replies signed with it are counted, none refused.
"$NTPQ" -n -c "rv $(view_of 127.0.0.3 "$work/view.out" | cut -d' ' -f2) badauth" 127.0.0.1 >"$work/badauth.out"
grep -q "badauth=0" "$work/badauth.out" || fail "127.0.0.3's replies were refused: $(cat "$work/badauth.out")"

stratum_2_within_1ms || fail "stratum 2 within 1 ms was lost across the reload: $(cat "$work/q.json")"
[[ $(grep -c "stepped the clock" "$work/daemon.log" || true) == "$steps_before" ]] ||
  fail "the clock was stepped after the reload"
if awk -v start="$(grep -n "reload of" "$work/daemon.log" | head -1 | cut -d: -f1)" \
  'NR > start && /state=/ && !/state=locked/' "$work/daemon.log" | grep -q .; then
  fail "the discipline left 'locked' after the reload: $(awk '/state=/ && !/state=locked/' "$work/daemon.log" | tail -3)"
fi
echo "PASS: a reload added, removed and re-keyed servers live; kept ones kept their state; the clock stayed"
