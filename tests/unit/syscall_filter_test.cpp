#include "drivers/os/syscall_filter.hpp"

#include <gtest/gtest.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <ctime>

namespace stratumd {
namespace {

// qemu-user (the cross-built tests, scripts/cross) emulates system calls and cannot filter them:
// it refuses seccomp altogether, and there is nothing to test.
bool seccomp_here() {
  return ::prctl(PR_GET_SECCOMP, 0, 0, 0, 0) >= 0;
}
#define SKIP_WITHOUT_SECCOMP() \
  if (!seccomp_here()) GTEST_SKIP() << "no seccomp here (qemu-user?)"

// Each case runs in a child (a death test): the filter cannot be taken off a process.
void install() {
  ASSERT_EQ(::prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0), 0);
  install_syscall_filter(SyscallFilterLevel::enforce);
}

void start_a_program() {
  char* const argv[] = {const_cast<char*>("/bin/true"), nullptr};
  ::execve("/bin/true", argv, nullptr);
}

TEST(SyscallFilterDeathTest, WhatTheDaemonDoesStillWorks) {
  SKIP_WITHOUT_SECCOMP();
  EXPECT_EXIT(
      {
        install();
        timespec now{};
        const bool ok = ::clock_gettime(CLOCK_REALTIME, &now) == 0 &&
                        ::socket(AF_INET6, SOCK_DGRAM, 0) >= 0 &&
                        ::socket(AF_UNIX, SOCK_STREAM, 0) >= 0 && ::getpid() > 0;
        ::_exit(ok ? 0 : 1);
      },
      ::testing::ExitedWithCode(0), "");
}

TEST(SyscallFilterDeathTest, AProgramCannotBeStarted) {
  SKIP_WITHOUT_SECCOMP();
  EXPECT_EXIT(
      {
        install();
        start_a_program();
        ::_exit(0);
      },
      ::testing::ExitedWithCode(70),
      "system call filter \\(-F 1\\) stopped system call " + std::to_string(SYS_execve));
}

TEST(SyscallFilterDeathTest, NoRawOrPacketSockets) {
  SKIP_WITHOUT_SECCOMP();
  EXPECT_EXIT(
      {
        install();
        ::socket(AF_PACKET, SOCK_RAW, 0);
        ::_exit(0);
      },
      ::testing::ExitedWithCode(70), "stopped system call " + std::to_string(SYS_socket));
}

TEST(SyscallFilter, OffInstallsNothing) {
  SKIP_WITHOUT_SECCOMP();
  install_syscall_filter(SyscallFilterLevel::off);
  EXPECT_EQ(::prctl(PR_GET_SECCOMP, 0, 0, 0, 0), 0);
}

}  // namespace
}  // namespace stratumd
