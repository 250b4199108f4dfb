# Sourced first by the tests that need a /dev of their own (a receiver at /dev/gps0, a syslog
# socket at /dev/log): re-runs the test in a private mount namespace and prepares there a
# directory of links to every real /dev entry, $STRATUMD_DEVROOT/new, which the test may add to
# or change before `use_private_dev` mounts it over /dev.
set -euo pipefail
if [[ -z ${STRATUMD_IN_MOUNT_NS:-} ]]; then
  devroot=$(mktemp -d /tmp/stratumd-dev.XXXXXX)
  chmod 755 "$devroot"  # as /dev: a daemon that dropped root (-u) follows the links too
  set +e
  STRATUMD_IN_MOUNT_NS=1 STRATUMD_DEVROOT=$devroot unshare --mount --propagation private bash "$0" "$@"
  status=$?
  set -e
  # The namespace and its mounts are gone: only the plain directories are left.
  rm -rf --one-file-system "$devroot"
  exit "$status"
fi
mkdir -p "$STRATUMD_DEVROOT/real" "$STRATUMD_DEVROOT/new"
mount --rbind /dev "$STRATUMD_DEVROOT/real"
for entry in /dev/*; do ln -s "$STRATUMD_DEVROOT/real/${entry#/dev/}" "$STRATUMD_DEVROOT/new/"; done
use_private_dev() { mount --bind "$STRATUMD_DEVROOT/new" /dev; }
