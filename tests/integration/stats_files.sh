# ntpd's statistics files: loopstats, peerstats and clockstats lines in ntpd's format, in day generations
# with NAME linked to the current one, so tools that plot ntpd's files plot ours.
source "$(dirname "$0")/lib.sh"

daemon_dir "$work/stats"
cat >"$work/ntp.conf" <<CONF
statsdir $work/stats
statistics loopstats peerstats clockstats
filegen loopstats file loopstats type day enable
filegen peerstats file peerstats type day enable
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

# NTPsec's ntpviz draws them: the clock's offset and frequency, its jitter, the reference clock's
# offset (docs/monitoring.md). A minute of lines, so each plot has points to draw.
if [[ -x ${NTPVIZ:-} ]] && command -v gnuplot >/dev/null; then
  enough_lines() { (($(wc -l <"$work/stats/loopstats.$today") >= 20)); }
  retry_until 60 enough_lines || fail "loopstats grows too slowly"
  "$NTPVIZ" -d "$work/stats" -o "$work/viz" >"$work/ntpviz.out" 2>&1 || fail "ntpviz failed: $(cat "$work/ntpviz.out")"
  for plot in local-offset local-jitter local-offset-histogram peer-offset-127.127.20.0; do
    [[ -s $work/viz/$plot.png ]] || fail "ntpviz drew no $plot.png: $(cat "$work/ntpviz.out")"
    grep -q "$plot.png" "$work/viz/index.html" || fail "ntpviz's page lacks $plot"
  done
  echo "ntpviz: $(ls "$work/viz" | grep -c '\.png$') plots from our files"
else
  echo "note: NTPsec's ntpviz or gnuplot missing (scripts/setup --test provides them); ntpviz check skipped"
fi
echo "PASS: loopstats, peerstats and clockstats in ntpd's formats, drawn by ntpviz"
