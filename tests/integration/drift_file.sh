# The drift file: a corrupt one is ignored with a warning; the learnt frequency is written at the
# first lock, hourly and at exit in ntpd's format (atomically), and read back at the next start. Beside it, the
# time it was written (DRIFTFILE.time): the last time the appliance knew for sure, against which a
# receiver date just before the base date is judged.
source "$(dirname "$0")/lib.sh"

printf 'driftfile %s/drift\n' "$work" >"$work/ntp.conf"
echo "garbage" >"$work/drift"
start_daemon --simulate -n -x -c "$work/ntp.conf"
retry_until 10 grep -q "drift: not a number; ignored" "$work/daemon.log" || fail "no warning about the corrupt drift file"
wait_for_stratum_1  # locked: the frequency is worth keeping
# Written at the first lock, not only hourly or at exit (a power cut must not lose it).
drift_written() { python3 -c 'import sys; float(open(sys.argv[1]).read())' "$work/drift" 2>/dev/null; }
retry_until 5 drift_written || fail "the drift file was not written at the first lock: $(cat "$work/drift")"
stop_daemon
daemon_pid=
cat "$work/drift"
# The simulated crystal runs 17.5 ppm fast: the correction is about -17.5 ppm (the host's own
# clock, the simulation's truth, wanders by a few ppm).
python3 -c 'import sys; v=float(open(sys.argv[1]).read()); assert -30 < v < -5, v' "$work/drift" ||
  fail "drift file holds $(cat "$work/drift")"
[[ ! -e $work/drift.tmp ]] || fail "the temporary file was left behind"
python3 -c 'import sys, time; v=int(open(sys.argv[1]).read()); assert abs(v - time.time()) < 5, v' "$work/drift.time" ||
  fail "the last known time is not the time it was written: $(cat "$work/drift.time" 2>&1)"

mv "$work/daemon.log" "$work/first.log"
start_daemon --simulate -n -x -c "$work/ntp.conf"
retry_until 10 grep -q "frequency -[0-9.]* ppm from $work/drift" "$work/daemon.log" || fail "the drift file was not read back"
grep "from $work/drift" "$work/daemon.log"
echo "PASS: drift file ignored when corrupt, written at the first lock and at exit, read at start"
