#!/usr/bin/env bash
# Runs one integration test inside a private network namespace with only loopback up, so the
# daemon owns port 123 and no packet can leave the machine.
set -euo pipefail
source "$(dirname "$0")/../cannot_run.sh"
if [[ $(id -u) -ne 0 ]]; then
  cannot_run "integration tests need root for 'unshare -n' and port 123"
fi
exec unshare --net -- bash -c 'ip link set lo up && exec bash "$@"' _ "$@"
