# The console shell as an operator uses it: stratumctl on a pseudo-terminal, editing the
# configuration, applying it, seeing the effect, a bad change refused with the reason while the
# daemon keeps serving, and a change that cuts the daemon off rolled back automatically.
source "$(dirname "$0")/lib.sh"
: "${STRATUMCTL:?set STRATUMCTL to the stratumctl binary}"

cat >"$work/ntp.conf" <<'CONF'
restrict 127.0.0.1
restrict 127.0.0.2
CONF
start_daemon --simulate -n -x --quiet -c "$work/ntp.conf" --console-socket "$work/console.sock"
wait_for_stratum_1
retry_until 5 test -S "$work/console.sock" || fail "no console socket"
[[ $(stat -c %a "$work/console.sock") == 660 ]] || fail "console socket mode is $(stat -c %a "$work/console.sock"), not 660"
HOME=$work python3 "$here/console_pty.py" "$STRATUMCTL" "$work/console.sock" "$here/ntp_probe.py" ||
  fail "the console session failed"
# libedit's history file (spaces written as \040).
grep -qxF 'apply\0402' "$work/.stratumctl_history" || fail "the session's history was not kept: $(cat "$work/.stratumctl_history")"
# Exit status for scripts: 0 done, 1 refused or unknown, 2 usage.
ctl() { "$STRATUMCTL" --socket "$work/console.sock" "$@" >"$work/ctl.out" 2>&1; }
ctl -c status || fail "status exits $?"
set +e
ctl -c frobnicate; [[ $? == 1 ]] || fail "an unknown command does not exit 1"
ctl -c "add restrict 127.0.0.9 bogus"; [[ $? == 1 ]] || fail "a refused edit does not exit 1"
printf 'status\nadd nonsense here\nshow running\n' | ctl; [[ $? == 1 ]] || fail "a script with a refused line does not exit 1"
grep -q "restrict 127.0.0.1" "$work/ctl.out" || fail "the script stopped at the refused line"
ctl --frobnicate; [[ $? == 2 ]] || fail "a usage error does not exit 2"
set -e
ctl --help && grep -q "Exit status" "$work/ctl.out" || fail "--help"
ctl --version && grep -q "^stratumctl [0-9]" "$work/ctl.out" || fail "--version"
# One command from a script, and `save` writing the file with a backup.
"$STRATUMCTL" --socket "$work/console.sock" -c save | grep -q "saved to $work/ntp.conf" || fail "save"
grep -qx "restrict 127.0.0.2 ignore" "$work/ntp.conf" || fail "the saved file lacks the applied line"
[[ -f $work/ntp.conf.bak ]] || fail "no backup of the previous file"
# What the console reads and writes as root: no file outside the configuration directories (no
# echo of /etc/shadow's first words), no drift file outside /var/lib, /var/log, /run.
PYTHONPATH=$here python3 - "$work/console.sock" <<'PY' || fail "the console reads or writes where it must not"
import sys
from console_socket import Console
ask = Console(sys.argv[1]).ask
ask("add includefile /etc/shadow")
checked = ask("check")
print(checked)
assert "reads configuration files only" in checked and "not /etc/shadow" in checked, checked
assert "root" not in checked.replace("/root", ""), "a word of /etc/shadow was echoed"
assert ask("apply").startswith("refused"), "a configuration including /etc/shadow was applied"
ask("revert")
ask("add driftfile /etc/cron.d/stratumd-evil")
checked = ask("check")
assert "writes the drift file only under" in checked, checked
assert ask("apply").startswith("refused")
ask("revert")
PY
[[ -e /etc/cron.d/stratumd-evil ]] && fail "root wrote where the console said"

# The socket removed from under the daemon: it is made again, and the console answers.
rm "$work/console.sock"
retry_until 15 test -S "$work/console.sock" || fail "the console socket was not made again"
grep -q "the console socket had gone: made again" "$work/daemon.log" || fail "the remaking was not logged"
"$STRATUMCTL" --socket "$work/console.sock" -c "show running" >"$work/show.out" ||
  fail "the remade console does not answer"
# Under --simulate a reference clock line is applied to the text but never used: both the apply
# and `show running` say so (not "reference clocks unchanged").
PYTHONPATH=$here python3 - "$work/console.sock" <<'PY' || fail "a reference clock line under --simulate is not said to be unused"
import sys
from console_socket import Console
ask = Console(sys.argv[1]).ask
ask("add server 127.127.28.0 minpoll 4")
applied = ask("apply 2")
assert "reference clock lines not used: --simulate supplies the reference clock" in applied, applied
shown = ask("show running")
assert "server 127.127.28.0" in shown and "not used: the reference clock lines, while --simulate" in shown, shown
PY
stop_daemon

# Unsynchronised (no time source yet): an apply is judged on answering, which a daemon with no
# time does with stratum 0 and INIT; the edit is kept, not rolled back.
printf 'restrict 127.0.0.1\n' >"$work/bare.conf"
start_daemon -n -x --quiet -c "$work/bare.conf" --console-socket "$work/console.sock"
retry_until 10 test -S "$work/console.sock" || fail "no console socket (unsynchronised daemon)"
PYTHONPATH=$here python3 - "$work/console.sock" <<'PY' || fail "apply while unsynchronised was refused"
import sys
from console_socket import Console
ask = Console(sys.argv[1]).ask
ask("add restrict 127.0.0.2")
applied = ask("apply 2")
assert "watching for 2 s" in applied, applied
PY
retry_until 15 grep -qE "applied configuration is kept|apply rolled back" "$work/daemon.log" ||
  fail "the apply was never judged"
grep -q "apply rolled back" "$work/daemon.log" && fail "an unsynchronised daemon's apply was rolled back: $(grep 'rolled back' "$work/daemon.log")"
# A server line is applied live (the association starts, the reply says so); a changed thread
# count waits for a restart: `show running` lists both and says which waits.
PYTHONPATH=$here python3 - "$work/console.sock" <<'PY' || fail "show running does not say what is live and what waits for a restart"
import sys
from console_socket import Console
ask = Console(sys.argv[1]).ask
ask("add server 127.0.0.3")
ask("add threads 1")
applied = ask("apply 2")
assert "sources: added server 127.0.0.3" in applied, applied
assert "threads changed: takes effect at the next restart" in applied, applied
assert "server/pool/peer" not in applied, applied
shown = ask("show running")
assert "server 127.0.0.3" in shown and "wait for a restart: threads" in shown, shown
PY
echo "PASS: console on a pty: edit, apply, refuse, roll back, save; a removed socket comes back; apply while unsynchronised is kept"
