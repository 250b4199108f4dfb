#include "firmware/config/board_profile.hpp"

#include <gtest/gtest.h>

#include <algorithm>

#include "firmware/board_selection.hpp"
#include "firmware/config/refclock_config.hpp"

namespace stratumd {
namespace {

const char* kPi4 = R"(# comment
description Raspberry Pi 4
model Raspberry Pi 4 Model B
model Raspberry Pi Compute Module 4
uart /dev/ttyAMA0
pps /dev/pps0
gpio pinctrl-bcm2711 18
led ACT
boot config.txt enable_uart=1
boot config.txt dtoverlay=pps-gpio,gpiopin=18
)";

TEST(BoardProfile, ParsesEveryKey) {
  std::vector<std::string> errors;
  const BoardProfile p = parse_board_profile("raspberry-pi-4", kPi4, errors);
  EXPECT_TRUE(errors.empty());
  EXPECT_EQ(p.models.size(), 2u);
  EXPECT_EQ(p.uart, "/dev/ttyAMA0");
  EXPECT_EQ(p.pps, "/dev/pps0");
  EXPECT_EQ(p.gpio_chip, "pinctrl-bcm2711");
  EXPECT_EQ(p.gpio_line, 18);
  EXPECT_EQ(p.led, "ACT");
  ASSERT_EQ(p.boot.size(), 2u);
  EXPECT_EQ(p.boot[1], "config.txt dtoverlay=pps-gpio,gpiopin=18");
}

TEST(BoardProfile, MistakesAreNamedWithTheirLine) {
  std::vector<std::string> errors;
  parse_board_profile("x", "model X\nuart /dev/ttyS0\ngpio chip-without-line\ncolour red\nled\n",
                      errors);
  ASSERT_EQ(errors.size(), 3u);
  EXPECT_EQ(errors[0].rfind("x.board:3: gpio takes a chip label and a line number", 0), 0u);
  EXPECT_EQ(errors[1].rfind("x.board:4: unknown key 'colour'", 0), 0u);
  EXPECT_EQ(errors[2], "x.board:5: 'led' needs a value");
  errors.clear();
  parse_board_profile("y", "description nothing to match\n", errors);
  ASSERT_EQ(errors.size(), 2u);  // no model/dmi, no uart
  // The console never on the GPS's port.
  errors.clear();
  const BoardProfile z =
      parse_board_profile("z", "model Z\nuart /dev/ttyS1\nconsole /dev/ttyS1\n", errors);
  ASSERT_EQ(errors.size(), 1u);
  EXPECT_EQ(errors[0],
            "z.board:3: the console is on /dev/ttyS1, the GPS's UART: give it another port");
  errors.clear();
  EXPECT_EQ(
      parse_board_profile("w", "model W\nuart /dev/ttyS1\nconsole /dev/ttyS0\n", errors).console,
      "/dev/ttyS0");
  EXPECT_TRUE(errors.empty());
}

TEST(BoardProfile, MatchesTheDeviceTreeFirstThenDmi) {
  std::vector<std::string> errors;
  const std::vector<BoardProfile> profiles{
      parse_board_profile("pc", "dmi *\nuart /dev/ttyS0\n", errors),
      parse_board_profile("apu", "dmi PC Engines apu\nuart /dev/ttyS1\n", errors),
      parse_board_profile("raspberry-pi-4", kPi4, errors)};
  ASSERT_TRUE(errors.empty());
  const auto match = [&](HostIdentity host) {
    const BoardProfile* p = match_board(profiles, host);
    return p ? p->name : std::string("none");
  };
  EXPECT_EQ(match({"Raspberry Pi 4 Model B Rev 1.4", ""}), "raspberry-pi-4");
  EXPECT_EQ(match({"Raspberry Pi Compute Module 4 Rev 1.0", ""}), "raspberry-pi-4");
  EXPECT_EQ(match({"Raspberry Pi 5 Model B Rev 1.0", ""}), "none");  // never the PC profile
  EXPECT_EQ(match({"", "PC Engines apu2"}), "apu");
  EXPECT_EQ(match({"", "QEMU Standard PC (Q35 + ICH9, 2009)"}), "pc");
  EXPECT_EQ(match({"", ""}), "none");
}

TEST(BoardProfile, ImpliesTheGpsHatConfiguration) {
  std::vector<std::string> errors;
  const BoardProfile p = parse_board_profile("raspberry-pi-4", kPi4, errors);
  const auto clocks = board_refclocks(p, SourceLocation{"/etc/stratumd/ntp.conf", 3});
  ASSERT_EQ(clocks.size(), 2u);
  EXPECT_EQ(clocks[0].type, refclock_type::nmea);
  EXPECT_EQ(refclock_device(clocks[0].type, clocks[0].unit, clocks[0].options), "/dev/ttyAMA0");
  EXPECT_EQ(clocks[0].options.baud, 9600);
  EXPECT_TRUE(clocks[0].options.prefer);
  EXPECT_EQ(clocks[1].type, refclock_type::pps);
  EXPECT_EQ(refclock_device(clocks[1].type, clocks[1].unit, clocks[1].options), "/dev/pps0");
  EXPECT_EQ(clocks[1].where.line, 3);
}

// The profiles shipped in board/profiles all parse, and each board the issue names has one.
TEST(BoardProfile, ShippedProfilesParse) {
  std::vector<std::string> errors;
  const std::vector<BoardProfile> profiles =
      load_board_profiles(std::string(SOURCE_DIR) + "/board/profiles", errors);
  for (const std::string& e : errors) ADD_FAILURE() << e;
  const auto match = [&](const char* model, const char* dmi = "") {
    const BoardProfile* p = match_board(profiles, HostIdentity{model, dmi});
    return p ? p->name : std::string("none");
  };
  EXPECT_EQ(match("Raspberry Pi 3 Model B Plus Rev 1.3"), "raspberry-pi-3");
  EXPECT_EQ(match("Raspberry Pi Zero 2 W Rev 1.0"), "raspberry-pi-zero-2-w");
  EXPECT_EQ(match("Raspberry Pi 4 Model B Rev 1.5"), "raspberry-pi-4");
  EXPECT_EQ(match("Raspberry Pi Compute Module 4 Rev 1.1"), "raspberry-pi-4");
  EXPECT_EQ(match("Raspberry Pi 5 Model B Rev 1.0"), "raspberry-pi-5");
  EXPECT_EQ(match("Raspberry Pi Compute Module 5 Rev 1.0"), "raspberry-pi-5");
  EXPECT_EQ(match("TI AM335x BeagleBone Black"), "beaglebone-black");
  EXPECT_EQ(match("", "Dell Inc. OptiPlex 7010"), "generic-x86");
  // The Pi 5's header is on RP1, another GPIO chip than the Pi 4's.
  const BoardProfile* pi5 = match_board(profiles, HostIdentity{"Raspberry Pi 5 Model B", ""});
  const BoardProfile* pi4 = match_board(profiles, HostIdentity{"Raspberry Pi 4 Model B", ""});
  ASSERT_TRUE(pi5 && pi4);
  EXPECT_NE(pi5->gpio_chip, pi4->gpio_chip);
  // Every board names a console port the GPS leaves free (the parser refuses the GPS's own).
  for (const BoardProfile& p : profiles) EXPECT_FALSE(p.console.empty()) << p.name;
  EXPECT_EQ(pi4->console, "/dev/ttyGS0");  // USB gadget serial: dwc2 in the boot lines
  EXPECT_NE(std::find(pi4->boot.begin(), pi4->boot.end(), "config.txt dtoverlay=dwc2"),
            pi4->boot.end());
  EXPECT_EQ(pi5->console, "/dev/ttyAMA10");  // the debug UART connector
}

}  // namespace
}  // namespace stratumd
