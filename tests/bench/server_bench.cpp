// Server throughput benchmark. Runs in its own network namespace and measures, in one run under
// the same closed-loop load from many client sockets: a do-nothing UDP reflector (the ceiling),
// chronyd (`local stratum 1`, -x, when installed) and stratumd with 1..N worker threads. Prints
// replies/s, the share of valid stratum-1 answers, T3-T2 as clients see it, and stratumd's RSS;
// then floods stratumd from a million distinct 127/8 source addresses and prints its RSS before
// and after. It prints figures; it does not pass or fail.
//
//   server_bench --stratumd PATH [--seconds S] [--rounds R] [--sockets N] [--window W]
//                [--threads-max N] [--flood N] [--no-chronyd]
#include <arpa/inet.h>
#include <fcntl.h>
#include <net/if.h>
#include <netinet/in.h>
#include <netinet/ip.h>
#include <netinet/udp.h>
#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <sys/epoll.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <atomic>
#include <chrono>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <optional>
#include <string>
#include <thread>
#include <vector>

namespace {

using Clock = std::chrono::steady_clock;
constexpr std::uint16_t kPort = 123;

[[noreturn]] void die(const std::string& what) {
  std::fprintf(stderr, "server_bench: %s: %s\n", what.c_str(), std::strerror(errno));
  std::exit(1);
}

void bring_up_loopback() {
  const int fd = ::socket(AF_INET, SOCK_DGRAM, 0);
  ifreq ifr{};
  std::strcpy(ifr.ifr_name, "lo");
  if (::ioctl(fd, SIOCGIFFLAGS, &ifr) != 0) die("SIOCGIFFLAGS lo");
  ifr.ifr_flags = static_cast<short>(ifr.ifr_flags | IFF_UP | IFF_RUNNING);
  if (::ioctl(fd, SIOCSIFFLAGS, &ifr) != 0) die("SIOCSIFFLAGS lo");
  ::close(fd);
}

std::uint64_t load_be64(const std::uint8_t* p) {
  std::uint64_t v = 0;
  for (int i = 0; i < 8; ++i) v = (v << 8) | p[i];
  return v;
}

void store_be64(std::uint64_t v, std::uint8_t* p) {
  for (int i = 7; i >= 0; --i) {
    p[i] = static_cast<std::uint8_t>(v);
    v >>= 8;
  }
}

// NTP 32.32 difference in nanoseconds (the two stamps are close together).
double ntp_diff_ns(std::uint64_t later, std::uint64_t earlier) {
  const auto diff = static_cast<std::int64_t>(later - earlier);
  return static_cast<double>(diff) * 1e9 / 4294967296.0;
}

// --- the do-nothing reflector: same threading and batching as stratumd's workers ---------------

int run_reflector(int threads) {
  std::vector<std::thread> workers;
  for (int t = 0; t < threads; ++t) {
    const int fd = ::socket(AF_INET, SOCK_DGRAM, 0);
    const int on = 1;
    ::setsockopt(fd, SOL_SOCKET, SO_REUSEPORT, &on, sizeof on);
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_port = htons(kPort);
    a.sin_addr.s_addr = htonl(INADDR_ANY);
    if (::bind(fd, reinterpret_cast<sockaddr*>(&a), sizeof a) != 0) die("reflector bind");
    workers.emplace_back([fd] {
      constexpr unsigned kBatch = 32;
      std::array<std::array<std::uint8_t, 1100>, kBatch> buffers{};
      std::array<sockaddr_storage, kBatch> peers{};
      std::array<iovec, kBatch> iov{};
      std::array<mmsghdr, kBatch> msgs{};
      for (;;) {
        for (unsigned i = 0; i < kBatch; ++i) {
          iov[i] = {buffers[i].data(), buffers[i].size()};
          msgs[i].msg_hdr = {};
          msgs[i].msg_hdr.msg_name = &peers[i];
          msgs[i].msg_hdr.msg_namelen = sizeof peers[i];
          msgs[i].msg_hdr.msg_iov = &iov[i];
          msgs[i].msg_hdr.msg_iovlen = 1;
        }
        const int n = ::recvmmsg(fd, msgs.data(), kBatch, MSG_WAITFORONE, nullptr);
        if (n <= 0) continue;
        for (int i = 0; i < n; ++i)
          iov[static_cast<unsigned>(i)].iov_len = msgs[static_cast<unsigned>(i)].msg_len;
        ::sendmmsg(fd, msgs.data(), static_cast<unsigned>(n), 0);
      }
    });
  }
  for (auto& w : workers) w.join();
  return 0;
}

// --- the closed-loop load generator ------------------------------------------------------------

struct LoadResult {
  double replies_per_second = 0;
  double valid_share = 0;
  double t3_t2_p50_ns = 0;
  double t3_t2_p99_ns = 0;
  std::uint64_t replies = 0;
  std::uint64_t resent = 0;
};

// Each socket keeps `window` requests outstanding; every reply is checked and replaced at once.
// A socket that hears nothing for 50 ms resends its window (replies lost to full buffers).
LoadResult run_load(int sockets, int window, double seconds, bool validate) {
  struct Client {
    int fd;
    std::uint32_t next_seq = 0;
    Clock::time_point last_heard;
  };
  std::vector<Client> clients(static_cast<std::size_t>(sockets));
  const int ep = ::epoll_create1(0);
  sockaddr_in server{};
  server.sin_family = AF_INET;
  server.sin_port = htons(kPort);
  server.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  for (int i = 0; i < sockets; ++i) {
    Client& c = clients[static_cast<std::size_t>(i)];
    c.fd = ::socket(AF_INET, SOCK_DGRAM | SOCK_NONBLOCK, 0);
    if (::connect(c.fd, reinterpret_cast<sockaddr*>(&server), sizeof server) != 0) die("connect");
    epoll_event ev{};
    ev.events = EPOLLIN;
    ev.data.u32 = static_cast<std::uint32_t>(i);
    ::epoll_ctl(ep, EPOLL_CTL_ADD, c.fd, &ev);
  }
  std::array<std::uint8_t, 48> request{};
  request[0] = 0x23;  // LI 0, version 4, mode 3
  const auto send_one = [&](std::uint32_t index) {
    Client& c = clients[index];
    store_be64((std::uint64_t{index} << 32) | c.next_seq++, request.data() + 40);
    ::send(c.fd, request.data(), request.size(), 0);
  };

  std::vector<double> t3_t2;
  t3_t2.reserve(4'000'000);
  std::uint64_t replies = 0, valid = 0, resent = 0;
  const auto start = Clock::now();
  const auto warmup_end = start + std::chrono::milliseconds(500);
  const auto end = warmup_end + std::chrono::duration_cast<Clock::duration>(
                                    std::chrono::duration<double>(seconds));
  for (std::uint32_t i = 0; i < clients.size(); ++i) {
    clients[i].last_heard = start;
    for (int w = 0; w < window; ++w) send_one(i);
  }
  std::array<epoll_event, 256> events{};
  std::array<std::uint8_t, 2048> reply{};
  bool measuring = false;
  auto last_check = start;
  for (;;) {
    const int n = ::epoll_wait(ep, events.data(), static_cast<int>(events.size()), 10);
    const auto now = Clock::now();
    if (!measuring && now >= warmup_end) {
      measuring = true;
      replies = valid = resent = 0;
      t3_t2.clear();
    }
    if (now >= end) break;
    for (int e = 0; e < n; ++e) {
      const std::uint32_t index = events[static_cast<std::size_t>(e)].data.u32;
      Client& c = clients[index];
      for (;;) {
        const ssize_t len = ::recv(c.fd, reply.data(), reply.size(), MSG_DONTWAIT);
        if (len < 0) break;
        c.last_heard = now;
        ++replies;
        if (validate && len == 48) {
          const std::uint64_t origin = load_be64(reply.data() + 24);
          const std::uint64_t rx = load_be64(reply.data() + 32);
          const std::uint64_t tx = load_be64(reply.data() + 40);
          const bool ok = (reply[0] & 0x7) == 4 && (reply[0] >> 6) != 3 && reply[1] == 1 &&
                          (origin >> 32) == index &&
                          static_cast<std::uint32_t>(origin) < c.next_seq && tx >= rx;
          if (ok) {
            ++valid;
            if (t3_t2.size() < t3_t2.capacity()) t3_t2.push_back(ntp_diff_ns(tx, rx));
          }
        }
        send_one(index);
      }
    }
    if (now - last_check > std::chrono::milliseconds(20)) {
      last_check = now;
      for (std::uint32_t i = 0; i < clients.size(); ++i) {
        if (now - clients[i].last_heard > std::chrono::milliseconds(50)) {
          clients[i].last_heard = now;
          for (int w = 0; w < window; ++w) send_one(i);
          resent += static_cast<std::uint64_t>(window);
        }
      }
    }
  }
  for (const Client& c : clients) ::close(c.fd);
  ::close(ep);
  LoadResult r;
  r.replies = replies;
  r.resent = resent;
  r.replies_per_second = static_cast<double>(replies) / seconds;
  r.valid_share = replies ? static_cast<double>(valid) / static_cast<double>(replies) : 0;
  if (!t3_t2.empty()) {
    std::sort(t3_t2.begin(), t3_t2.end());
    r.t3_t2_p50_ns = t3_t2[t3_t2.size() / 2];
    r.t3_t2_p99_ns = t3_t2[std::min(t3_t2.size() - 1, t3_t2.size() * 99 / 100)];
  }
  return r;
}

// --- processes under test ----------------------------------------------------------------------

pid_t spawn(const std::vector<std::string>& argv, const std::string& log) {
  const pid_t pid = ::fork();
  if (pid < 0) die("fork");
  if (pid == 0) {
    const int fd = ::open(log.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
    ::dup2(fd, 1);
    ::dup2(fd, 2);
    std::vector<char*> args;
    for (const auto& a : argv) args.push_back(const_cast<char*>(a.c_str()));
    args.push_back(nullptr);
    ::execv(args[0], args.data());
    std::_Exit(127);
  }
  return pid;
}

void stop(pid_t pid) {
  ::kill(pid, SIGTERM);
  for (int i = 0; i < 200; ++i) {
    if (::waitpid(pid, nullptr, WNOHANG) == pid) return;
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  ::kill(pid, SIGKILL);
  ::waitpid(pid, nullptr, 0);
}

// Asks once; true when a stratum-1 (or, for the reflector, any) answer comes back.
bool answers(bool want_stratum_1) {
  const int fd = ::socket(AF_INET, SOCK_DGRAM, 0);
  sockaddr_in server{};
  server.sin_family = AF_INET;
  server.sin_port = htons(kPort);
  server.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  std::array<std::uint8_t, 48> request{};
  request[0] = 0x23;
  ::sendto(fd, request.data(), request.size(), 0, reinterpret_cast<sockaddr*>(&server),
           sizeof server);
  pollfd p{fd, POLLIN, 0};
  bool ok = false;
  if (::poll(&p, 1, 200) == 1) {
    std::array<std::uint8_t, 128> reply{};
    const ssize_t n = ::recv(fd, reply.data(), reply.size(), 0);
    ok = n >= 48 && (!want_stratum_1 || reply[1] == 1);
  }
  ::close(fd);
  return ok;
}

bool wait_until_serving(bool want_stratum_1, double timeout_s) {
  const auto deadline = Clock::now() + std::chrono::duration_cast<Clock::duration>(
                                           std::chrono::duration<double>(timeout_s));
  while (Clock::now() < deadline) {
    if (answers(want_stratum_1)) return true;
  }
  return false;
}

long status_kib(pid_t pid, const char* field) {
  std::ifstream in("/proc/" + std::to_string(pid) + "/status");
  std::string line;
  while (std::getline(in, line)) {
    if (line.rfind(field, 0) == 0)
      return std::strtol(line.c_str() + std::strlen(field), nullptr, 10);
  }
  return -1;
}

// Sends `count` requests to 127.0.0.1:123, each from a different 127/8 source address, through a
// raw socket (no bind per address). Replies go back to addresses nobody listens on.
std::uint64_t flood_distinct_sources(std::uint32_t count) {
  const int fd = ::socket(AF_INET, SOCK_RAW, IPPROTO_RAW);
  if (fd < 0) die("raw socket");
  struct Packet {
    iphdr ip;
    udphdr udp;
    std::array<std::uint8_t, 48> ntp;
  } __attribute__((packed)) packet{};
  packet.ip.version = 4;
  packet.ip.ihl = 5;
  packet.ip.ttl = 64;
  packet.ip.protocol = IPPROTO_UDP;
  packet.ip.tot_len = htons(sizeof packet);
  packet.ip.daddr = htonl(INADDR_LOOPBACK);
  packet.udp.dest = htons(kPort);
  packet.udp.len = htons(sizeof packet.udp + sizeof packet.ntp);
  packet.ntp[0] = 0x23;
  sockaddr_in to{};
  to.sin_family = AF_INET;
  to.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  std::uint64_t sent = 0;
  for (std::uint32_t i = 0; i < count; ++i) {
    // 127.0.0.2 .. 127.255.255.255, skipping the one the server uses.
    packet.ip.saddr = htonl(0x7F000002u + i);
    packet.udp.source = htons(static_cast<std::uint16_t>(1024 + i % 60000));
    store_be64(i, packet.ntp.data() + 40);
    if (::sendto(fd, &packet, sizeof packet, 0, reinterpret_cast<sockaddr*>(&to), sizeof to) > 0)
      ++sent;
    if (i % 256 == 255) std::this_thread::yield();  // let the server drain its buffers
  }
  ::close(fd);
  return sent;
}

struct Row {
  std::string name;
  std::string threads;
  LoadResult load;
  long rss_kib = -1;
  bool valid_applies = true;
};

void print_row(const Row& r, double ceiling) {
  char valid[16] = "  n/a";
  char p50[16] = "   n/a", p99[16] = "   n/a", rss[16] = "   n/a";
  if (r.valid_applies) {
    std::snprintf(valid, sizeof valid, "%.4f", r.load.valid_share);
    std::snprintf(p50, sizeof p50, "%6.2f", r.load.t3_t2_p50_ns / 1000.0);
    std::snprintf(p99, sizeof p99, "%6.2f", r.load.t3_t2_p99_ns / 1000.0);
  }
  if (r.rss_kib >= 0)
    std::snprintf(rss, sizeof rss, "%6.2f", static_cast<double>(r.rss_kib) / 1024.0);
  std::printf("%-10s %7s %12.0f %9.3f %8s %10s %10s %9s %8lu\n", r.name.c_str(), r.threads.c_str(),
              r.load.replies_per_second, ceiling > 0 ? r.load.replies_per_second / ceiling : 0.0,
              valid, p50, p99, rss, static_cast<unsigned long>(r.load.resent));
  std::fflush(stdout);
}

}  // namespace

int main(int argc, char** argv) {
  std::string stratumd;
  double seconds = 3;
  int sockets = 128;
  int window = 2;
  int rounds = 3;
  int threads_max = static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));
  std::uint32_t flood = 1'000'000;
  bool chronyd = true;
  for (int i = 1; i < argc; ++i) {
    const std::string a = argv[i];
    const auto next = [&] { return i + 1 < argc ? std::string(argv[++i]) : std::string(); };
    if (a == "--reflector") return run_reflector(std::atoi(next().c_str()));
    if (a == "--stratumd")
      stratumd = next();
    else if (a == "--seconds")
      seconds = std::atof(next().c_str());
    else if (a == "--sockets")
      sockets = std::atoi(next().c_str());
    else if (a == "--window")
      window = std::atoi(next().c_str());
    else if (a == "--rounds")
      rounds = std::max(1, std::atoi(next().c_str()));
    else if (a == "--threads-max")
      threads_max = std::atoi(next().c_str());
    else if (a == "--flood")
      flood = static_cast<std::uint32_t>(std::atol(next().c_str()));
    else if (a == "--no-chronyd")
      chronyd = false;
    else {
      std::fprintf(
          stderr,
          "usage: %s --stratumd PATH [--seconds S] [--rounds R] [--sockets N] [--window W] "
          "[--threads-max N] [--flood N] [--no-chronyd]\n",
          argv[0]);
      return 2;
    }
  }
  if (stratumd.empty()) {
    std::fprintf(stderr, "server_bench: --stratumd PATH is required\n");
    return 2;
  }
  if (::unshare(CLONE_NEWNET) != 0) die("unshare(CLONE_NEWNET) (run as root)");
  bring_up_loopback();
  char dir_template[] = "/tmp/server_bench.XXXXXX";
  const std::string dir = ::mkdtemp(dir_template);
  const std::string self = "/proc/self/exe";
  char exe[4096] = {};
  if (::readlink(self.c_str(), exe, sizeof exe - 1) < 0) die("readlink");

