#include "firmware/firstboot/first_boot_plan.hpp"

#include <gtest/gtest.h>

#include <algorithm>

namespace stratumd::firstboot {
namespace {

constexpr const char* kKey =
    "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIPtJ7mJ0H5q2vO1b5m8Qe4oQm6x3u1Pq8a operator@laptop";

bool has_note(const FirstBootPlan& plan, const std::string& text) {
  return std::any_of(plan.notes.begin(), plan.notes.end(),
                     [&](const std::string& note) { return note == text; });
}

TEST(FirstBootPlan, ImagerSettingsBecomeAPlanAndTheRestIsSaid) {
  SeedFiles seed;
  seed.meta_data = "instance_id: rpi-imager-1733580000\n";
  seed.user_data = std::string("#cloud-config\nhostname: clock1\nmanage_etc_hosts: true\n") +
                   "packages:\n- avahi-daemon\n" +
                   "users:\n- name: pi\n  groups: users,adm,dialout,gpio\n  shell: /bin/bash\n  "
                   "lock_passwd: false\n"
                   "  passwd: $5$abc$def\n  ssh_authorized_keys:\n  - " +
                   kKey +
                   "\n  sudo: ALL=(ALL) NOPASSWD:ALL\nssh_pwauth: true\ntimezone: Europe/London\n" +
                   "ssh_authorized_keys: [\"" + kKey + "\", \"not a key\"]\n";
  const FirstBootPlan plan = plan_first_boot(seed);
  EXPECT_FALSE(plan.seed_broken);
  EXPECT_EQ(plan.instance_id, "rpi-imager-1733580000");
  EXPECT_EQ(plan.hostname, "clock1");
  EXPECT_TRUE(plan.manage_etc_hosts);
  ASSERT_EQ(plan.users.size(), 1U);
  EXPECT_EQ(plan.users[0].name, "pi");
  EXPECT_EQ(plan.users[0].groups, (std::vector<std::string>{"users", "adm", "dialout", "gpio"}));
  EXPECT_EQ(plan.users[0].sudo_rules, std::vector<std::string>{"ALL=(ALL) NOPASSWD:ALL"});
  EXPECT_EQ(plan.users[0].ssh_keys, std::vector<std::string>{kKey});
  EXPECT_EQ(plan.root_keys, std::vector<std::string>{kKey});
  EXPECT_TRUE(has_note(plan, "user-data:4: ignored: 'packages' is not supported by this image"));
  EXPECT_TRUE(has_note(
      plan,
      "user-data:10: ignored: 'lock_passwd: false': passwords never log in here (SSH keys only)"));
  EXPECT_TRUE(has_note(
      plan, "user-data:11: refused: 'passwd': passwords never log in here (SSH keys only)"));
  EXPECT_TRUE(has_note(
      plan, "user-data:15: refused: 'ssh_pwauth': passwords never log in here (SSH keys only)"));
  EXPECT_TRUE(has_note(plan, "user-data:16: ignored: 'timezone' is not supported by this image"));
  EXPECT_TRUE(has_note(plan, "user-data:17: refused: not an SSH public key line: 'not a key'"));
}

TEST(FirstBootPlan, WriteFilesCarryModeOwnerAndDecodedContent) {
  SeedFiles seed;
  seed.user_data =
      "#cloud-config\nwrite_files:\n- path: /etc/stratumd/ntp.conf\n  owner: root:stratumd\n"
      "  permissions: '0640'\n  content: |\n    server 192.0.2.1 iburst\n"
      "- path: /etc/b\n  encoding: b64\n  content: aGVsbG8K\n"
      "- path: relative\n  content: x\n"
      "- path: /etc/c\n  encoding: gzip\n  content: x\n";
  const FirstBootPlan plan = plan_first_boot(seed);
  ASSERT_EQ(plan.files.size(), 2U);
  EXPECT_EQ(plan.files[0].path, "/etc/stratumd/ntp.conf");
  EXPECT_EQ(plan.files[0].mode, 0640U);
  EXPECT_EQ(plan.files[0].group, "stratumd");
  EXPECT_EQ(plan.files[0].content, "server 192.0.2.1 iburst\n");
  EXPECT_EQ(plan.files[1].content, "hello\n");
  EXPECT_TRUE(has_note(
      plan, "user-data:11: refused: write_files: 'relative' is not an absolute file path"));
  EXPECT_TRUE(has_note(plan,
                       "user-data:13: refused: write_files: /etc/c: encoding 'gzip' is not "
                       "supported (text/plain, b64 are)"));
}

TEST(FirstBootPlan, AStaticAddressBecomesANetworkdFile) {
  SeedFiles seed;
  seed.network_config =
      "network:\n  version: 2\n  ethernets:\n    eth0:\n      dhcp4: false\n"
      "      addresses: [10.0.2.15/24]\n      routes:\n      - to: default\n        via: 10.0.2.2\n"
      "      nameservers:\n        addresses: [10.0.2.3]\n        search: [lan]\n"
      "      optional: true\n  wifis:\n    wlan0: {}\n";
  const FirstBootPlan plan = plan_first_boot(seed);
  ASSERT_EQ(plan.network.size(), 1U);
  EXPECT_EQ(plan.network[0].name, "05-firstboot-eth0.network");
  EXPECT_EQ(
      plan.network[0].text,
      "# From the NoCloud network-config "
      "(stratumd-firstboot).\n[Match]\nName=eth0\n\n[Network]\nDHCP=no\n"
      "Address=10.0.2.15/24\nDNS=10.0.2.3\nDomains=lan\n\n[Link]\nRequiredForOnline=no\n\n[Route]\n"
      "Destination=0.0.0.0/0\nGateway=10.0.2.2\n");
  EXPECT_TRUE(
      has_note(plan, "network-config:14: refused: 'wifis': this image configures Ethernet only"));
}

TEST(FirstBootPlan, BadNetworkValuesAreRefusedNotWritten) {
  SeedFiles seed;
  seed.network_config =
      "version: 2\nethernets:\n  eth0:\n    addresses: [\"10.0.2.15/24\\nDNS=6.6.6.6\"]\n";
  FirstBootPlan plan = plan_first_boot(seed);
  EXPECT_TRUE(plan.network.empty());
  EXPECT_EQ(plan.notes.size(), 1U);
  seed.network_config = "version: 1\nconfig: []\n";
  plan = plan_first_boot(seed);
  EXPECT_TRUE(plan.network.empty());
  EXPECT_TRUE(has_note(plan,
                       "network-config:1: refused: only network-config version 2 is supported "
                       "(nothing of it is applied)"));
}

TEST(FirstBootPlan, ABrokenFileIsNotMarkedApplied) {
  SeedFiles seed;
  seed.meta_data = "instance-id: one\n";
  seed.user_data = "#cloud-config\nusers:\n- name: pi\n   shell: /bin/sh\n";
  FirstBootPlan plan = plan_first_boot(seed);
  EXPECT_TRUE(plan.seed_broken);
  EXPECT_TRUE(has_note(plan,
                       "user-data:4: unexpected indentation (user-data does not parse: nothing of "
                       "the seed is applied)"));
  seed.user_data = "hostname: x\n";
  plan = plan_first_boot(seed);
  EXPECT_TRUE(plan.seed_broken);
  EXPECT_TRUE(has_note(plan, "user-data:1: refused: it must start with '#cloud-config'"));
}

TEST(FirstBootPlan, WithoutAnInstanceIdTheContentsNameTheInstance) {
  SeedFiles seed;
  seed.user_data = "#cloud-config\nhostname: a\n";
  const std::string first = plan_first_boot(seed).instance_id;
  seed.user_data = "#cloud-config\nhostname: b\n";
  const std::string second = plan_first_boot(seed).instance_id;
  EXPECT_TRUE(first.starts_with("seed-"));
  EXPECT_NE(first, second);
  EXPECT_EQ(first,
            plan_first_boot(SeedFiles{"#cloud-config\nhostname: a\n", std::nullopt, std::nullopt})
                .instance_id);
}

TEST(FirstBootPlan, TheHostnameIsOneLabelAndTheFullNameTheFqdn) {
  SeedFiles seed;
  seed.user_data = "#cloud-config\nhostname: clock1\n";
  FirstBootPlan plan = plan_first_boot(seed);
  EXPECT_EQ(plan.hostname, "clock1");
  EXPECT_EQ(plan.fqdn, std::nullopt);
  seed.user_data = "#cloud-config\nfqdn: clock1.example.net\n";
  plan = plan_first_boot(seed);
  EXPECT_EQ(plan.hostname, "clock1");
  EXPECT_EQ(plan.fqdn, "clock1.example.net");
  seed.user_data = std::nullopt;
  seed.meta_data = "local-hostname: clock2.lan\n";
  plan = plan_first_boot(seed);
  EXPECT_EQ(plan.hostname, "clock2");
  EXPECT_EQ(plan.fqdn, "clock2.lan");
}

TEST(FirstBootPlan, NamesAndKeysAreChecked) {
  EXPECT_TRUE(valid_hostname("clock-1.example.net"));
  EXPECT_FALSE(valid_hostname("-bad"));
  EXPECT_FALSE(valid_hostname("a..b"));
  EXPECT_FALSE(valid_hostname("x\ny"));
  EXPECT_TRUE(valid_ssh_key(kKey));
  EXPECT_FALSE(valid_ssh_key("ssh-ed25519 short"));
  EXPECT_FALSE(
      valid_ssh_key("command=\"rm -rf /\" ssh-ed25519 "
                    "AAAAC3NzaC1lZDI1NTE5AAAAIPtJ7mJ0H5q2vO1b5m8Qe4oQm6x3u1Pq8a"));
  SeedFiles seed;
  seed.user_data = "#cloud-config\nusers:\n- name: Bad Name\n- default\n";
  const FirstBootPlan plan = plan_first_boot(seed);
  EXPECT_TRUE(plan.users.empty());
  EXPECT_TRUE(has_note(plan,
                       "user-data:3: refused: 'Bad Name' is not a user name (lower case letters, "
                       "digits, '_' and '-')"));
  EXPECT_TRUE(has_note(plan,
                       "user-data:4: ignored: 'default': this image has no default user (keys "
                       "given at the top level are root's)"));
}

}  // namespace
}  // namespace stratumd::firstboot
