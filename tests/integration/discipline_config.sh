# Discipline directives against the running daemon: the system's leap-seconds.list loads with its
# SHA-1 hash verified; an edited copy is refused with the reason while the daemon keeps serving
# (leap warnings then come from the receiver); `enable kernel` without the system clock says why
# stratumd's own servo steers.
source "$(dirname "$0")/lib.sh"

system_list=/usr/share/zoneinfo/leap-seconds.list
[[ -r $system_list ]] || fail "tzdata's $system_list is missing (scripts/setup --test installs tzdata)"
sed 's/^\(3692217600[[:space:]]*\)37/\138/' "$system_list" >"$work/edited.list"
cmp -s "$system_list" "$work/edited.list" && fail "could not edit the copy"

printf 'leapfile %s\nenable kernel\n' "$system_list" >"$work/good.conf"
start_daemon --simulate -n -x -c "$work/good.conf"
retry_until 10 grep -q "reference:" "$work/daemon.log" || fail "the daemon did not start"
grep -E "leapfile $system_list: [0-9]+ entries, TAI-UTC 37 s, hash verified" "$work/daemon.log" ||
  fail "the system leapfile was not loaded with its hash verified"
grep "enable kernel: stratumd is not steering the system clock; stratumd's PPS servo steers instead" \
  "$work/daemon.log" || fail "enable kernel without the system clock was not explained"
stop_daemon

printf 'leapfile %s\n' "$work/edited.list" >"$work/edited.conf"
start_daemon --simulate -n -x -c "$work/edited.conf"
wait_for_stratum_1
grep "hash does not match" "$work/daemon.log" || fail "the edited leapfile's hash was not caught"
grep -q "leapfile $work/edited.list refused" "$work/daemon.log" || fail "the edited leapfile was not refused"
echo "PASS: leapfile hash verified; an edited copy refused while serving; enable kernel explained"
