// stratumd-firstboot: the appliance image's way in. At every boot, before the network and SSH
// start, it looks for cloud-init's NoCloud seed (user-data, meta-data, network-config) on the
// boot partition or on a file system labelled CIDATA, and applies it once per instance-id: the
// hostname, users with their SSH keys and sudo rules, files (stratumd's ntp.conf among them) and
// the network. What it applied lives on the data partition, so a read-only root or a re-flashed
// root keeps it; the per-boot part puts it in place again (hostname, networkd files, host keys).
// Every setting applied, ignored or refused is logged to the journal and to STATE/log.
#include <fcntl.h>
#include <grp.h>
#include <pwd.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <ctime>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <sstream>
#include <string>
#include <vector>

#include "firmware/firstboot/first_boot_plan.hpp"

namespace fs = std::filesystem;
using namespace stratumd::firstboot;

namespace {

class Descriptor {
 public:
  explicit Descriptor(int fd) : fd_(fd) {}
  Descriptor(const Descriptor&) = delete;
  Descriptor& operator=(const Descriptor&) = delete;
  ~Descriptor() {
    if (fd_ >= 0) ::close(fd_);
  }
  [[nodiscard]] int get() const { return fd_; }

 private:
  int fd_;
};

struct Options {
  std::vector<fs::path> seed_dirs{"/boot/firmware"};
  std::string seed_label = "CIDATA";
  fs::path state = "/data/firstboot";
};

class FirstBoot {
 public:
  explicit FirstBoot(Options options) : options_(std::move(options)) {}

  int run() {
    fs::create_directories(options_.state / "ssh" / "authorized_keys");
    fs::permissions(options_.state, fs::perms(0755));
    const auto seed = find_seed();
    if (seed) apply_once(*seed);
    every_boot();
    return failed_ ? 1 : 0;
  }

 private:
  void log(const std::string& line) {
    std::cout << line << std::endl;
    const auto now = std::chrono::system_clock::to_time_t(std::chrono::system_clock::now());
    char stamp[32];
    std::strftime(stamp, sizeof stamp, "%Y-%m-%dT%H:%M:%SZ", std::gmtime(&now));
    std::ofstream(options_.state / "log", std::ios::app) << stamp << " " << line << "\n";
  }
  void fail(const std::string& line) {
    failed_ = true;
    log("error: " + line);
  }

  static std::optional<std::string> read_file(const fs::path& path) {
    std::ifstream in(path, std::ios::binary);
    if (!in) return std::nullopt;
    std::ostringstream text;
    text << in.rdbuf();
    return text.str();
  }

  static SeedFiles read_seed(const fs::path& dir) {
    return {read_file(dir / "user-data"), read_file(dir / "meta-data"),
            read_file(dir / "network-config")};
  }

  std::optional<SeedFiles> find_seed() {
    for (const auto& dir : options_.seed_dirs) {
      SeedFiles seed = read_seed(dir);
      if (seed.user_data || seed.meta_data || seed.network_config) {
        log("seed: " + dir.string());
        return seed;
      }
    }
    // NoCloud's other place: a small file system labelled CIDATA (a USB stick, a virtual disk).
    for (const std::string& label : {options_.seed_label, std::string("cidata")}) {
      const fs::path device = "/dev/disk/by-label/" + label;
      if (!fs::exists(device)) continue;
      const fs::path mount_point = "/run/stratumd-firstboot/seed";
      fs::create_directories(mount_point);
      for (const char* type : {"vfat", "iso9660"}) {
        if (::mount(device.c_str(), mount_point.c_str(), type,
                    MS_RDONLY | MS_NOSUID | MS_NODEV | MS_NOEXEC, nullptr) != 0) {
          continue;
        }
        SeedFiles seed = read_seed(mount_point);
        ::umount(mount_point.c_str());
        log("seed: " + device.string() + " (" + type + ")");
        return seed;
      }
      fail("seed: " + device.string() + " is neither FAT nor ISO 9660: " + std::strerror(errno));
    }
    return std::nullopt;
  }

