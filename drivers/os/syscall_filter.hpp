// A seccomp filter (chronyd's and ntpd's -F idea): once the daemon has opened what it needs, the
// kernel refuses every system call it has no business making (exec, ptrace, mount, module
// loading, raw sockets, keyctl, bpf …). A compromised packet path then cannot spawn a shell or
// reach past the sockets and files the daemon already uses.
#pragma once

namespace stratumd {

enum class SyscallFilterLevel {
  off,      // -F 0 (the default, as chronyd's)
  enforce,  // -F 1: a call outside the list ends the daemon with a message naming the call
};

// Applies the filter to every thread of the process (the workers and the metrics threads are
// already running). Needs no privilege: PR_SET_NO_NEW_PRIVS is set at start. Throws
// std::runtime_error when the kernel refuses the filter.
void install_syscall_filter(SyscallFilterLevel level);

}  // namespace stratumd
