#include "drivers/gpsd/libgps_library.hpp"

#include <dlfcn.h>
#include <gps.h>

#include <stdexcept>
#include <string>
#include <type_traits>

#ifndef STRATUMD_LIBGPS_SONAME
#error "the build names libgps by its soname (CMakeLists.txt)"
#endif

namespace stratumd {
namespace {

static_assert(std::is_same_v<decltype(LibgpsFunctions::open), decltype(&::gps_open)>);
static_assert(std::is_same_v<decltype(LibgpsFunctions::close), decltype(&::gps_close)>);
static_assert(std::is_same_v<decltype(LibgpsFunctions::stream), decltype(&::gps_stream)>);
static_assert(std::is_same_v<decltype(LibgpsFunctions::read), decltype(&::gps_read)>);
static_assert(std::is_same_v<decltype(LibgpsFunctions::waiting), decltype(&::gps_waiting)>);
static_assert(std::is_same_v<decltype(LibgpsFunctions::errstr), decltype(&::gps_errstr)>);

std::string why_not() {
  const char* error = ::dlerror();
  return error ? error : "unknown error";
}

template <typename Function>
void resolve(void* library, const char* name, Function& function) {
  function = reinterpret_cast<Function>(::dlsym(library, name));
  if (!function)
    throw std::runtime_error(std::string(STRATUMD_LIBGPS_SONAME) + " has no " + name + ": " +
                             why_not());
}

LibgpsFunctions load() {
  // Never closed: the process keeps it as it would a linked library.
  void* library = ::dlopen(STRATUMD_LIBGPS_SONAME, RTLD_NOW | RTLD_LOCAL);
  if (!library)
    throw std::runtime_error("a gpsd reference clock needs " STRATUMD_LIBGPS_SONAME
                             " (the libgps package): " +
                             why_not());
  LibgpsFunctions functions{};
  resolve(library, "gps_open", functions.open);
  resolve(library, "gps_close", functions.close);
  resolve(library, "gps_stream", functions.stream);
  resolve(library, "gps_read", functions.read);
  resolve(library, "gps_waiting", functions.waiting);
  resolve(library, "gps_errstr", functions.errstr);
  return functions;
}

}  // namespace

const LibgpsFunctions& libgps() {
  static const LibgpsFunctions functions = load();
  return functions;
}

}  // namespace stratumd