  int command(const std::vector<std::string>& argv) {
    std::vector<char*> args;
    for (const auto& arg : argv) args.push_back(const_cast<char*>(arg.c_str()));
    args.push_back(nullptr);
    std::cout.flush();
    const pid_t pid = ::fork();
    if (pid == 0) {
      ::execvp(args[0], args.data());
      std::perror(args[0]);
      ::_exit(127);
    }
    int status = 0;
    if (pid < 0 || ::waitpid(pid, &status, 0) < 0) return -1;
    return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  }

  static bool read_only(const fs::path& path) {
    struct statvfs info {};
    return ::statvfs(path.c_str(), &info) == 0 && (info.f_flag & ST_RDONLY) != 0;
  }

  // Written whole or not at all: a power cut leaves the old file or the new one.
  static bool write_atomically(const fs::path& path, const std::string& content, mode_t mode) {
    const fs::path temporary = path.string() + ".firstboot-new";
    bool ok = false;
    {
      const Descriptor fd(
          ::open(temporary.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOFOLLOW, mode));
      if (fd.get() < 0) return false;
      ok = ::fchmod(fd.get(), mode) == 0 &&
           ::write(fd.get(), content.data(), content.size()) ==
               static_cast<ssize_t>(content.size()) &&
           ::fsync(fd.get()) == 0;
    }
    if (ok && ::rename(temporary.c_str(), path.c_str()) == 0) return true;
    ::unlink(temporary.c_str());
    return false;
  }

  void apply_once(const SeedFiles& seed) {
    const FirstBootPlan plan = plan_first_boot(seed);
    const auto applied = read_file(options_.state / "instance-id");
    if (applied && *applied == plan.instance_id + "\n") {
      log("instance " + plan.instance_id +
          ": already applied; to apply the seed again, give meta-data a new instance-id");
      return;
    }
    for (const auto& note : plan.notes) log(note);
    // Half a seed could take the keys away and leave the box unreachable: nothing is applied, and
    // the next boot, with the file mended, tries again.
    if (plan.seed_broken) {
      fail("instance " + plan.instance_id +
           ": not applied: a seed file could not be read (above); mend it and reboot");
      return;
    }
    log("instance " + plan.instance_id + ": applying");
    if (plan.hostname) {
      const std::string& name = *plan.hostname;
      write_atomically(options_.state / "hostname", name + "\n", 0644)
          ? log("hostname: " + name)
          : fail("hostname: cannot write the state");
      if (plan.manage_etc_hosts) etc_hosts(name, plan.fqdn.value_or(name));
    }
    const bool root_read_only = read_only("/etc");
    std::vector<std::string> key_owners;
    for (const auto& user : plan.users) {
      if (add_user(user, root_read_only)) {
        install_keys(user.name, user.ssh_keys);
        key_owners.push_back(user.name);
      }
    }
    if (!plan.root_keys.empty()) {
      install_keys("root", plan.root_keys);
      key_owners.emplace_back("root");
    }
    // A new instance's keys replace the old instance's: a key taken out of user-data is revoked.
    for (const auto& entry : fs::directory_iterator(options_.state / "ssh" / "authorized_keys")) {
      const std::string owner = entry.path().filename();
      if (std::find(key_owners.begin(), key_owners.end(), owner) == key_owners.end()) {
        fs::remove(entry.path());
        log("ssh: " + owner + "'s keys removed (not in this instance's user-data)");
      }
    }
    for (const auto& file : plan.files) write_file(file);
    network(plan.network);
    const fs::path enabled = options_.state / "ssh" / "enabled";
    if (key_owners.empty()) {
      fs::remove(enabled);
      log("ssh: off (no keys given)");
    } else {
      write_atomically(enabled, "", 0644);
      log("ssh: on, keys only, for " + std::to_string(key_owners.size()) + " account(s)");
    }
    if (!write_atomically(options_.state / "instance-id", plan.instance_id + "\n", 0644)) {
      fail("cannot record the instance as applied");
    }
  }

