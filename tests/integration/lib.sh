# Helpers shared by the integration tests (sourced). Each test runs in its own network namespace.
# A test that sets `private_mounts=1` before sourcing this is re-run in a private mount namespace
# too (to bind its own /etc/hosts), before anything here is set up; one that sets `private_ipc=1`
# in an IPC namespace of its own (SHM segments made by gpsd or ntpd stay out of the host's).
set -euo pipefail
if [[ -n ${private_mounts:-} && -z ${STRATUMD_IN_MOUNT_NS:-} ]]; then
  STRATUMD_IN_MOUNT_NS=1 exec unshare --mount --propagation private bash "$0" "$@"
fi
if [[ -n ${private_ipc:-} && -z ${STRATUMD_IN_IPC_NS:-} ]]; then
  STRATUMD_IN_IPC_NS=1 exec unshare --ipc bash "$0" "$@"
fi

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
source "$here/../cannot_run.sh"
: "${STRATUMD:?set STRATUMD to the stratumd binary}"
work=$(mktemp -d /tmp/stratumd-test.XXXXXX)
# Every daemon of the suite runs under the system call filter the unit turns on (-F 1): a call
# missing from the filter's list ends the daemon and fails the test that needed it.
stratumd_binary=$STRATUMD
STRATUMD=$work/stratumd
# And, as under the unit, as an account of its own once the port, devices and sockets are open
# (-u): a file the daemon writes later (drift, stats, metrics) must be writable by that account.
daemon_account=nobody:nogroup
cat >"$STRATUMD" <<WRAPPER
#!/bin/sh
for arg in "\$@"; do
  case \$arg in -u|--user|--user=*) exec "$stratumd_binary" -F 1 "\$@" ;; esac
done
if [ "\$(id -u)" = 0 ]; then exec "$stratumd_binary" -F 1 -u $daemon_account "\$@"; fi
exec "$stratumd_binary" -F 1 "\$@"
WRAPPER
chmod 755 "$STRATUMD"
chown "$daemon_account" "$work"
# A directory the daemon writes in after start (statsdir, the drift file's), as a package makes it.
daemon_dir() { mkdir -p "$@" && chown "$daemon_account" "$@"; }
daemon_pid=
helper_pids=()   # test programs (writers, receivers) stopped at exit
helper_group=    # a process group (gpsd, gpsfake) stopped at exit

fail() {
  echo "FAIL: $*" >&2
  if [[ -f $work/daemon.log ]]; then
    # The status lines (one a second) would bury the messages that say what went wrong.
    echo "--- daemon log: the last 40 messages, then the last 5 status lines ---" >&2
    grep -Ev '^[0-9T:-]+Z state=' "$work/daemon.log" | tail -n 40 >&2
    grep -E '^[0-9T:-]+Z state=' "$work/daemon.log" | tail -n 5 >&2
  fi
  exit 1
}

cleanup() {
  stop_helper_group
  for pid in "${helper_pids[@]}"; do kill "$pid" 2>/dev/null || true; done
  if [[ -n $daemon_pid ]] && kill -0 "$daemon_pid" 2>/dev/null; then
    kill "$daemon_pid" 2>/dev/null || true
    wait "$daemon_pid" 2>/dev/null || true
  fi
  # STRATUMD_KEEP_WORK=1 keeps the logs and answers of a run for a post-mortem.
  if [[ -n ${STRATUMD_KEEP_WORK:-} ]]; then echo "work directory kept: $work" >&2; else rm -rf "$work"; fi
}
trap cleanup EXIT

start_daemon() {
  "$STRATUMD" "$@" >"$work/daemon.log" 2>&1 &
  daemon_pid=$!
}

# SIGTERM, then waits for the daemon to finish its shutdown (drift file, stats).
stop_daemon() {
  kill "$daemon_pid"
  wait "$daemon_pid" || true
  daemon_pid=
}

# Retries a command until it succeeds or the deadline (seconds) passes; no fixed sleeps.
retry_until() {
  local deadline=$(($(date +%s) + $1))
  shift
  until "$@"; do
    if (($(date +%s) >= deadline)); then return 1; fi
    if [[ -n $daemon_pid ]]; then kill -0 "$daemon_pid" 2>/dev/null || fail "the daemon exited early"; fi
    sleep 0.2
  done
}

probe() { python3 "$here/ntp_probe.py" "$@"; }

# Waits until the daemon prints a status line whose field $1 satisfies "value >= $2".
wait_for_status_field() {
  local field=$1 minimum=$2 timeout=${3:-10}
  retry_until "$timeout" awk -v f="$field=" -v min="$minimum" '
    { for (i = 1; i <= NF; i++) if (index($i, f) == 1 && substr($i, length(f) + 1) + 0 >= min) found = 1 }
    END { exit !found }' "$work/daemon.log"
}

stratum_1_answered() { probe query 127.0.0.1 --timeout 0.5 2>/dev/null | grep -q '"stratum": 1,'; }

# Waits until the daemon serves stratum 1 (it must lock on the simulated receiver first).
wait_for_stratum_1() { retry_until "${1:-30}" stratum_1_answered || fail "the daemon never served stratum 1"; }

