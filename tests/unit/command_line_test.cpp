#include "firmware/command_line.hpp"

#include <gtest/gtest.h>

#include <filesystem>
#include <set>

#include <vector>

namespace stratumd {
namespace {

CommandLineResult parse(std::vector<const char*> args) {
  args.insert(args.begin(), "stratumd");
  return parse_command_line(static_cast<int>(args.size()), args.data());
}

TEST(CommandLine, Defaults) {
  const auto r = parse({});
  ASSERT_TRUE(r.options);
  EXPECT_EQ(r.options->port, 123);
  EXPECT_FALSE(r.options->foreground);
  EXPECT_FALSE(r.options->simulate);
  EXPECT_FALSE(r.options->config_file);
  EXPECT_EQ(r.options->io, IoBackend::epoll);
}

TEST(CommandLine, ShortAndLongOptions) {
  const auto r = parse({"-c", "/etc/ntp.conf", "-n", "-x", "--simulate", "--port", "1123",
                        "--io=poll", "--threads", "3"});
  ASSERT_TRUE(r.options);
  EXPECT_EQ(r.options->config_file, "/etc/ntp.conf");
  EXPECT_TRUE(r.options->foreground);
  EXPECT_TRUE(r.options->no_clock_steering);
  EXPECT_TRUE(r.options->simulate);
  EXPECT_EQ(r.options->port, 1123);
  EXPECT_EQ(r.options->io, IoBackend::poll);
  EXPECT_EQ(r.options->threads, 3);
}

TEST(CommandLine, ARelativeConsoleSocketIsTakenFromTheStartingDirectory) {
  const std::string here = std::filesystem::current_path().string();
  EXPECT_EQ(parse({"--console-socket", "console.sock"}).options->console_socket,
            here + "/console.sock");
  EXPECT_EQ(parse({"--console-socket", "./run/../c.sock"}).options->console_socket,
            here + "/c.sock");
  EXPECT_EQ(parse({"--console-socket", "/run/x/c.sock"}).options->console_socket, "/run/x/c.sock");
  EXPECT_EQ(parse({"--console-socket", "none"}).options->console_socket, "");
}

TEST(CommandLine, HelpAndVersionExitZero) {
  const auto help = parse({"--help"});
  EXPECT_FALSE(help.options);
  EXPECT_EQ(help.exit_code, 0);
  EXPECT_NE(help.output.find("--check-config"), std::string::npos);
  const auto version = parse({"--version"});
  EXPECT_EQ(version.exit_code, 0);
  EXPECT_EQ(version.output.rfind("stratumd ", 0), 0u);
}

TEST(CommandLine, BadArgumentsSayWhat) {
  EXPECT_EQ(parse({"--bogus"}).exit_code, 2);
  const auto port = parse({"--port", "70000"});
  EXPECT_EQ(port.exit_code, 2);
  EXPECT_NE(port.output.find("70000"), std::string::npos);
  EXPECT_EQ(parse({"--io", "select"}).exit_code, 2);
  EXPECT_EQ(parse({"--threads", "0"}).exit_code, 2);
  EXPECT_EQ(parse({"-c"}).exit_code, 2);
  const auto filter = parse({"-F", "2"});
  EXPECT_EQ(filter.exit_code, 2);
  EXPECT_NE(filter.output.find("-F takes 0"), std::string::npos);
}

TEST(CommandLine, SystemCallFilterLevel) {
  EXPECT_EQ(parse({}).options->syscall_filter, SyscallFilterLevel::off);
  EXPECT_EQ(parse({"-F", "1"}).options->syscall_filter, SyscallFilterLevel::enforce);
  EXPECT_EQ(parse({"-F", "0"}).options->syscall_filter, SyscallFilterLevel::off);
}

TEST(CommandLine, DefaultConfigurationSearchOrder) {
  std::set<std::string> present;
  const auto exists = [&](const std::string& p) { return present.count(p) > 0; };
  EXPECT_FALSE(find_default_config(exists));
  present.insert("/etc/ntp.conf");
  EXPECT_EQ(find_default_config(exists), "/etc/ntp.conf");
  present.insert("/etc/stratumd/ntp.conf");
  EXPECT_EQ(find_default_config(exists), "/etc/stratumd/ntp.conf");
}

}  // namespace
}  // namespace stratumd

#include "drivers/os/privileges.hpp"

namespace stratumd {
namespace {

TEST(CommandLine, RunAsUserAndGroup) {
  const auto r = parse({"-u", "ntp:dialout"});
  ASSERT_TRUE(r.options);
  EXPECT_EQ(r.options->run_as, "ntp:dialout");
  const auto who = parse_run_as("ntp:dialout");
  ASSERT_TRUE(who);
  EXPECT_EQ(who->user, "ntp");
  EXPECT_EQ(who->group, "dialout");
  EXPECT_FALSE(parse_run_as("ntp")->group);
  for (const char* bad : {"", ":dialout", "ntp:"}) {
    EXPECT_FALSE(parse_run_as(bad)) << bad;
    const auto refused = parse({"-u", bad});
    EXPECT_FALSE(refused.options) << bad;
    EXPECT_EQ(refused.exit_code, 2) << bad;
  }
}

}  // namespace
}  // namespace stratumd
