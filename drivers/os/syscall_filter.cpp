#include "drivers/os/syscall_filter.hpp"

#include <seccomp.h>
#include <sys/socket.h>
#include <unistd.h>

#include <array>
#include <csignal>
#include <cstring>
#include <memory>
#include <stdexcept>
#include <string>

namespace stratumd {
namespace {

// What the running daemon does after start-up, and nothing more. Grouped by why it is needed;
// names unknown on an architecture (arm64 has no open() or poll()) are skipped.
constexpr std::array kAllowed = {
    // memory, threads, signals, exit
    "brk",
    "mmap",
    "mmap2",
    "munmap",
    "mremap",
    "mprotect",
    "madvise",
    "futex",
    "futex_time64",
    "set_robust_list",
    "get_robust_list",
    "rseq",
    "clone",
    "clone3",
    "exit",
    "exit_group",
    "sched_yield",
    "sched_getaffinity",
    "sched_getparam",
    "sched_getscheduler",
    "getrandom",
    "prctl",
    "gettid",
    "getpid",
    "getppid",
    "tgkill",
    "rt_sigaction",
    "rt_sigprocmask",
    "rt_sigreturn",
    "sigreturn",
    "sigaltstack",
    "restart_syscall",
    "set_tid_address",
    "membarrier",
    // time: reading, sleeping, and steering the system clock
    "clock_gettime",
    "clock_gettime64",
    "clock_getres",
    "clock_getres_time64",
    "gettimeofday",
    "time",
    "clock_nanosleep",
    "clock_nanosleep_time64",
    "nanosleep",
    "clock_adjtime",
    "clock_adjtime64",
    "adjtimex",
    "clock_settime",
    "clock_settime64",
    "settimeofday",
    // descriptors and event loops
    "read",
    "write",
    "readv",
    "writev",
    "pread64",
    "pwrite64",
    "lseek",
    "_llseek",
    "close",
    "fcntl",
    "fcntl64",
    "dup",
    "dup2",
    "dup3",
    "pipe",
    "pipe2",
    "eventfd2",
    "timerfd_create",
    "timerfd_settime",
    "timerfd_settime64",
    "timerfd_gettime",
    "timerfd_gettime64",
    "signalfd4",
    "epoll_create1",
    "epoll_ctl",
    "epoll_wait",
    "epoll_pwait",
    "epoll_pwait2",
    "poll",
    "ppoll",
    "ppoll_time64",
    "select",
    "_newselect",
    "pselect6",
    "pselect6_time64",
    "ioctl",
    // files: configuration, drift, statistics, leap table, devices reopened after an unplug
    "openat",
    "open",
    "fstat",
    "fstat64",
    "newfstatat",
    "fstatat64",
    "stat",
    "stat64",
    "lstat",
    "lstat64",
    "statx",
    "statfs",
    "statfs64",
    "fstatfs",
    "fstatfs64",
    "access",
    "faccessat",
    "faccessat2",
    "readlink",
    "readlinkat",
    "getdents64",
    "fsync",
    "fdatasync",
    "ftruncate",
    "ftruncate64",
    "rename",
    "renameat",
    "renameat2",
    "unlink",
    "unlinkat",
    "mkdir",
    "mkdirat",
    "symlink",
    "symlinkat",
    "link",
    "linkat",
    "fchmod",
    "fchmodat",
    "chmod",
    "umask",
    "flock",
    "getcwd",
    // sockets: NTP, the console, metrics, gpsd, syslog, name resolution
    "bind",
    "connect",
    "listen",
    "accept",
    "accept4",
    "getsockname",
    "getpeername",
    "setsockopt",
    "getsockopt",
    "shutdown",
    "socketpair",
    "recvfrom",
    "recvmsg",
    "recvmmsg",
    "recvmmsg_time64",
    "sendto",
    "sendmsg",
    "sendmmsg",
    "recv",
    "send",
    // gpsd's and ntpd's shared-memory segments
    "shmget",
    "shmat",
    "shmdt",
    "shmctl",
    // identity and limits (libc asks)
    "getuid",
    "geteuid",
    "getgid",
    "getegid",
    "getuid32",
    "geteuid32",
    "getgid32",
    "getegid32",
    "getresuid",
    "getresgid",
    "getresuid32",
    "getresgid32",
    "getgroups",
    "uname",
    "sysinfo",
    "getrlimit",
    "ugetrlimit",
    "prlimit64",
    "getpriority",
    "capget",
    // Only ever lowers: a thread started after the filter lets go of inherited capabilities.
    "capset",
};

// The families a socket may be made in: no raw or packet sockets.
constexpr std::array kSocketFamilies = {AF_UNIX, AF_INET, AF_INET6, AF_NETLINK};

// Async-signal-safe: no allocation, only write(2).
void report_forbidden_call(int, siginfo_t* info, void*) {
  char text[160] = "stratumd: the system call filter (-F 1) stopped system call ";
  std::size_t length = std::strlen(text);
  char digits[12];
  int n = 0;
  for (unsigned value = static_cast<unsigned>(info->si_syscall); n == 0 || value != 0;
       value /= 10) {
    digits[n++] = static_cast<char>('0' + value % 10);
  }
  while (n > 0) text[length++] = digits[--n];
  const char tail[] = " (scmp_sys_resolver names it); please report it\n";
  std::memcpy(text + length, tail, sizeof tail - 1);
  length += sizeof tail - 1;
  [[maybe_unused]] const auto written = ::write(STDERR_FILENO, text, length);
  ::_exit(70);  // EX_SOFTWARE
}

struct FilterContext {
  scmp_filter_ctx ctx;
  explicit FilterContext(std::uint32_t action) : ctx(::seccomp_init(action)) {
    if (!ctx) throw std::runtime_error("seccomp_init failed");
  }
  ~FilterContext() { ::seccomp_release(ctx); }
  FilterContext(const FilterContext&) = delete;
  FilterContext& operator=(const FilterContext&) = delete;
};

void check(int rc, const std::string& what) {
  if (rc < 0) throw std::runtime_error("system call filter: " + what + ": " + std::strerror(-rc));
}

}  // namespace

void install_syscall_filter(SyscallFilterLevel level) {
  if (level == SyscallFilterLevel::off) return;
  FilterContext filter(SCMP_ACT_TRAP);
  for (const char* name : kAllowed) {
    const int number = ::seccomp_syscall_resolve_name(name);
    if (number == __NR_SCMP_ERROR) continue;
    check(::seccomp_rule_add(filter.ctx, SCMP_ACT_ALLOW, number, 0), name);
  }
  for (const int family : kSocketFamilies) {
    check(::seccomp_rule_add(filter.ctx, SCMP_ACT_ALLOW, SCMP_SYS(socket), 1,
                             SCMP_A0(SCMP_CMP_EQ, static_cast<scmp_datum_t>(family))),
          "socket");
  }
  // Every thread, including the workers and civetweb's, which already run.
  check(::seccomp_attr_set(filter.ctx, SCMP_FLTATR_CTL_TSYNC, 1), "thread synchronisation");

  struct sigaction action {};
  action.sa_sigaction = report_forbidden_call;
  action.sa_flags = SA_SIGINFO;
  sigemptyset(&action.sa_mask);
  if (::sigaction(SIGSYS, &action, nullptr) != 0) {
    throw std::runtime_error(std::string("sigaction(SIGSYS): ") + std::strerror(errno));
  }
  check(::seccomp_load(filter.ctx), "loading it into the kernel");
}

}  // namespace stratumd
