# The command line: --version, --help, missing and broken config files, --check-config.
source "$(dirname "$0")/lib.sh"

"$STRATUMD" --version | grep -Eq '^stratumd [0-9]+\.[0-9]+\.[0-9]+$' || fail "--version"
"$STRATUMD" --help | grep -q -- '--simulate' || fail "--help does not list --simulate"

expect_exit() {  # expect_exit STATUS PATTERN ARGS...
  local want=$1 pattern=$2
  shift 2
  set +e
  "$STRATUMD" "$@" >"$work/out" 2>&1
  local got=$?
  set -e
  [[ $got -eq $want ]] || fail "stratumd $* exited $got, expected $want: $(cat "$work/out")"
  grep -q -- "$pattern" "$work/out" || fail "stratumd $* did not say '$pattern': $(cat "$work/out")"
}

expect_exit 1 "/nonexistent/ntp.conf: error: cannot read the configuration file" -c /nonexistent/ntp.conf -n --simulate
expect_exit 1 "/nonexistent/ntp.conf" --check-config -c /nonexistent/ntp.conf

printf 'driftfile /var/lib/ntp/drift\nstatistics loopstats\nsevrer 127.127.20.0\n' >"$work/bad.conf"
expect_exit 1 "$work/bad.conf:3: error: unknown directive 'sevrer'" --check-config -c "$work/bad.conf"
expect_exit 1 "$work/bad.conf:2: warning: 'statistics' is not implemented yet" --check-config -c "$work/bad.conf"
# A config with errors never starts the daemon.
expect_exit 1 "has errors; not starting" -c "$work/bad.conf" -n --simulate --port 1123

printf 'server 127.127.20.0 mode 17\n' >"$work/nmea.conf"
expect_exit 0 "0 error(s)" --check-config -c "$work/nmea.conf"
expect_exit 1 "$work/nmea.conf:1: reference clock type 20 has no driver" -c "$work/nmea.conf" -n --port 1123

if [[ -f ${SHARED_DIR:-}/configs/centos-ntp.conf ]]; then
  expect_exit 0 "0 error(s)" --check-config -c "$SHARED_DIR/configs/centos-ntp.conf"
  cat "$work/out"
fi
expect_exit 2 "must be between 1 and 65535" --port 0
expect_exit 2 "unrecognised option\|unrecognized option" --frobnicate
echo "PASS: command line and config checks"
