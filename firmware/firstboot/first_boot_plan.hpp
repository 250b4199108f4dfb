#pragma once
// What an appliance's first boot does with cloud-init's NoCloud seed (user-data, meta-data,
// network-config, as Raspberry Pi Imager writes them onto the boot partition): read, checked and
// turned into a plan, without touching the system. Every key that is not applied is said, with
// the line it is on, so an operator knows which of their settings took and which did not.
#include <sys/types.h>
#include <optional>
#include <string>
#include <vector>

namespace stratumd::firstboot {

struct SeedFiles {
  std::optional<std::string> user_data;
  std::optional<std::string> meta_data;
  std::optional<std::string> network_config;
};

struct UserPlan {
  std::string name;
  std::vector<std::string> groups;      // as asked; the applier skips the ones the image lacks
  std::vector<std::string> sudo_rules;  // "ALL=(ALL) NOPASSWD:ALL": a sudoers line each
  std::string shell;                    // empty: useradd's default
  std::string gecos;
  std::vector<std::string> ssh_keys;
};

struct FilePlan {
  std::string path;
  std::string content;
  mode_t mode = 0644;
  std::string owner = "root";
  std::string group = "root";
  bool append = false;
};

// A systemd-networkd file, named so that it is read before the image's default (DHCP on all).
struct NetworkFilePlan {
  std::string name;
  std::string text;
};

struct FirstBootPlan {
  // Settings are applied once per instance: a new meta-data instance-id (or, without one, new
  // seed contents) applies them again.
  std::string instance_id;
  std::optional<std::string> hostname;  // one label: what the system is called
  std::optional<std::string> fqdn;      // with a domain, for /etc/hosts
  bool manage_etc_hosts = false;
  std::vector<std::string>
      root_keys;  // top-level ssh_authorized_keys: this image has no default user
  std::vector<UserPlan> users;
  std::vector<FilePlan> files;
  std::vector<NetworkFilePlan> network;
  // "user-data:12: ignored: 'runcmd' is not supported by this image", one per setting not applied.
  std::vector<std::string> notes;
  // A seed file that could not be read at all: nothing is marked applied, so the next boot, with
  // the file mended, applies it.
  bool seed_broken = false;
};

FirstBootPlan plan_first_boot(const SeedFiles& seed);

// An authorized_keys line this image accepts: a known key type, its base64 blob, a comment.
bool valid_ssh_key(const std::string& line);
bool valid_hostname(const std::string& name);

}  // namespace stratumd::firstboot
