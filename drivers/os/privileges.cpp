#include "drivers/os/privileges.hpp"

#include <grp.h>
#include <linux/capability.h>
#include <pwd.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <stdexcept>
#include <vector>

namespace stratumd {
namespace {

[[noreturn]] void fail(const std::string& what) {
  throw std::runtime_error("-u: " + what + ": " + std::strerror(errno));
}

// The capability sets of the calling thread: CAP_SYS_TIME permitted and effective when asked,
// nothing else. False (errno set) when the kernel refuses.
bool set_thread_capabilities(bool keep_clock_control) noexcept {
  __user_cap_header_struct header{_LINUX_CAPABILITY_VERSION_3, 0};
  __user_cap_data_struct data[_LINUX_CAPABILITY_U32S_3]{};
  if (keep_clock_control) {
    data[CAP_TO_INDEX(CAP_SYS_TIME)].permitted |= CAP_TO_MASK(CAP_SYS_TIME);
    data[CAP_TO_INDEX(CAP_SYS_TIME)].effective |= CAP_TO_MASK(CAP_SYS_TIME);
  }
  return ::syscall(SYS_capset, &header, data) == 0;
}

}  // namespace

void forbid_new_privileges() {
  if (::prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0) {
    throw std::runtime_error(std::string("prctl(PR_SET_NO_NEW_PRIVS): ") + std::strerror(errno));
  }
}

std::optional<RunAs> parse_run_as(const std::string& spec) {
  const auto colon = spec.find(':');
  RunAs who;
  who.user = spec.substr(0, colon);
  if (who.user.empty()) return std::nullopt;
  if (colon != std::string::npos) {
    who.group = spec.substr(colon + 1);
    if (who.group->empty()) return std::nullopt;
  }
  return who;
}

Account find_account(const RunAs& who) {
  std::vector<char> buffer(16384);
  passwd account{};
  passwd* found_account = nullptr;
  if (::getpwnam_r(who.user.c_str(), &account, buffer.data(), buffer.size(), &found_account) != 0 ||
      !found_account) {
    errno = errno ? errno : ENOENT;
    fail("no user '" + who.user + "'");
  }
  Account found{who.user, account.pw_uid, account.pw_gid};
  if (who.group) {
    std::vector<char> group_buffer(16384);
    group entry{};
    group* found_group = nullptr;
    if (::getgrnam_r(who.group->c_str(), &entry, group_buffer.data(), group_buffer.size(),
                     &found_group) != 0 ||
        !found_group) {
      errno = errno ? errno : ENOENT;
      fail("no group '" + *who.group + "'");
    }
    found.gid = entry.gr_gid;
  }
  return found;
}

bool drop_capabilities(bool keep_clock_control) {
  if (::geteuid() == 0) return false;  // root without -u stays root, as ntpd
  __user_cap_header_struct header{_LINUX_CAPABILITY_VERSION_3, 0};
  __user_cap_data_struct data[_LINUX_CAPABILITY_U32S_3]{};
  if (::syscall(SYS_capget, &header, data) != 0) fail("capget");
  bool any = false;
  for (const auto& word : data) any = any || word.permitted != 0;
  if (!any) return false;
  // Ambient capabilities (systemd's AmbientCapabilities=) would pass to a program the daemon
  // started; it starts none, but nothing is kept that is not needed.
  if (::prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_CLEAR_ALL, 0, 0, 0) != 0)
    fail("prctl(PR_CAP_AMBIENT)");
  if (!set_thread_capabilities(keep_clock_control)) fail("capset");
  forbid_new_privileges();
  return true;
}

bool shed_thread_capabilities() noexcept {
  if (::geteuid() == 0) return true;
  return ::prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_CLEAR_ALL, 0, 0, 0) == 0 &&
         set_thread_capabilities(false);
}

void drop_privileges(const Account& who, bool keep_clock_control) {
  if (::geteuid() != 0) {
    errno = EPERM;
    fail("switching to " + who.name + " needs root");
  }
  const uid_t uid = who.uid;
  const gid_t gid = who.gid;
  // Capabilities survive the change of user only where asked to (this thread); the others
  // lose them all with it, and need none.
  if (::prctl(PR_SET_KEEPCAPS, 1, 0, 0, 0) != 0) fail("prctl(PR_SET_KEEPCAPS)");
  if (::initgroups(who.name.c_str(), gid) != 0) fail("initgroups");
  if (::setgid(gid) != 0) fail("setgid");
  if (::setuid(uid) != 0) fail("setuid");
  if (::prctl(PR_SET_KEEPCAPS, 0, 0, 0, 0) != 0) fail("prctl(PR_SET_KEEPCAPS)");
  if (!set_thread_capabilities(keep_clock_control)) fail("capset");
  forbid_new_privileges();
  if (::getuid() != uid || ::geteuid() != uid || ::setuid(0) == 0) {
    errno = EPERM;
    fail("the switch to " + who.name + " did not hold");
  }
}

}  // namespace stratumd
