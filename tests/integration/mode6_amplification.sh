# Mode 6 amplification no worse than ntpd's: NTPsec's ntpd (Debian's, unpacked beside the build)
# and stratumd, one after the other on port 123 with the same associations (an SHM reference
# clock, a server, a symmetric peer), answer the same unauthenticated 12-byte requests; for each,
# stratumd sends back no more bytes than ntpd, all fragments counted.
# ntpd runs without CAP_SYS_TIME and with `disable ntp kernel`: it cannot touch this host's clock.
# ntpd makes SHM unit 0's segment: in an IPC namespace of the test's own, so the host keeps none.
private_ipc=1
source "$(dirname "$0")/lib.sh"
ntpd=$(dirname "${NTPQ:-/nonexistent}")/../sbin/ntpd
[[ -x $ntpd ]] || cannot_run "no NTPsec ntpd beside ntpq (scripts/setup --test unpacks it)"
command -v capsh >/dev/null || cannot_run "no capsh"

# NTPsec will not configure a loopback server: the server and the peer sit (silent) behind a veth.
ip link add m6-a type veth peer name m6-b
ip addr add 10.78.0.1/24 dev m6-a
ip link set m6-a up
ip link set m6-b up
associations='server 127.127.28.0
server 10.78.0.2
peer 10.78.0.3'
# NTPsec refuses mode 6 unless a restrict line allows it; stratumd's defaults allow the loopback.
cat >"$work/ntpd.conf" <<CONF
$associations
restrict default
restrict 127.0.0.1
driftfile $work/ntpd.drift
disable ntp kernel
CONF
capsh --drop=cap_sys_time -- -c "exec '$ntpd' -n -c '$work/ntpd.conf' -l '$work/ntpd.log'" &
ntpd_pid=$!
helper_pids+=("$ntpd_pid")
python3 "$here/mode6_sizes.py" 3 >"$work/ntpd.json" || fail "ntpd: $(cat "$work/ntpd.log")"
kill "$ntpd_pid"
wait "$ntpd_pid" || true

printf '%s\n' "$associations" >"$work/ntp.conf"
start_daemon -n -x -c "$work/ntp.conf" --console-socket none
python3 "$here/mode6_sizes.py" 3 >"$work/stratumd.json" || fail "stratumd did not list its associations"

python3 - "$work/ntpd.json" "$work/stratumd.json" <<'PY' || fail "a reply larger than ntpd's"
import json, sys
ntpd, ours = (json.load(open(f)) for f in sys.argv[1:])
print(f"{'request (12 bytes)':32} {'ntpd':>6} {'stratumd':>9}")
worse = []
for request, theirs in ntpd.items():
    print(f"{request:32} {theirs:6} {ours[request]:9}")
    if ours[request] > theirs:
        worse.append(request)
if worse:
    sys.exit("larger than ntpd's: " + ", ".join(worse))
PY
echo "PASS: every unauthenticated mode 6 reply no larger than NTPsec ntpd's for the same request"
