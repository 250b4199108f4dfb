#include <gtest/gtest.h>

#include <fstream>
#include <map>
#include <sstream>
#include <string>

#include "firmware/config/ntp_conf_parser.hpp"

namespace stratumd {
namespace {

// stratumd.conf(5) lists every directive under the section saying what stratumd does with it: a
// directive added to the parser, or moved from "not yet" to handled, must be listed there too.
TEST(ManPage, TheConfigurationPageListsEveryDirectiveWithItsStatus) {
  std::ifstream page(MAN_DIR "/stratumd.conf.5");
  ASSERT_TRUE(page) << MAN_DIR "/stratumd.conf.5";
  const std::map<std::string, std::string> section_status{{".SH DIRECTIVES", "handled"},
                                                          {".SH NOT YET IMPLEMENTED", "not yet"},
                                                          {".SH NOT SUPPORTED", "not supported"}};
  std::map<std::string, std::string> listed;
  std::string status;
  std::string line;
  bool term = false;
  while (std::getline(page, line)) {
    if (line.rfind(".SH ", 0) == 0) {
      const auto it = section_status.find(line);
      status = it == section_status.end() ? "" : it->second;
    } else if (line == ".TP") {
      term = true;
      continue;
    } else if (term && !status.empty() && line.rfind(".B ", 0) == 0) {
      EXPECT_TRUE(listed.emplace(line.substr(3), status).second) << "listed twice: " << line;
    }
    term = false;
  }
  std::map<std::string, std::string> expected;
  for (const auto& [name, what] : directive_statuses()) expected.emplace(name, what);
  EXPECT_EQ(listed, expected);
}

}  // namespace
}  // namespace stratumd
