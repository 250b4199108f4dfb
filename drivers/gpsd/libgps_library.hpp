// libgps, loaded when the first gpsd reference clock starts rather than linked: its dependencies
// (libdbus, and through it libsystemd, libgcrypt, liblzma, libzstd, liblz4, libcap) would
// otherwise be loaded into every daemon, ~1 MiB resident, though most receivers are read from a
// serial port. The build names the library by its soname, so the functions are the ones gps.h
// declared (checked there at compile time).
#pragma once

struct gps_data_t;

namespace stratumd {

struct LibgpsFunctions {
  int (*open)(const char* host, const char* port, gps_data_t* data);
  int (*close)(gps_data_t* data);
  int (*stream)(gps_data_t* data, unsigned int flags, void* device);
  int (*read)(gps_data_t* data, char* message, int message_length);
  bool (*waiting)(const gps_data_t* data, int timeout_us);
  const char* (*errstr)(int error);
};

// Loads libgps once per process and keeps it. Throws std::runtime_error naming the library and
// why it could not be loaded (not installed, or a symbol missing).
const LibgpsFunctions& libgps();

}  // namespace stratumd
