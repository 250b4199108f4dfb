# Run as systemd runs it (Type=notify, standard output and error connected to the journal): the
# daemon says READY=1 on $NOTIFY_SOCKET once it serves and STOPPING=1 when it stops, sends the
# watchdog's keep-alives while it runs and none while it is stopped (SIGSTOP), logs each
# message once, to the journal stream with its priority ("<N>"), not to syslog as well, and prints
# no status line a second there.
source "$(dirname "$0")/private_dev.sh"
rm -f "$STRATUMD_DEVROOT/new/log"
ln -s "$STRATUMD_DEVROOT/syslog.sock" "$STRATUMD_DEVROOT/new/log"
use_private_dev

source "$(dirname "$0")/lib.sh"

# A syslog listener at /dev/log and a notify socket, as the service manager has them.
python3 - "$STRATUMD_DEVROOT/syslog.sock" "$work/syslog.txt" "$work/notify.sock" "$work/notify.txt" <<'PY' &
import os, select, socket, sys
syslog = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
syslog.bind(sys.argv[1])
notify = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
notify.bind(sys.argv[3])
for path in (sys.argv[1], sys.argv[3]):
    os.chmod(path, 0o666)  # as /dev/log and systemd's notify socket: any account may write
logs = {syslog: open(sys.argv[2], "a"), notify: open(sys.argv[4], "a")}
for out in logs.values():
    print("listening", file=out, flush=True)
while True:
    for s in select.select(list(logs), [], [])[0]:
        logs[s].write(s.recv(65536).decode(errors="replace") + "\n")
        logs[s].flush()
PY
helper_pids+=($!)
retry_until 5 grep -q listening "$work/syslog.txt" || fail "the listeners did not start"
retry_until 5 grep -q listening "$work/notify.txt" || fail "the listeners did not start"

: >"$work/daemon.log"
journal_stream=$(stat -c '%d:%i' "$work/daemon.log")
# With systemd's watchdog at 2 s (WatchdogSec=2; WATCHDOG_PID unset: the daemon is the one
# meant): keep-alives every second.
NOTIFY_SOCKET=$work/notify.sock JOURNAL_STREAM=$journal_stream WATCHDOG_USEC=2000000 \
  start_daemon --simulate -n -x --console-socket none -p "$work/stratumd.pid"
retry_until 15 grep -q "READY=1" "$work/notify.txt" || fail "no READY=1: $(cat "$work/notify.txt")"
# Ready means serving.
probe query 127.0.0.1 --timeout 1 >/dev/null || fail "READY=1 before the daemon answers"
[[ $(cat "$work/stratumd.pid") == "$daemon_pid" ]] || fail "the pidfile does not name the daemon"
retry_until 20 grep -q "^<[0-7]>reference: the simulated" "$work/daemon.log" ||
  fail "no journal-style message: $(head -n 5 "$work/daemon.log")"
grep -q "^stratumd: reference:" "$work/daemon.log" && fail "a message went to the journal twice"
# The journal names the daemon itself: no line of it carries "stratumd: " again.
grep -q "^stratumd: " "$work/daemon.log" && fail "the daemon's name twice: $(grep "^stratumd: " "$work/daemon.log")"
grep -Eq "state=[a-z]+ offset=" "$work/daemon.log" && fail "a status line went to the journal"
grep -q "stratumd" "$work/syslog.txt" && fail "messages went to syslog as well as the journal: $(head -n 3 "$work/syslog.txt")"
keep_alives() { grep -c "^WATCHDOG=1" "$work/notify.txt" || true; }
more_keep_alives_than() { (($(keep_alives) > $1)); }
retry_until 10 more_keep_alives_than 2 || fail "no watchdog keep-alives: $(cat "$work/notify.txt")"
grep -q "has not gone round" "$work/daemon.log" &&
  fail "a running daemon's server thread taken for stuck: $(grep "has not gone round" "$work/daemon.log")"
# A stopped daemon sends none (systemd would restart it after 2 s); it resumes when continued.
kill -STOP "$daemon_pid"
stopped_at=$(keep_alives)
sleep 3  # a window longer than the watchdog's interval, in which nothing may arrive
[[ $(keep_alives) == "$stopped_at" ]] || fail "keep-alives from a stopped daemon"
kill -CONT "$daemon_pid"
retry_until 5 more_keep_alives_than "$stopped_at" || fail "no keep-alive after the daemon continued"
stop_daemon
retry_until 5 grep -q "STOPPING=1" "$work/notify.txt" || fail "no STOPPING=1"
[[ -e $work/stratumd.pid ]] && fail "the pidfile outlived the daemon"

# Not under systemd (no JOURNAL_STREAM): the foreground keeps standard error and syslog.
start_daemon --simulate -n -x --console-socket none
retry_until 20 grep -q "reference: the simulated" "$work/syslog.txt" || fail "syslog lost the messages"
wait_for_status_field requests 0
grep -q "^stratumd: reference:" "$work/daemon.log" || fail "standard error lost the messages"
echo "PASS: READY=1/STOPPING=1, watchdog keep-alives (none while stopped), pidfile, one journal destination with priorities, no status line there"
