# `board auto`: the board found by its device-tree model supplies the reference clocks. A fake
# root says "Test Board with GPS HAT" (STRATUMD_HOST_ROOT); its profile puts the GPS on /dev/gps0
# (a pty receiver) and the pulse on /dev/pps0 (fake_pps): the daemon, configured with nothing but
# `board auto`, serves stratum 1 from the pulse, and the console names the board. --check-config
# names the Pi 4 profile (and its config.txt changes) for a Pi 4's model, and warns for a board
# no profile knows. The shipped profiles are used beside the test's own. The profile's status LED
# (a fake LED-class directory under the fake root) is taken from its trigger, shows "locked"
# (steady on) once the daemon serves stratum 1, and gets its trigger back when the daemon stops.
source "$(dirname "$0")/private_dev.sh"
: >"$STRATUMD_DEVROOT/new/pps0"
use_private_dev
source "$(dirname "$0")/lib.sh"
: "${FAKE_PPS:?set FAKE_PPS to the fake PPS library}"

export STRATUMD_BOARD_DIR=$work/boards STRATUMD_HOST_ROOT=$work/root
mkdir -p "$STRATUMD_BOARD_DIR" "$work/root/proc/device-tree"
cp "$here/../../board/profiles/"*.board "$STRATUMD_BOARD_DIR/"
cat >"$STRATUMD_BOARD_DIR/test-hat.board" <<'BOARD'
description a test board with a GPS HAT
model Test Board with GPS HAT
uart /dev/gps0
pps /dev/pps0
boot config.txt dtoverlay=pps-gpio,gpiopin=18
led test:green
BOARD
led=$work/root/sys/class/leds/test:green
mkdir -p "$led"
printf 'none timer heartbeat [mmc0] default-on\n' >"$led/trigger"
printf '0\n' >"$led/brightness"
printf '255\n' >"$led/max_brightness"
model() { printf '%s\0' "$1" >"$work/root/proc/device-tree/model"; }

# --check-config on a Pi 4 and on an unknown board.
printf 'board auto\n' >"$work/board.conf"
model "Raspberry Pi 4 Model B Rev 1.4"
"$STRATUMD" --check-config -c "$work/board.conf" >"$work/pi4.out" 2>&1 || true
cat "$work/pi4.out"
grep -q "board.conf:1: board raspberry-pi-4 (.*'Raspberry Pi 4 Model B Rev 1.4'): NMEA on /dev/ttyAMA0, PPS on /dev/pps0" "$work/pi4.out" ||
  fail "the Pi 4 was not recognised"
grep -q "the boot configuration needs: config.txt enable_uart=1; .*dtoverlay=pps-gpio,gpiopin=18" "$work/pi4.out" ||
  fail "the Pi 4's boot configuration was not named"
grep -q "2 reference clock(s)" "$work/pi4.out" || fail "the profile's clocks were not counted"
grep -q "the operator's console goes on /dev/ttyGS0 (systemctl enable stratumctl-console@ttyGS0)" "$work/pi4.out" ||
  fail "the Pi 4's console port was not named"
grep -q "the boot configuration needs: .*config.txt dtoverlay=dwc2; cmdline.txt add modules-load=dwc2,g_serial" "$work/pi4.out" ||
  fail "the Pi 4's USB gadget serial was not in its boot configuration"
model "Orange Pi 5"
"$STRATUMD" --check-config -c "$work/board.conf" >"$work/unknown.out" 2>&1 || true
grep -q "warning: board auto: this host (device tree model 'Orange Pi 5') matches no profile" "$work/unknown.out" ||
  fail "an unknown board was not said to match nothing: $(cat "$work/unknown.out")"

# The test board: nothing but `board auto`.
model "Test Board with GPS HAT Rev 2"
start_pty_receiver 0.200 0x11
printf 'board auto\n' >"$work/ntp.conf"
LD_PRELOAD=$FAKE_PPS STRATUMD_FAKE_PPS_PATH=/dev/pps0 start_daemon -n -x -c "$work/ntp.conf" \
  --console-socket "$work/console.sock"
retry_until 10 grep -q "board test-hat (a test board with a GPS HAT; .*): NMEA on /dev/gps0, PPS on /dev/pps0" "$work/daemon.log" ||
  fail "the start did not name the board"
wait_for_stratum_1 40
retry_until 20 served_within 0.001 || fail "not within 1 ms of the PPS: $(cat "$work/ntpdig.json" "$work/ntpdig.err")"
grep -q "status LED: $led" "$work/daemon.log" || fail "the status LED was not opened: $(cat "$work/daemon.log")"
[ "$(cat "$led/trigger")" = none ] || fail "the LED's trigger was not taken: $(cat "$led/trigger")"
retry_until 5 grep -qx 255 "$led/brightness" || fail "the LED is not steady on while locked: $(cat "$led/brightness")"
"$STRATUMCTL" --socket "$work/console.sock" -c status >"$work/status.out" || fail "no console"
grep -q "^board: *test-hat (a test board with a GPS HAT)" "$work/status.out" ||
  fail "the console does not name the board: $(cat "$work/status.out")"
stop_daemon
[ "$(cat "$led/trigger")" = mmc0 ] || fail "the LED's trigger was not given back: $(cat "$led/trigger")"
grep -qx 0 "$led/brightness" || fail "the LED was left on"
echo "PASS: board auto: the Pi 4 recognised with its boot changes, an unknown board warned about, a board's profile serving stratum 1 within 1 ms, its LED steady while locked and given back"
