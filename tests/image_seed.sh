#!/usr/bin/env bash
# The appliance image's first boot, as a buyer meets it (board/image/boot-test --seed/--while-up):
# `seed KIND DIR` writes a NoCloud seed and a key pair into DIR; `check KIND DIR` runs while the
# image serves, over SSH through BOOT_TEST_SSH_PORT, and fails on anything the seed asked for and
# did not get, or got and should not have.
#   read-only  (the amd64 image, read-only root): root's key, hostname, a static address with DNS
#              from network-config, stratumd's ntp.conf from write_files; a user the read-only root
#              cannot create is refused in the log; the seed is applied once.
#   card       (the Pi's card, writable root): a user with groups, sudo and a key; DHCP gives the
#              address and the DNS server; root, given no key, cannot log in.
#   none       (the arm64 image, no seed): no SSH at all.
# The read-only kind also checks the watchdogs: systemd keeps the PC's hardware watchdog, and a
# stratumd stopped dead (SIGSTOP) is ended by the unit's watchdog and serves again.
set -euo pipefail
mode=$1 kind=$2 dir=$3
fail() { echo "FAIL: $*" >&2; exit 1; }
if [[ $mode == seed ]]; then
  mkdir -p "$dir"
  [[ $kind == none ]] && exit 0
  ssh-keygen -q -t ed25519 -N '' -C image-test -f "$dir/key"
  key=$(cat "$dir/key.pub")
  case $kind in
    read-only)
      printf 'instance-id: image-test-1\nlocal-hostname: from-meta-data\n' >"$dir/meta-data"
      cat >"$dir/user-data" <<DATA
#cloud-config
hostname: clock-amd64
ssh_authorized_keys:
  - $key
users:
  - name: op
    ssh_authorized_keys: ["$key"]
ssh_pwauth: false
runcmd:
  - [touch, /data/runcmd-ran]
write_files:
  - path: /etc/stratumd/ntp.conf
    owner: root:stratumd
    permissions: '0644'
    content: |
      # written by the first boot
      driftfile /var/lib/stratumd/drift
      restrict default kod limited nomodify nopeer noquery
      restrict 127.0.0.1
      # this host, as qemu's user-mode network shows it: probes every second, never rate-limited
      restrict 10.0.2.2
DATA
      cat >"$dir/network-config" <<'DATA'
network:
  version: 2
  ethernets:
    lan:
      match:
        name: "en*"
      dhcp4: false
      addresses: [10.0.2.15/24]
      routes:
        - to: default
          via: 10.0.2.2
      nameservers:
        addresses: [10.0.2.3]
DATA
      ;;
    card)
      printf 'instance_id: rpi-imager-test\n' >"$dir/meta-data"
      cat >"$dir/user-data" <<DATA
#cloud-config
hostname: clock-pi
manage_etc_hosts: true
users:
- name: op
  groups: users,dialout,gpio,video,spi
  shell: /bin/bash
  lock_passwd: true
  ssh_authorized_keys:
    - $key
  sudo: ALL=(ALL) NOPASSWD:ALL
ssh_pwauth: false
DATA
      ;;
    *) fail "no seed kind $kind" ;;
  esac
  exit 0
fi

port=${BOOT_TEST_SSH_PORT:?boot-test sets BOOT_TEST_SSH_PORT}
options=(-o StrictHostKeyChecking=no -o UserKnownHostsFile=/dev/null -o BatchMode=yes -o ConnectTimeout=30
         -o LogLevel=ERROR -p "$port")
if [[ $kind == none ]]; then
  # No keys given: sshd is not started, so nothing answers with an SSH banner.
  banner=$(timeout 20 ssh-keyscan -T 10 -p "$port" 127.0.0.1 2>/dev/null || true)
  [[ -z $banner ]] || fail "an image without a seed runs sshd: $banner"
  echo "no seed: no SSH"
  exit 0
fi
user=root
[[ $kind == card ]] && user=op
guest() { ssh "${options[@]}" -i "$dir/key" "$user@127.0.0.1" "$@"; }
# As root: the journal is not an ordinary user's to read (op has sudo).
sudo=
[[ $user == root ]] || sudo="sudo -n"
admin() { guest "$sudo $*"; }
# sshd may still be starting under emulation: the first login gets a minute.
for _ in $(seq 12); do guest true 2>/dev/null && break; sleep 5; done
guest true || fail "no SSH login as $user with the seed's key"
refused=$(ssh "${options[@]}" -o PubkeyAuthentication=no -o PreferredAuthentications=password,keyboard-interactive \
  "$user@127.0.0.1" true 2>&1 || true)
