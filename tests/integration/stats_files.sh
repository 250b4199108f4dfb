# ntpd's statistics files: loopstats, peerstats and clockstats lines in ntpd's format, in day generations
# with NAME linked to the current one, so tools that plot ntpd's files plot ours.
source "$(dirname "$0")/lib.sh"

daemon_dir "$work/stats"
cat >"$work/ntp.conf" <<CONF
statsdir $work/stats
statistics loopstats peerstats clockstats
filegen loopstats file loopstats type day enable
CONF
start_daemon --simulate -n -x -c "$work/ntp.conf"
wait_for_stratum_1
today=$(date -u +%Y%m%d)
retry_until 10 test -s "$work/stats/loopstats.$today" || fail "no loopstats.$today"
[[ $(readlink "$work/stats/loopstats") == "loopstats.$today" ]] || fail "loopstats is not linked to today's file"
retry_until 10 test -s "$work/stats/clockstats.$today" || fail "no clockstats.$today"
tail -n 2 "$work/stats/loopstats.$today" "$work/stats/peerstats.$today" "$work/stats/clockstats.$today"
mjd=$(python3 -c 'import time; print(int(time.time() // 86400) + 40587)')
# MJD seconds offset frequency jitter wander poll
grep -Eq "^$mjd [0-9]+\.[0-9]{3} -?[0-9]+\.[0-9]{9} -?[0-9]+\.[0-9]{3} [0-9]+\.[0-9]{9} -?[0-9]+\.[0-9]{6} [0-9]+$" \
  "$work/stats/loopstats.$today" || fail "loopstats lines are not in ntpd's format"
# MJD seconds address status offset delay dispersion jitter
grep -Eq "^$mjd [0-9]+\.[0-9]{3} 127\.127\.20\.0 [0-9a-f]{4} -?[0-9]+\.[0-9]{9} [0-9]+\.[0-9]{9} [0-9]+\.[0-9]{9} [0-9]+\.[0-9]{9}$" \
  "$work/stats/peerstats.$today" || fail "peerstats lines are not in ntpd's format"
# MJD seconds address timecode: the receiver's sentence as received
grep -Eq "^$mjd [0-9]+\.[0-9]{3} 127\.127\.20\.0 \\\$G[A-Z]{4},[0-9.]+,.*\*[0-9A-F]{2}$" \
  "$work/stats/clockstats.$today" || fail "clockstats lines are not in ntpd's format"
echo "PASS: loopstats, peerstats and clockstats in ntpd's formats"
