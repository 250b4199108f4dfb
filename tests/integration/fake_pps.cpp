// A kernel PPS device for a machine that has none (this kernel has no PPS client drivers): loaded
// into the daemon with LD_PRELOAD, it answers the RFC 2783 ioctls on the file named by
// $STRATUMD_FAKE_PPS_PATH (a plain file in the test's private /dev) as /dev/pps0 would on a GPS
// HAT: an assert edge at every second of CLOCK_REALTIME, stamped with 1 us of Gaussian interrupt
// latency noise (fixed per second, so every read of an edge agrees). Everything else passes
// through to the C library.
#include <dlfcn.h>
#include <fcntl.h>
#include <linux/pps.h>
#include <sys/ioctl.h>

#include <array>
#include <cerrno>
#include <cmath>
#include <cstdarg>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <ctime>

namespace {

std::array<bool, 4096> fake_fds{};
int fake_mode = PPS_CAPTUREASSERT | PPS_TSFMT_TSPEC;

bool is_fake(const char* path) {
  const char* fake = std::getenv("STRATUMD_FAKE_PPS_PATH");
  return fake && path && std::strcmp(fake, path) == 0;
}

void remember(int fd, const char* path) {
  if (fd >= 0 && fd < static_cast<int>(fake_fds.size())) fake_fds[fd] = is_fake(path);
}

// Standard normal from the second's number (splitmix64 + Box-Muller): the same edge, the same
// stamp, however often it is read.
double latency_noise(std::int64_t second) {
  const auto mix = [](std::uint64_t z) {
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return z ^ (z >> 31);
  };
  const std::uint64_t a = mix(static_cast<std::uint64_t>(second) * 0x9e3779b97f4a7c15ULL);
  const std::uint64_t b = mix(a);
  const double u1 = (static_cast<double>(a >> 11) + 1.0) / 9007199254740993.0;
  const double u2 = static_cast<double>(b >> 11) / 9007199254740992.0;
  return std::sqrt(-2.0 * std::log(u1)) * std::cos(6.283185307179586 * u2);
}

int fake_ioctl(unsigned long request, void* argument) {
  switch (request) {
    case PPS_GETCAP:
      *static_cast<int*>(argument) =
          PPS_CAPTUREASSERT | PPS_OFFSETASSERT | PPS_CANWAIT | PPS_TSFMT_TSPEC;
      return 0;
    case PPS_GETPARAMS: {
      auto* params = static_cast<pps_kparams*>(argument);
      *params = {};
      params->api_version = PPS_API_VERS;
      params->mode = fake_mode;
      return 0;
    }
    case PPS_SETPARAMS:
      fake_mode = static_cast<const pps_kparams*>(argument)->mode;
      return 0;
    case PPS_FETCH: {
      timespec now{};
      ::clock_gettime(CLOCK_REALTIME, &now);
      // The edge of the current second has been seen once 5 us of latency have passed.
      const std::int64_t second = now.tv_nsec >= 5000 ? now.tv_sec : now.tv_sec - 1;
      auto* data = static_cast<pps_fdata*>(argument);
      data->info = {};
      data->info.assert_sequence = static_cast<__u32>(second);
      data->info.assert_tu.sec = second;
      data->info.assert_tu.nsec =
          static_cast<__s32>(std::lround(2000.0 + 1000.0 * latency_noise(second)));
      data->info.current_mode = fake_mode;
      return 0;
    }
    case PPS_KC_BIND:
      errno = EOPNOTSUPP;  // no kernel PPS discipline to hand the pulse to
      return -1;
    default:
      errno = ENOTTY;
      return -1;
  }
}

template <typename F>
F next(const char* name) {
  return reinterpret_cast<F>(::dlsym(RTLD_NEXT, name));
}

// The C library's `name` (open or open64), and the descriptor remembered if it is the fake.
int open_and_remember(const char* name, const char* path, int flags, va_list list) {
  const auto real = next<int (*)(const char*, int, ...)>(name);
  const mode_t mode = (flags & (O_CREAT | O_TMPFILE)) ? static_cast<mode_t>(va_arg(list, int)) : 0;
  const int fd = real(path, flags, mode);
  remember(fd, path);
  return fd;
}

}  // namespace

extern "C" {

int open(const char* path, int flags, ...) {
  va_list list;
  va_start(list, flags);
  const int fd = open_and_remember("open", path, flags, list);
  va_end(list);
  return fd;
}

int open64(const char* path, int flags, ...) {
  va_list list;
  va_start(list, flags);
  const int fd = open_and_remember("open64", path, flags, list);
  va_end(list);
  return fd;
}

int ioctl(int fd, unsigned long request, ...) {
  static const auto real = next<int (*)(int, unsigned long, ...)>("ioctl");
  va_list list;
  va_start(list, request);
  void* argument = va_arg(list, void*);
  va_end(list);
  if (fd >= 0 && fd < static_cast<int>(fake_fds.size()) && fake_fds[fd]) {
    return fake_ioctl(request, argument);
  }
  return real(fd, request, argument);
}

}  // extern "C"