# Succeeds when ntpdig sees stratum 1 within $1 seconds of this host's clock.
served_within() {
  ntpdig -j 127.0.0.1 >"$work/ntpdig.json" 2>"$work/ntpdig.err" || return 1
  python3 -c 'import json, sys
r = json.load(open(sys.argv[1]))
print(r)
assert r["stratum"] == 1 and abs(r["offset"]) < float(sys.argv[2])' "$work/ntpdig.json" "$1"
}

# gpsd's side of the SHM protocol (shm_writer.py ARGS) in the background, stopped at exit; its
# pid in $shm_writer, its output appended to $work/writer.log.
start_shm_writer() {
  python3 "$here/shm_writer.py" "$@" >>"$work/writer.log" 2>&1 &
  shm_writer=$!
  helper_pids+=($shm_writer)
}

# A GPS receiver on TCP port 5000 sending each second $1 s late (nmea_tcp_server.py).
start_tcp_receiver() {
  python3 "$here/nmea_tcp_server.py" 5000 --delay "$1" >"$work/receiver.log" 2>&1 &
  helper_pids+=($!)
  retry_until 15 grep -q listening "$work/receiver.log" || fail "the TCP receiver did not start: $(cat "$work/receiver.log")"
}

# Runs a command in its own process group (gpsd, gpsfake and the gpsd it starts), so that
# stop_helper_group, and the exit of the test, take all of it down.
start_helper_group() {
  setsid "$@" >>"$work/helper.log" 2>&1 &
  helper_group=$!
}
stop_helper_group() {
  if [[ -n ${helper_group:-} ]]; then
    kill -- "-$helper_group" 2>/dev/null || true
    wait "$helper_group" 2>/dev/null || true
    helper_group=
  fi
}

# A receiver on a pty at /dev/gps0 (nmea_writer.py; the test runs in the private /dev of
# private_dev.sh), writing each second's sentences $1 s after it at 9600 baud (further arguments
# go to the writer), and $work/ntp.conf taking it the ntpd way: `server 127.127.20.0 mode $2` with
# `fudge … time2 $1`. Sets writer_pid.
start_pty_receiver() {
  local delay=$1 mode=$2
  shift 2
  python3 "$here/nmea_writer.py" /dev/gps0 --delay "$delay" --baud 9600 --owner "$daemon_account" "$@" \
    >"$work/writer.log" 2>&1 &
  writer_pid=$!
  helper_pids+=($writer_pid)
  retry_until 15 grep -q plugged "$work/writer.log" || fail "the writer did not start: $(cat "$work/writer.log")"
  printf 'server 127.127.20.0 mode %s prefer\nfudge 127.127.20.0 time2 %s refid GPS\n' \
    "$mode" "$delay" >"$work/ntp.conf"
}

# chronyd as an upstream server: `local stratum STRATUM` (default 3) on ADDRESS:123 (default
# 127.0.0.2), never touching this machine's clock (-x), in the foreground (-d), with KEYFILE (in
# chrony's format) when given. Sets chronyd_pid; fails the test without chronyd. Several may run,
# on different addresses.
start_local_chronyd() {
  local address=${1:-127.0.0.2} stratum=${2:-3} keyfile=${3:-}
  command -v chronyd >/dev/null || fail "chronyd is not installed (scripts/test installs it)"
  cat >"$work/chrony.$address.conf" <<CONF
local stratum $stratum
bindaddress $address
port 123
allow 127.0.0.0/8
cmdport 0
pidfile $work/chronyd.$address.pid
${keyfile:+keyfile $keyfile}
CONF
  chronyd -x -d -f "$work/chrony.$address.conf" >"$work/chronyd.$address.log" 2>&1 &
  chronyd_pid=$!
  helper_pids+=($chronyd_pid)
}

# A second host: a network namespace of its own joined to this one by a veth pair, this side
# 10.77.0.1/24 and that side 10.77.0.2/24. Sets $peer_ns; its processes are started with
# `ip netns exec "$peer_ns" ...` directly (so $! is the process itself) and put in helper_pids.
make_second_host() {
  peer_ns=stratumd-peer-$$
  ip netns add "$peer_ns"
  trap 'cleanup; ip netns del "$peer_ns" 2>/dev/null || true' EXIT
  ip link add veth-a type veth peer name veth-b
  ip link set veth-b netns "$peer_ns"
  ip addr add 10.77.0.1/24 brd 10.77.0.255 dev veth-a
  ip link set veth-a up
  ip netns exec "$peer_ns" ip addr add 10.77.0.2/24 brd 10.77.0.255 dev veth-b
  ip netns exec "$peer_ns" ip link set veth-b up
  ip netns exec "$peer_ns" ip link set lo up
}

# Succeeds when the stratumd on the second host serves stratum 2 within 5 ms of this host's clock
# (the reply is left in $work/there.json).
second_host_serves_stratum_2() {
  ip netns exec "$peer_ns" python3 "$here/ntp_probe.py" query 127.0.0.1 --timeout 0.5 \
    >"$work/there.json" 2>/dev/null &&
    python3 -c 'import json, sys
r = json.load(open(sys.argv[1]))
assert r["stratum"] == 2 and abs(r["offset"]) < 0.005, r' "$work/there.json" 2>/dev/null
}