  std::printf(
      "server_bench: %d client sockets x %d outstanding, %.1f s per target and round, %u cores\n",
      sockets, window, seconds, std::thread::hardware_concurrency());
  std::printf("%-10s %7s %12s %9s %8s %10s %10s %9s %8s\n", "target", "threads", "replies/s",
              "x refl", "valid", "T3-T2 p50", "T3-T2 p99", "RSS MiB", "resent");
  std::printf("%-10s %7s %12s %9s %8s %10s %10s %9s %8s\n", "", "", "", "", "", "us", "us", "", "");
  std::fflush(stdout);

  // Targets run in turn, round after round, so a drift in the machine's speed hits them alike;
  // each figure is the median over the rounds.
  struct Target {
    std::string name;
    std::string threads;
    std::vector<std::string> argv;
    bool ntp;  // a real NTP server: wait for stratum 1 and validate replies
    std::vector<Row> rounds;
  };
  std::vector<Target> targets;
  targets.push_back({"reflector",
                     std::to_string(threads_max),
                     {exe, "--reflector", std::to_string(threads_max)},
                     false,
                     {}});
  const bool have_chronyd = chronyd && ::access("/usr/sbin/chronyd", X_OK) == 0;
  if (have_chronyd) {
    std::ofstream conf(dir + "/chrony.conf");
    conf << "local stratum 1\nallow\nport 123\ncmdport 0\npidfile " << dir << "/chronyd.pid\n";
    targets.push_back({"chronyd",
                       "1",
                       {"/usr/sbin/chronyd", "-x", "-d", "-u", "root", "-f", dir + "/chrony.conf"},
                       true,
                       {}});
  } else {
    std::printf("chronyd: not installed or disabled; skipped\n");
  }
  for (int threads = 1; threads <= threads_max; ++threads) {
    targets.push_back(
        {"stratumd",
         std::to_string(threads),
         {stratumd, "--simulate", "-n", "-x", "--quiet", "--threads", std::to_string(threads)},
         true,
         {}});
  }
  for (int round = 0; round < rounds; ++round) {
    for (Target& t : targets) {
      const pid_t pid = spawn(t.argv, dir + "/" + t.name + ".log");
      if (!wait_until_serving(t.ntp, 30))
        die(t.name + " did not serve (see " + dir + "/" + t.name + ".log)");
      Row row{t.name, t.threads, run_load(sockets, window, seconds, t.ntp),
              status_kib(pid, "VmHWM:"), t.ntp};
      stop(pid);
      t.rounds.push_back(row);
    }
  }
  const auto median_row = [](std::vector<Row> rows) {
    std::sort(rows.begin(), rows.end(), [](const Row& a, const Row& b) {
      return a.load.replies_per_second < b.load.replies_per_second;
    });
    return rows[rows.size() / 2];
  };
  const double ceiling = median_row(targets[0].rounds).load.replies_per_second;
  std::optional<Row> chrony_row;
  std::optional<Row> best;
  for (const Target& t : targets) {
    const Row row = median_row(t.rounds);
    print_row(row, ceiling);
    if (t.name == "chronyd") chrony_row = row;
    if (t.name == "stratumd" &&
        (!best || row.load.replies_per_second > best->load.replies_per_second))
      best = row;
  }
  std::printf("(medians of %d rounds; RSS is the peak resident set of each process)\n", rounds);

