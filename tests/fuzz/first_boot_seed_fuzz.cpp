// The first boot's NoCloud seed: any user-data, meta-data and network-config (the input, split at
// NUL bytes) becomes a plan or is refused with its line, never a crash or a hang; whatever the plan
// writes into a networkd file or a sudoers line holds no line break it did not make itself.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>

#include "firmware/firstboot/first_boot_plan.hpp"

using namespace stratumd::firstboot;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string input(reinterpret_cast<const char*>(data), size);
  SeedFiles seed;
  const auto first = input.find('\0');
  seed.user_data = input.substr(0, first);
  if (first != std::string::npos) {
    const auto second = input.find('\0', first + 1);
    seed.meta_data = input.substr(first + 1, second - first - 1);
    if (second != std::string::npos) seed.network_config = input.substr(second + 1);
  }
  const FirstBootPlan plan = plan_first_boot(seed);
  for (const auto& user : plan.users) {
    for (const auto& rule : user.sudo_rules) {
      if (rule.find('\n') != std::string::npos) std::abort();
    }
    for (const auto& key : user.ssh_keys) {
      if (!valid_ssh_key(key)) std::abort();
    }
  }
  for (const auto& file : plan.network) {
    // Every line is a section, a comment or KEY=VALUE with a value of its own checked words.
    std::size_t start = 0;
    while (start < file.text.size()) {
      const auto end = file.text.find('\n', start);
      const std::string line = file.text.substr(start, end - start);
      if (!line.empty() && line[0] != '[' && line[0] != '#' && line.find('=') == std::string::npos)
        std::abort();
      start = end == std::string::npos ? file.text.size() : end + 1;
    }
  }
  return 0;
}