  void etc_hosts(const std::string& name, const std::string& fqdn) {
    if (read_only("/etc")) {
      log("manage_etc_hosts: ignored: the root is read-only");
      return;
    }
    std::string hosts = "127.0.0.1\tlocalhost\n127.0.1.1\t" +
                        (fqdn == name ? name : fqdn + " " + name) +
                        "\n::1\t\tlocalhost ip6-localhost ip6-loopback\n";
    write_atomically("/etc/hosts", hosts, 0644) ? log("/etc/hosts: 127.0.1.1 is " + name)
                                                : fail("cannot write /etc/hosts");
  }

  bool add_user(const UserPlan& user, bool root_read_only) {
    const bool exists = ::getpwnam(user.name.c_str()) != nullptr;
    std::string groups;
    for (const auto& group : user.groups) {
      if (::getgrnam(group.c_str()) == nullptr) {
        log("user " + user.name + ": group " + group + " skipped: not on this image");
        continue;
      }
      groups += (groups.empty() ? "" : ",") + group;
    }
    if (root_read_only) {
      if (!exists) {
        fail("user " + user.name +
             ": not created: the root is read-only (root's keys, at the top level, work)");
        return false;
      }
      if (!groups.empty() || !user.sudo_rules.empty())
        log("user " + user.name + ": groups and sudo unchanged: the root is read-only");
      return true;
    }
    if (!exists) {
      std::vector<std::string> argv{"useradd", "--create-home", "--user-group"};
      if (!user.shell.empty()) argv.insert(argv.end(), {"--shell", user.shell});
      if (!user.gecos.empty()) argv.insert(argv.end(), {"--comment", user.gecos});
      if (!groups.empty()) argv.insert(argv.end(), {"--groups", groups});
      argv.push_back(user.name);
      if (command(argv) != 0) {
        fail("user " + user.name + ": useradd failed");
        return false;
      }
      // No password at all ("*"), rather than a locked one: keys are the only way in.
      command({"usermod", "--password", "*", user.name});
      log("user " + user.name + ": created" + (groups.empty() ? "" : ", in " + groups));
    } else if (!groups.empty()) {
      command({"usermod", "--append", "--groups", groups, user.name}) == 0
          ? log("user " + user.name + ": added to " + groups)
          : fail("user " + user.name + ": usermod failed");
    }
    const fs::path sudoers = "/etc/sudoers.d/90-stratumd-firstboot-" + user.name;
    if (user.sudo_rules.empty()) {
      fs::remove(sudoers);
      return true;
    }
    std::string rules = "# From the NoCloud user-data (stratumd-firstboot).\n";
    for (const auto& rule : user.sudo_rules) rules += user.name + " " + rule + "\n";
    const fs::path candidate = "/run/stratumd-firstboot-sudoers";
    if (!write_atomically(candidate, rules, 0440) ||
        command({"visudo", "-c", "-q", "-f", candidate}) != 0) {
      fs::remove(candidate);
      fail("user " + user.name + ": sudo rules refused by visudo");
      return true;
    }
    write_atomically(sudoers, rules, 0440)
        ? log("user " + user.name + ": sudo: " + std::to_string(user.sudo_rules.size()) +
              " rule(s)")
        : fail("user " + user.name + ": cannot write " + sudoers.string());
    fs::remove(candidate);
    return true;
  }

  void install_keys(const std::string& name, const std::vector<std::string>& keys) {
    std::string text;
    for (const auto& key : keys) text += key + "\n";
    const fs::path path = options_.state / "ssh" / "authorized_keys" / name;
    write_atomically(path, text, 0644)
        ? log("ssh: " + std::to_string(keys.size()) + " key(s) for " + name)
        : fail("ssh: cannot write " + path.string());
  }

