#pragma once
// cloud-init's network-config (version 2, netplan's schema: the `ethernets` Raspberry Pi Imager
// and cloud images write) as systemd-networkd files, which is what this image runs. Anything that
// cannot be said to networkd exactly is refused in `notes`, never approximated.
#include <string>
#include <vector>

#include "firmware/firstboot/cloud_yaml.hpp"
#include "firmware/firstboot/first_boot_plan.hpp"

namespace stratumd::firstboot {

std::vector<NetworkFilePlan> networkd_files(const YamlNode& network_config,
                                            std::vector<std::string>& notes);

}  // namespace stratumd::firstboot
