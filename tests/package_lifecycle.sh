#!/usr/bin/env bash
# The package's life on an operator's machine, in a chroot of a clean Debian 12 root (board/
# container/make-root, made by scripts/setup --test): installed as the previous release, edited by
# the operator and run (a drift file, statistics), upgraded to this build with the edits and the
# state kept and no question asked, removed (configuration and state kept, the programs gone), and
# purged: nothing of it is left but the account, which Debian's practice keeps (a file left with
# its uid must not pass to whatever account gets the uid next).
# The previous release is this build relabelled one version lower: what is exercised is dpkg's
# upgrade path through our maintainer scripts and conffile, not the differences between releases.
# Usage: tests/package_lifecycle.sh BUILD_DIR PACKAGE_DIR
set -euo pipefail
source "$(dirname "$0")/cannot_run.sh"
# The maintainer scripts need /proc (systemd-tmpfiles refuses without it): mounted in the root, in
# a mount namespace of the test's own, so nothing outlives it.
if [[ -z ${STRATUMD_IN_MOUNT_NS:-} ]]; then
  STRATUMD_IN_MOUNT_NS=1 exec unshare --mount --propagation private bash "$0" "$@"
fi
build=$1
packages=$2
template=$build/container-root
deb=$(ls "$packages"/stratumd_*.deb 2>/dev/null || true)
[[ -d $template ]] || cannot_run "no $template (scripts/setup --test makes it)"
[[ -n $deb ]] || { echo "FAIL: no package in $packages (static.debian_package builds it)"; exit 1; }

scratch=$(mktemp -d /tmp/stratumd-lifecycle.XXXXXX)
trap 'umount "$scratch/root/proc" 2>/dev/null || true; rm -rf --one-file-system "$scratch"' EXIT
fail() { echo "FAIL: $*"; exit 1; }
root=$scratch/root
mkdir "$root"
cp -a "$template/." "$root"
mount -t proc proc "$root/proc"
in_root() { chroot "$root" "$@"; }
dpkg_in_root() {
  in_root dpkg "$@" </dev/null >>"$scratch/dpkg.log" 2>&1 || fail "dpkg $*: $(tail -n 20 "$scratch/dpkg.log")"
}
# Every path of the root but dpkg's own records and logs, which are meant to remember.
listing() {
  (cd "$root" && find . -xdev \( -path ./var/lib/dpkg -o -path ./var/cache/debconf -o -path ./tmp \
    -o -path ./proc -o -path ./sys -o -path ./dev \) -prune -o -print |
    grep -Ev '^\./var/log/(dpkg|alternatives)\.log$' | sort)
}
status() { in_root dpkg-query -W -f='${db:Status-Abbrev} ${Version}' stratumd 2>/dev/null || true; }

listing >"$scratch/before.txt"
version=$(dpkg-deb -f "$deb" Version)
previous=$version~previous
mkdir "$scratch/previous"
dpkg-deb -R "$deb" "$scratch/previous"
sed -i "s/^Version: .*/Version: $previous/" "$scratch/previous/DEBIAN/control"
dpkg-deb -b "$scratch/previous" "$root/tmp/stratumd_previous.deb" >/dev/null
cp "$deb" "$root/tmp/stratumd_new.deb"

# Installed: the account with the groups its devices need, its directories, the unit enabled.
dpkg_in_root -i /tmp/stratumd_previous.deb
[[ $(status) == "ii  $previous" ]] || fail "the previous release is not installed: $(status)"
groups=$(in_root id -nG stratumd) || fail "no account stratumd"
for group in dialout gpio; do [[ " $groups " == *" $group "* ]] || fail "stratumd is not in $group: $groups"; done
[[ $(in_root stat -c '%U:%G %a' /etc/stratumd) == "root:stratumd 775" ]] ||
  fail "/etc/stratumd is $(in_root stat -c '%U:%G %a' /etc/stratumd)"
[[ -L $root/etc/systemd/system/multi-user.target.wants/stratumd.service ]] || fail "the unit is not enabled"

# The operator's edit and what the daemon wrote while it ran.
echo "server 127.0.0.2 iburst  # the operator's" >>"$root/etc/stratumd/ntp.conf"
cp "$root/etc/stratumd/ntp.conf" "$scratch/edited.conf"
in_root install -d -o stratumd -g stratumd /var/lib/stratumd /var/log/ntpstats
echo "-17.287" >"$root/var/lib/stratumd/drift"
echo "61000 1.5 0.000001 -17.287 0.000001 0.01 4" >"$root/var/log/ntpstats/loopstats"
cp "$root/etc/stratumd/ntp.conf" "$root/etc/stratumd/ntp.conf.bak"  # the console's save

# Upgraded: no question about the edited conffile (the packaged one did not change), the edit, the
# drift and the statistics kept, the new programs in place and reading the edited configuration.
dpkg_in_root -i /tmp/stratumd_new.deb
[[ $(status) == "ii  $version" ]] || fail "not upgraded: $(status)"
grep -q "conffile" "$scratch/dpkg.log" && fail "dpkg asked about the conffile: $(cat "$scratch/dpkg.log")"
cmp -s "$scratch/edited.conf" "$root/etc/stratumd/ntp.conf" || fail "the operator's edit was lost"
[[ $(cat "$root/var/lib/stratumd/drift") == "-17.287" ]] || fail "the drift file was lost"
[[ -s $root/var/log/ntpstats/loopstats ]] || fail "the statistics were lost"
in_root stratumd --check-config -c /etc/stratumd/ntp.conf >"$scratch/check.txt" 2>&1 ||
  fail "the upgraded daemon refuses the edited configuration: $(cat "$scratch/check.txt")"

# Removed: the programs and the unit gone, the configuration, the state and the account kept.
dpkg_in_root -r stratumd
[[ $(status) == "rc  $version" ]] || fail "after dpkg -r the package is $(status)"
for gone in /usr/sbin/stratumd /usr/bin/stratumctl /lib/systemd/system/stratumd.service; do
  [[ ! -e $root$gone ]] || fail "$gone is still there after dpkg -r"
done
cmp -s "$scratch/edited.conf" "$root/etc/stratumd/ntp.conf" || fail "dpkg -r touched the configuration"
[[ -f $root/var/lib/stratumd/drift ]] || fail "dpkg -r removed the drift file"
in_root id stratumd >/dev/null || fail "dpkg -r removed the account"

# Purged: nothing left but the account.
dpkg_in_root -P stratumd
[[ -z $(status) || $(status) == "un "* ]] || fail "after dpkg -P the package is $(status)"
in_root id stratumd >/dev/null || fail "the purge removed the account"
listing >"$scratch/after.txt"
# The account's own records: sysusers keeps a backup of each file it changed.
left=$(comm -13 "$scratch/before.txt" "$scratch/after.txt" | grep -Ev '^\./etc/(passwd|group|shadow|gshadow)-$' || true)
[[ -z $left ]] || fail "left after the purge: $(tr '\n' ' ' <<<"$left")"
lost=$(comm -23 "$scratch/before.txt" "$scratch/after.txt")
[[ -z $lost ]] || fail "gone after the purge that were there before: $(tr '\n' ' ' <<<"$lost")"
echo "PASS: $previous -> $version installed, upgraded (edit, drift and statistics kept), removed, purged (only the account left)"
