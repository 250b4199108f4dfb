// A kernel that will not stamp arrivals, as qemu-user (7.2) and some odd kernels: loaded into the
// daemon with LD_PRELOAD, setsockopt(SO_TIMESTAMPNS) fails with ENOPROTOOPT. Everything else
// passes through to the C library.
#include <dlfcn.h>
#include <sys/socket.h>

#include <cerrno>

extern "C" int setsockopt(int fd, int level, int name, const void* value, socklen_t length) {
  using Real = int (*)(int, int, int, const void*, socklen_t);
  static const auto real = reinterpret_cast<Real>(::dlsym(RTLD_NEXT, "setsockopt"));
  if (level == SOL_SOCKET && name == SO_TIMESTAMPNS) {
    errno = ENOPROTOOPT;
    return -1;
  }
  return real(fd, level, name, value, length);
}