  void write_file(const FilePlan& file) {
    const fs::path path = file.path;
    std::error_code error;
    fs::create_directories(path.parent_path(), error);
    const passwd* owner = ::getpwnam(file.owner.c_str());
    const group* group = ::getgrnam(file.group.c_str());
    if (owner == nullptr || group == nullptr) {
      fail("write_files: " + file.path + ": no owner " + file.owner + ":" + file.group);
      return;
    }
    const uid_t uid = owner->pw_uid;
    const gid_t gid = group->gr_gid;
    bool ok = false;
    if (file.append) {
      std::ofstream out(path, std::ios::app | std::ios::binary);
      ok = static_cast<bool>(out << file.content);
    } else {
      ok = write_atomically(path, file.content, file.mode);
    }
    if (!ok || ::chown(path.c_str(), uid, gid) != 0 || ::chmod(path.c_str(), file.mode) != 0) {
      fail("write_files: " + file.path + ": " + std::strerror(errno));
      return;
    }
    char mode[8];
    std::snprintf(mode, sizeof mode, "%04o", static_cast<unsigned>(file.mode));
    log("write_files: " + file.path + " (" + std::to_string(file.content.size()) + " bytes, " +
        mode + " " + file.owner + ":" + file.group + (file.append ? ", appended" : "") + ")");
  }

  void network(const std::vector<NetworkFilePlan>& files) {
    const fs::path dir = options_.state / "network";
    fs::remove_all(dir);
    fs::create_directories(dir);
    for (const auto& file : files) {
      write_atomically(dir / file.name, file.text, 0644)
          ? log("network: " + file.name)
          : fail("network: cannot write " + file.name);
    }
    if (files.empty()) log("network: the image's default (DHCP on Ethernet)");
  }

  // What the root may not keep (it may be read-only, or replaced by an update): put back at every
  // boot.
  void every_boot() {
    if (const auto name = read_file(options_.state / "hostname")) {
      const std::string host = name->substr(0, name->find('\n'));
      if (::sethostname(host.c_str(), host.size()) != 0)
        fail("hostname " + host + ": " + std::strerror(errno));
      if (!read_only("/etc") && read_file("/etc/hostname") != *name)
        write_atomically("/etc/hostname", *name, 0644);
    }
    const fs::path run = "/run/systemd/network";
    std::error_code error;
    if (fs::exists(options_.state / "network")) {
      fs::create_directories(run);
      for (const auto& entry : fs::directory_iterator(options_.state / "network")) {
        fs::copy_file(entry.path(), run / entry.path().filename(),
                      fs::copy_options::overwrite_existing, error);
        if (error) fail("network: " + entry.path().string() + ": " + error.message());
      }
    }
    if (!fs::exists(options_.state / "ssh" / "enabled")) return;
    // Made here, once per card: an image must not carry host keys every flashed card shares.
    for (const char* type : {"ed25519", "ecdsa"}) {
      const fs::path key = options_.state / "ssh" / (std::string("ssh_host_") + type + "_key");
      if (fs::exists(key)) continue;
      command({"ssh-keygen", "-q", "-t", type, "-N", "", "-C", "", "-f", key}) == 0
          ? log("ssh: host key " + key.string() + " made")
          : fail("ssh: ssh-keygen " + std::string(type) + " failed");
    }
  }

  Options options_;
  bool failed_ = false;
};

}  // namespace

int main(int argc, char** argv) {
  Options options;
  std::vector<fs::path> seeds;
  for (int i = 1; i < argc; ++i) {
    const std::string arg = argv[i];
    if ((arg == "--seed" || arg == "--seed-label" || arg == "--state") && i + 1 < argc) {
      const std::string value = argv[++i];
      if (arg == "--seed") seeds.emplace_back(value);
      if (arg == "--seed-label") options.seed_label = value;
      if (arg == "--state") options.state = value;
    } else {
      std::cerr << "usage: stratumd-firstboot [--seed DIR]... [--seed-label LABEL] [--state DIR]\n";
      return 2;
    }
  }
  if (!seeds.empty()) options.seed_dirs = seeds;
  try {
    return FirstBoot(options).run();
  } catch (const std::exception& error) {
    std::cerr << "stratumd-firstboot: " << error.what() << "\n";
    return 1;
  }
}