  // Memory under a flood from a million distinct sources, with rate limiting on so every source
  // gets a slot in the client table.
  if (flood > 0) {
    std::ofstream conf(dir + "/flood.conf");
    conf << "restrict default limited kod\nrestrict 127.0.0.1\n";
    conf.close();
    const pid_t pid =
        spawn({stratumd, "--simulate", "-n", "-x", "--quiet", "-c", dir + "/flood.conf"},
              dir + "/flood.log");
    if (!wait_until_serving(true, 30)) die("stratumd did not serve stratum 1 for the flood");
    const long before = status_kib(pid, "VmRSS:");
    const auto t0 = Clock::now();
    const std::uint64_t sent = flood_distinct_sources(flood);
    const double flood_s = std::chrono::duration<double>(Clock::now() - t0).count();
    const bool still_serving = wait_until_serving(true, 5);
    const long after = status_kib(pid, "VmRSS:");
    const long peak = status_kib(pid, "VmHWM:");
    stop(pid);
    std::printf(
        "flood: %lu requests from %u distinct 127/8 sources in %.1f s; stratumd RSS %.2f MiB "
        "before, "
        "%.2f MiB after (peak %.2f MiB); still serving: %s\n",
        static_cast<unsigned long>(sent), flood, flood_s, static_cast<double>(before) / 1024.0,
        static_cast<double>(after) / 1024.0, static_cast<double>(peak) / 1024.0,
        still_serving ? "yes" : "NO");
  }

  std::printf(
      "\ntargets: stratumd >= 0.95 x reflector: %s (%.3f); above chronyd: %s; valid > 0.99: %s; "
      "RSS < 8 MiB: %s\n",
      best->load.replies_per_second >= 0.95 * ceiling ? "met" : "NOT met",
      best->load.replies_per_second / ceiling,
      chrony_row ? (best->load.replies_per_second > chrony_row->load.replies_per_second ? "met"
                                                                                        : "NOT met")
                 : "n/a",
      best->load.valid_share > 0.99 ? "met" : "NOT met",
      best->rss_kib < 8 * 1024 ? "met" : "NOT met");
  std::string cleanup = "rm -rf '" + dir + "'";
  return std::system(cleanup.c_str()) == 0 ? 0 : 0;
}
