# Sources that disagree, one scenario per run (the argument): a receiver on a pty at /dev/gps0
# (nmea_writer.py) with, where named, its pulse on /dev/gpspps0 (fake_pps), and upstream servers
# that tell this host's time plus an offset the scenario sets (offset_server.py on 127.0.0.2-5).
# A client asks once a second for the whole scenario and holds every answer to the honest-answer
# invariant (honest_answers.py: served time within root delay/2 + root dispersion + 1 ms of the
# truth), then waits for the end state the scenario expects. docs/associations.md has the table.
#
#   healthy            GPS+PPS and three honest servers: stratum 1 from the PPS as fast as without
#                      the servers (the decision over all sources costs no time when they agree)
#   network_first      healthy GPS+PPS, two servers +10 s and one honest, all started together:
#                      the PPS and its one witness outrank the lying majority; stratum 1, no step
#   nmea_liar          NMEA-only receiver +1 s from the start, three honest servers: the receiver is
#                      a falseticker before the first step; stratum 2 on the network's time
#   near_base          a true date 10 days before `tos basedate`, GPS+PPS, -g, no network: not moved
#                      to 2046, unsynchronised throughout
#   near_base_network  the same with three honest servers: the network's time corroborates the date
#                      as it is; stratum 1 from the PPS
#   near_base_saved    the same with no network but the last known time saved beside the drift
#                      file a day ago: it corroborates the date as it is; stratum 1
#   gps_time           a receiver reporting GPS time (+18 s) for its first 40 s, three servers: never
#                      served at stratum 1 until it reports UTC; then stratum 1
#   gps_time_alone     the same with no network: its correction to UTC is one step at once, not
#                      after stepout (the first 30 s are a lie no source can tell: not judged)
#   network_all_lie    three servers +2 s, no GPS: their time served at stratum 2 (what was asked)
#   server_turns       GPS+PPS and three servers, one turning +0.5 s after 30 s: stratum 1 kept
#   unplugged_lies     GPS+PPS locked, two servers +10 s and one honest; the receiver unplugged
#                      beyond holdover: unsynchronised, never stepped to the lying majority
#   logfile_symlink    a symbolic link planted at the logfile path: refused with a warning naming
#                      the path, the target untouched, the daemon serves (at start and at reload)
scenario=${1:?which scenario}
source "$(dirname "$0")/private_dev.sh"
: >"$STRATUMD_DEVROOT/new/gpspps0"
use_private_dev
source "$(dirname "$0")/lib.sh"
: "${FAKE_PPS:?set FAKE_PPS to the fake PPS library}"

# Servers: offset_server.py on 127.0.0.2, .3, ... with the given offsets (extra options after a
# colon: "0.0:--turn 30:0.5"), each a `server` line in $work/ntp.conf.
start_servers() {
  local n=2 spec
  for spec in "$@"; do
    local offset=${spec%%:*} extra=
    [[ $spec == *:* ]] && extra=${spec#*:}
    # shellcheck disable=SC2086
    python3 "$here/offset_server.py" 127.0.0.$n --offset "$offset" $extra >"$work/server.$n.log" 2>&1 &
    helper_pids+=($!)
    retry_until 15 grep -q listening "$work/server.$n.log" || fail "server 127.0.0.$n did not start: $(cat "$work/server.$n.log")"
    echo "server 127.0.0.$n iburst ${poll_options:-}" >>"$work/ntp.conf"
    n=$((n + 1))
  done
}
# The receiver (writer options: --skew ...), its sentences 200 ms after the second; with
# `pps` its pulse too (ntpd's flag1 on the NMEA driver).
start_gps() {
  local pps=$1
  shift
  start_pty_receiver 0.200 0x10 "$@"
  [[ $pps == pps ]] && echo "fudge 127.127.20.0 flag1 1" >>"$work/ntp.conf"
  cat >>"$work/ntp.conf" <<'CONF'
interface ignore all
interface listen 127.0.0.1
CONF
}
run_daemon() {
  LD_PRELOAD=$FAKE_PPS STRATUMD_FAKE_PPS_PATH=/dev/gpspps0 start_daemon -n -x --console-socket none "$@" \
    -c "$work/ntp.conf"
}
watch_answers() {
  python3 "$here/honest_answers.py" --log "$work/answers.jsonl" "$@" >"$work/watch.out" 2>&1 ||
    fail "$(cat "$work/watch.out")"
  tail -n 1 "$work/watch.out"
}
steps() { grep -c "stepped the clock by" "$work/daemon.log" || true; }
no_step_beyond() {  # $1: seconds
  if grep -oE "stepped the clock by [-+0-9.]+" "$work/daemon.log" |
    awk -v max="$1" '{ v = $NF + 0; if (v < 0) v = -v; if (v > max) bad = 1 } END { exit !bad }'; then
    fail "the clock was stepped by more than $1 s: $(grep 'stepped the clock' "$work/daemon.log")"
  fi
}
log_says() { grep -q -- "$1" "$work/daemon.log" || fail "the log never said: $1"; }

case $scenario in
healthy)
  start_gps pps
  start_servers 0 0 0
  run_daemon
  watch_answers --min 5 --max 40 --final-stratum 1 --final-refid PPS
  python3 -c 'import json, sys
first = next(json.loads(l)["elapsed"] for l in open(sys.argv[1]) if json.loads(l)["stratum"] == 1)
print("stratum 1 after", first, "s")
assert first <= 30, first' "$work/answers.jsonl" || fail "stratum 1 came late"
  [[ $(steps) -le 1 ]] || fail "more than one step: $(grep stepped "$work/daemon.log")"
  grep -E "state=|stepped|locked" "$work/daemon.log" | head -n 14
  ;;
