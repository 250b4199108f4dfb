#include "firmware/firstboot/cloud_yaml.hpp"

#include <gtest/gtest.h>

namespace stratumd::firstboot {
namespace {

TEST(CloudYaml, ReadsWhatRaspberryPiImagerWrites) {
  const YamlNode root = parse_yaml(R"(#cloud-config
hostname: clock1   # the box's name
manage_etc_hosts: true
users:
- name: pi
  groups: users,adm,dialout,gpio
  shell: /bin/bash
  lock_passwd: true
  ssh_authorized_keys:
    - ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIB operator@laptop
  sudo: ALL=(ALL) NOPASSWD:ALL
ssh_pwauth: false
runcmd:
- [ sh, -c, "echo '# not run'" ]
)",
                                   "user-data");
  ASSERT_TRUE(root.is_mapping());
  EXPECT_EQ(root.find("hostname")->scalar, "clock1");
  const YamlNode* users = root.find("users");
  ASSERT_TRUE(users != nullptr && users->is_sequence());
  ASSERT_EQ(users->items.size(), 1U);
  const YamlNode& pi = users->items[0];
  EXPECT_EQ(pi.find("name")->scalar, "pi");
  EXPECT_EQ(pi.find("sudo")->scalar, "ALL=(ALL) NOPASSWD:ALL");
  ASSERT_EQ(pi.find("ssh_authorized_keys")->items.size(), 1U);
  EXPECT_EQ(pi.find("ssh_authorized_keys")->items[0].scalar,
            "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIB operator@laptop");
  EXPECT_EQ(yaml_bool(*root.find("ssh_pwauth")), false);
  const YamlNode& command = root.find("runcmd")->items.at(0);
  ASSERT_TRUE(command.is_sequence());
  EXPECT_EQ(command.items.at(2).scalar, "echo '# not run'");
  EXPECT_EQ(root.find("runcmd")->line, 13);
}

TEST(CloudYaml, BlockScalarsKeepTheirLinesAndComments) {
  const YamlNode root = parse_yaml(R"(write_files:
  - path: /etc/stratumd/ntp.conf
    permissions: '0644'
    content: |
      # GPS on the UART
      server 127.127.20.0 mode 1

      refclock gpio unit 0
    owner: root:stratumd
  - path: /etc/motd
    content: >-
      one
      two
)",
                                   "user-data");
  const YamlNode& files = *root.find("write_files");
  ASSERT_EQ(files.items.size(), 2U);
  EXPECT_EQ(files.items[0].find("content")->scalar,
            "# GPS on the UART\nserver 127.127.20.0 mode 1\n\nrefclock gpio unit 0\n");
  EXPECT_EQ(files.items[0].find("owner")->scalar, "root:stratumd");
  EXPECT_EQ(files.items[0].find("permissions")->scalar, "0644");
  EXPECT_EQ(files.items[1].find("content")->scalar, "one two");
}

TEST(CloudYaml, FlowCollectionsAndQuotes) {
  const YamlNode root = parse_yaml(R"(a: [1, "two, three", 'it''s']
b: {to: default, via: 192.0.2.1}
c: "tab\there"
d: ~
e:
)",
                                   "x");
  ASSERT_EQ(root.find("a")->items.size(), 3U);
  EXPECT_EQ(root.find("a")->items[1].scalar, "two, three");
  EXPECT_EQ(root.find("a")->items[2].scalar, "it's");
  EXPECT_EQ(root.find("b")->find("via")->scalar, "192.0.2.1");
  EXPECT_EQ(root.find("c")->scalar, "tab\there");
  EXPECT_EQ(root.find("d")->kind, YamlNode::Kind::empty);
  EXPECT_EQ(root.find("e")->kind, YamlNode::Kind::empty);
}

void expect_error(const char* text, const char* message) {
  try {
    parse_yaml(text, "user-data");
    ADD_FAILURE() << "no error for: " << text;
  } catch (const YamlError& error) {
    EXPECT_STREQ(error.what(), message);
  }
}

TEST(CloudYaml, RefusesWhatItDoesNotReadWithTheLine) {
  expect_error("a: 1\nb: &anchor 2\n", "user-data:2: anchors, aliases and tags are not supported");
  expect_error("a: 1\na: 2\n", "user-data:2: 'a' given twice");
  expect_error("a: \"open\n", "user-data:1: a quoted string must end on its line");
  expect_error("a: [1, 2\n", "user-data:1: a flow collection must end with ']' on its line");
  expect_error("a:\n  b: 1\n   c: 2\n", "user-data:3: unexpected indentation");
  expect_error("a:\n\tb: 1\n", "user-data:2: a tab in the indentation (YAML indents with spaces)");
  expect_error("a: 1\njust words\n", "user-data:2: expected 'key: value'");
  expect_error("a: |2\n  x\n",
               "user-data:1: block scalar indicator '|2' is not supported (| |- |+ > >- >+ are)");
}

TEST(CloudYaml, GarbageNeverCrashes) {
  const std::string pieces[] = {"- ", "a:", " b", "\n", "  ", "[", "]", "{",
                                "}",  "\"", "'",  "|",  ">",  "#", ",", ": "};
  unsigned seed = 1;
  for (int round = 0; round < 20000; ++round) {
    std::string text;
    for (int i = 0; i < 12; ++i) {
      seed = seed * 1103515245U + 12345U;
      text += pieces[(seed >> 16) % std::size(pieces)];
    }
    try {
      parse_yaml(text, "fuzz");
    } catch (const YamlError&) {
    }
  }
}

}  // namespace
}  // namespace stratumd::firstboot
