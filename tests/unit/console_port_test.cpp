#include "firmware/console_port.hpp"

#include <gtest/gtest.h>

#include <map>

namespace stratumd {
namespace {

struct Files {
  std::map<std::string, std::string> links;  // symlink -> target
  std::map<std::string, std::string> open;   // device -> holder
  PortLookup lookup() const {
    return {[this](const std::string& p) {
              const auto it = links.find(p);
              return it == links.end() ? p : it->second;
            },
            [this](const std::string& p) -> std::optional<std::string> {
              const auto it = open.find(p);
              if (it == open.end()) return std::nullopt;
              return it->second;
            }};
  }
};

DaemonConfig with_clock(int type, RefclockOptions options) {
  DaemonConfig config;
  RefclockDeclaration clock;
  clock.type = type;
  clock.unit = 0;
  clock.where = {"/etc/stratumd/ntp.conf", 3};
  clock.options = std::move(options);
  config.refclocks.push_back(clock);
  return config;
}

TEST(ConsolePort, NeverTheReferenceClocksPortWhateverItsName) {
  Files files;
  files.links["/dev/gps0"] = "/dev/ttyUSB0";
  files.links["/dev/serial/by-id/usb-u-blox"] = "/dev/ttyUSB0";
  // ntpd's default for type 20 unit 0 is /dev/gps0, a link to the USB receiver.
  const DaemonConfig nmea = with_clock(refclock_type::nmea, {});
  const auto conflict = console_port_conflict(nmea, "/dev/ttyUSB0", files.lookup());
  ASSERT_TRUE(conflict);
  EXPECT_EQ(*conflict,
            "/dev/ttyUSB0 is /dev/gps0, the port of the reference clock at "
            "/etc/stratumd/ntp.conf:3: no console there");
  EXPECT_TRUE(console_port_conflict(nmea, "/dev/serial/by-id/usb-u-blox", files.lookup()));
  EXPECT_FALSE(console_port_conflict(nmea, "/dev/ttyUSB1", files.lookup()));
  // An NMEA clock's PPS port counts too (flag1: /dev/gpspps0 by default).
  RefclockOptions pps;
  pps.flags[0] = true;
  pps.path = "/dev/ttyS0";
  files.links["/dev/gpspps0"] = "/dev/ttyS1";
  EXPECT_TRUE(
      console_port_conflict(with_clock(refclock_type::nmea, pps), "/dev/ttyS1", files.lookup()));
  // SHM and gpsd open no serial port of their own.
  EXPECT_FALSE(
      console_port_conflict(with_clock(refclock_type::shm, {}), "/dev/ttyUSB0", files.lookup()));
  EXPECT_FALSE(console_port_conflict(with_clock(refclock_type::gpsd_json, {}), "/dev/ttyUSB0",
                                     files.lookup()));
}

TEST(ConsolePort, NeverAPortAnotherProgramHolds) {
  Files files;
  files.links["/dev/gps-usb"] = "/dev/ttyACM0";
  files.open["/dev/ttyACM0"] = "gpsd (pid 412)";
  const auto conflict = console_port_conflict(DaemonConfig{}, "/dev/gps-usb", files.lookup());
  ASSERT_TRUE(conflict);
  EXPECT_EQ(*conflict, "/dev/gps-usb is held open by gpsd (pid 412): no console there");
  EXPECT_FALSE(console_port_conflict(DaemonConfig{}, "/dev/ttyGS0", files.lookup()));
}

}  // namespace
}  // namespace stratumd