network_first)
  start_gps pps
  start_servers 10 10 0
  run_daemon
  watch_answers --min 40 --max 90 --final-stratum 1 --final-refid PPS
  no_step_beyond 1
  ;;
nmea_liar)
  start_gps nmea --skew 1
  start_servers 0 0 0
  run_daemon
  watch_answers --min 30 --max 90 --final-stratum 2
  log_says "disagrees with 3 independent network sources"
  no_step_beyond 0.5
  ;;
near_base | near_base_network | near_base_saved)
  start_gps pps
  echo "tos basedate $(date -u -d '+10 days' +%F)" >>"$work/ntp.conf"
  if [[ $scenario == near_base_saved ]]; then
    echo "driftfile $work/drift" >>"$work/ntp.conf"
    echo $(($(date +%s) - 86400)) >"$work/drift.time"
    run_daemon -g
    watch_answers --min 20 --max 60 --final-stratum 1 --final-refid PPS
    log_says "taken as it is, not as a week rollover"
  elif [[ $scenario == near_base ]]; then
    run_daemon -g
    watch_answers --min 30 --max 40 --final-stratum 16
    python3 -c 'import json, sys
a = [json.loads(l) for l in open(sys.argv[1])]
assert all(x["leap"] == 3 for x in a), [x for x in a if x["leap"] != 3][:3]' "$work/answers.jsonl" ||
      fail "served a time while the date was uncorroborated"
    log_says "refused (no samples) until one does"
    [[ $(steps) == 0 ]] || fail "the clock was stepped: $(grep stepped "$work/daemon.log")"
  else
    start_servers 0 0 0
    run_daemon -g
    watch_answers --min 40 --max 100 --final-stratum 1 --final-refid PPS
    log_says "taken as it is, not as a week rollover"
    no_step_beyond 1
  fi
  ;;
gps_time)
  start_gps pps --skew 18 --skew-for 40
  poll_options="minpoll 3 maxpoll 3" start_servers 0 0 0
  run_daemon
  watch_answers --min 60 --max 130 --final-stratum 1 --final-refid PPS
  log_says "marked a falseticker"
  log_says "no longer a falseticker"
  no_step_beyond 1
  ;;
gps_time_alone)
  start_gps pps --skew 18 --skew-for 30
  run_daemon
  watch_answers --check-from 45 --min 60 --max 90 --final-stratum 1 --final-refid PPS
  log_says "taken as its correction to UTC"
  [[ $(steps) == 2 ]] || fail "not one step each way: $(grep stepped "$work/daemon.log")"
  # The correction came at once: within seconds of the receiver learning UTC, not after stepout.
  python3 -c 'import json, sys
a = [json.loads(l) for l in open(sys.argv[1])]
right = [x["elapsed"] for x in a if x["leap"] != 3 and abs(x["offset"]) < 0.01]
assert right and right[0] < 45, right[:3]' "$work/answers.jsonl" || fail "the correction to UTC was not taken at once"
  ;;
network_all_lie)
  cat >"$work/ntp.conf" <<'CONF'
interface ignore all
interface listen 127.0.0.1
CONF
  poll_options="minpoll 3 maxpoll 3" start_servers 2 2 2
  run_daemon
  watch_answers --truth 2.0 --min 20 --max 60 --final-stratum 2
  ;;
server_turns)
  start_gps pps
  poll_options="minpoll 3 maxpoll 3" start_servers 0 0 "0:--turn 30:0.5"
  run_daemon
  watch_answers --min 70 --max 110 --final-stratum 1 --final-refid PPS --hold 30
  grep -q "turned" "$work/server.4.log" || fail "the server never turned"
  # The pulse-backed GPS is never outvoted. (Before the pulses are paired, the receiver's time
  # alone, its sentences' delay not yet learnt, may be: the network is right then.)
  ! grep -q "reference clock (PPS-backed) disagrees" "$work/daemon.log" ||
    fail "the GPS was outvoted by one server"
  no_step_beyond 0.1
  ;;
unplugged_lies)
  start_gps pps
  echo "holdover 15" >>"$work/ntp.conf"
  poll_options="minpoll 3 maxpoll 3" start_servers 10 10 0
  run_daemon
  watch_answers --min 20 --max 60 --final-stratum 1 --final-refid PPS
  kill "$writer_pid"
  watch_answers --min 50 --max 60 --final-stratum 16
  log_says "holdover limit reached"
  log_says "not stepped unless it persists for the stepout interval"
  no_step_beyond 1
  ;;
logfile_symlink)
  echo "keep me" >"$work/victim"
  mkdir -p "$work/log"
  ln -s "$work/victim" "$work/log/stratumd.log"
  printf 'logfile %s\n' "$work/log/stratumd.log" >"$work/ntp.conf"
  start_daemon -n -x --simulate --console-socket none -c "$work/ntp.conf"
  retry_until 10 grep -q "warning: logfile $work/log/stratumd.log: a symbolic link, refused" "$work/daemon.log" ||
    fail "no warning naming the planted link"
  wait_for_stratum_1 30
  kill -HUP "$daemon_pid"
  retry_until 10 grep -q "reload of" "$work/daemon.log" || fail "the reload was not done"
  kill -0 "$daemon_pid" || fail "the daemon exited"
  [[ $(cat "$work/victim") == "keep me" ]] || fail "the link's target was written: $(cat "$work/victim")"
  stratum_1_answered || fail "not serving after the reload"
  ;;
*)
  fail "no scenario $scenario"
  ;;
esac
echo "PASS: $scenario"
