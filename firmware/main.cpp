#include <cstdio>

#include "firmware/command_line.hpp"
#include "firmware/daemon.hpp"

int main(int argc, char** argv) {
  const stratumd::CommandLineResult command_line = stratumd::parse_command_line(argc, argv);
  if (!command_line.options) {
    std::fputs(command_line.output.c_str(), command_line.exit_code == 0 ? stdout : stderr);
    return command_line.exit_code;
  }
  return stratumd::run_daemon(*command_line.options);
}