[[ $refused == *"Permission denied (publickey)"* ]] || fail "a login without a key was not refused with publickey only: $refused"
journal=$(admin journalctl -b -o cat -u stratumd-firstboot)
grep -q "instance .*: applying" <<<"$journal" || fail "the first boot applied nothing: $journal"
case $kind in
  read-only)
    [[ $(guest hostname) == clock-amd64 ]] || fail "hostname $(guest hostname), not clock-amd64"
    guest cat /etc/stratumd/ntp.conf | grep -qx "# written by the first boot" || fail "write_files did not write ntp.conf"
    guest test -e /data/runcmd-ran && fail "runcmd ran"
    grep -q "user-data:9: ignored: 'runcmd' is not supported by this image" <<<"$journal" || fail "runcmd not said: $journal"
    grep -q "user op: not created: the root is read-only" <<<"$journal" || fail "the refused user is not said: $journal"
    address=$(guest ip -4 -o addr show scope global)
    [[ $address == *10.0.2.15/24* && $address != *dynamic* ]] || fail "not the static address: $address"
    guest networkctl status --no-pager 2>/dev/null | grep -q "05-firstboot-lan.network" ||
      guest "networkctl status --no-pager \$(ls /sys/class/net | grep ^en)" | grep -q "05-firstboot-lan.network" ||
      fail "networkd does not use the first boot's file"
    guest resolvectl dns | grep -q 10.0.2.3 || fail "no DNS server from network-config: $(guest resolvectl dns)"
    guest test -s /data/firstboot/ssh/ssh_host_ed25519_key || fail "no host key on the data partition"
    # Once per instance: run again, it applies nothing.
    guest systemctl restart stratumd-firstboot
    guest "journalctl -b -o cat -u stratumd-firstboot" | grep -q "instance image-test-1: already applied" ||
      fail "a second run did not say the instance was already applied"
    # Watched: systemd keeps the PC's hardware watchdog, and restarts a daemon that hangs.
    [[ $(guest systemctl show -p RuntimeWatchdogUSec --value) == 15s ]] ||
      fail "no hardware watchdog interval: $(guest systemctl show -p RuntimeWatchdogUSec)"
    guest "journalctl -b -o cat _PID=1" | grep -qiE "hardware watchdog|watchdog running" ||
      fail "systemd does not keep the hardware watchdog: $(guest "journalctl -b -o cat _PID=1 | grep -i watchdog")"
    hung=$(guest systemctl show -p MainPID --value stratumd)
    guest kill -STOP "$hung"
    restarted=$hung
    for _ in $(seq 120); do
      restarted=$(guest systemctl show -p MainPID --value stratumd)
      [[ $restarted != 0 && $restarted != "$hung" ]] && break
      sleep 1
    done
    [[ $restarted != "$hung" ]] || fail "a hung stratumd (pid $hung stopped) was not restarted in 2 min"
    guest "journalctl -b -o cat -u stratumd" | grep -q "Watchdog timeout" || fail "the restart was not the watchdog's"
    top=$(cd "$(dirname "$0")/.." && pwd)
    for _ in $(seq 180); do
      python3 "$top/tests/integration/ntp_probe.py" query 127.0.0.1 --port "${BOOT_TEST_NTP_PORT:?}" --timeout 1 2>/dev/null |
        grep -q '"stratum": 1,' && break
      sleep 1
    done
    answer=$(python3 "$top/tests/integration/ntp_probe.py" query 127.0.0.1 --port "$BOOT_TEST_NTP_PORT" --timeout 1 2>&1 || true)
    [[ $answer == *'"stratum": 1,'* ]] || {
      guest stratumctl -c status || true
      guest "journalctl -b -o short-monotonic -u stratumd | tail -n 30" || true
      fail "no stratum 1 within 3 min of the watchdog restart: $answer"
    }
    echo "watchdog: hung pid $hung ended by systemd's watchdog, pid $restarted serves stratum 1 again"
    ;;
  card)
    [[ $(guest hostname) == clock-pi ]] || fail "hostname $(guest hostname), not clock-pi"
    groups=$(guest id -nG)
    for group in dialout gpio users; do [[ " $groups " == *" $group "* ]] || fail "op is not in $group: $groups"; done
    grep -q "user op: group spi skipped: not on this image" <<<"$journal" || fail "the missing group is not said: $journal"
    guest sudo -n true || fail "op's sudo rule does not work"
    guest grep -q "127.0.1.1.*clock-pi" /etc/hosts || fail "manage_etc_hosts did not name 127.0.1.1"
    guest resolvectl dns | grep -q 10.0.2.3 || fail "no DNS server from DHCP: $(guest resolvectl dns)"
    # The journal is kept on the writable root, under its cap.
    guest "systemd-analyze cat-config systemd/journald.conf" | grep -qx "SystemMaxUse=32M" || fail "no journal cap"
    admin "ls /var/log/journal/*/system.journal" >/dev/null || fail "the journal is not kept on the card"
    root=$(ssh "${options[@]}" -i "$dir/key" root@127.0.0.1 true 2>&1 || true)
    [[ $root == *"Permission denied"* ]] || fail "root logs in without being given a key: $root"
    ;;
esac
# What the first boot costs at boot: from its start to its end, in this boot's first run.
timing=$(admin journalctl -b -o short-monotonic -u stratumd-firstboot |
  awk 'function stamp() { match($0, /[0-9]+\.[0-9]+/); return substr($0, RSTART, RLENGTH) + 0 }
       /Starting stratumd-firstboot/ && !a { a = stamp() }
       /Finished stratumd-firstboot|stratumd-firstboot.service: (Main process exited|Failed)/ && !b { b = stamp() }
       END { if (a && b) printf "%.1f s", b - a; else print "?" }')
echo "first boot ($kind): $(grep -c . <<<"$journal") log lines, ran for $timing; login by key only as $user"
