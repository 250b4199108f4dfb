# A kernel that refuses SO_TIMESTAMPNS (qemu-user, some odd kernels) does not stop the daemon: it
# says so once, stamps requests when it reads them, and serves stratum 1 within a millisecond of
# this host's clock, in both I/O modes.
source "$(dirname "$0")/lib.sh"
: "${NO_KERNEL_STAMPS:?set NO_KERNEL_STAMPS to the preload library}"
for io in epoll poll; do
  LD_PRELOAD=$NO_KERNEL_STAMPS start_daemon --simulate -n -x --io "$io" --console-socket none
  wait_for_stratum_1
  grep -q "warning: this kernel does not stamp arrivals" "$work/daemon.log" ||
    fail "($io) no warning about the missing kernel stamps"
  retry_until 10 served_within 0.001 || fail "($io) not within 1 ms: $(cat "$work/ntpdig.json" "$work/ntpdig.err")"
  stop_daemon
done
echo "PASS: without SO_TIMESTAMPNS: a warning, stamps at the read, stratum 1 within 1 ms (epoll and poll)"
