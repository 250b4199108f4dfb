// The server worker on real loopback sockets: batches larger than one recvmmsg, exact batch
// boundaries, valid and malformed requests mixed in one batch, and the plain recvmsg mode.
#include "drivers/net/ntp_worker.hpp"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include <chrono>
#include <thread>
#include <vector>

#include "drivers/clock/kernel_clocks.hpp"
#include "drivers/os/unique_fd.hpp"
#include "firmware/util/big_endian.hpp"

namespace stratumd {
namespace {

using namespace std::chrono_literals;

std::uint16_t free_udp_port() {
  UniqueFd fd{::socket(AF_INET, SOCK_DGRAM, 0)};
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  ::bind(fd.get(), reinterpret_cast<sockaddr*>(&a), sizeof a);
  socklen_t len = sizeof a;
  ::getsockname(fd.get(), reinterpret_cast<sockaddr*>(&a), &len);
  return ntohs(a.sin_port);
}

std::vector<std::uint8_t> request(std::uint64_t id, std::uint8_t first_byte = 0x23,
                                  std::size_t size = 48) {
  std::vector<std::uint8_t> p(size, 0);
  p[0] = first_byte;
  if (size >= 48) store_be64(id, std::span<std::uint8_t, 8>(p.data() + 40, 8));
  return p;
}

class WorkerTest : public ::testing::TestWithParam<bool> {
 protected:
  void SetUp() override {
    ClockSnapshot s;
    s.model = ClockModel(timebase_.raw_now(), UtcTime{Nanoseconds{read_clock_ns(CLOCK_REALTIME)}});
    s.state = SyncState::locked;
    s.leap = LeapIndicator::none;
    s.stratum = 1;
    s.reference_id = make_refid("PPS");
    snapshot_.store(s);
    port_ = free_udp_port();
    const ListenEndpoint endpoint{*IpAddress::parse("127.0.0.1"), 0, "lo", false};
    worker_ = std::make_unique<NtpWorker>(shared_, std::vector<ListenEndpoint>{endpoint}, port_);
    worker_->start();
    client_ = UniqueFd{::socket(AF_INET, SOCK_DGRAM, 0)};
    const int big = 1 << 20;
    ::setsockopt(client_.get(), SOL_SOCKET, SO_RCVBUF, &big, sizeof big);
    sockaddr_in to{};
    to.sin_family = AF_INET;
    to.sin_port = htons(port_);
    to.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    ASSERT_EQ(::connect(client_.get(), reinterpret_cast<sockaddr*>(&to), sizeof to), 0);
  }

  void send(const std::vector<std::uint8_t>& p) {
    ASSERT_GE(::send(client_.get(), p.data(), p.size(), 0), 0);
  }

  // Replies' origin stamps, until `expected` have come or 5 s pass.
  std::vector<std::uint64_t> receive(std::size_t expected) {
    std::vector<std::uint64_t> origins;
    const auto deadline = std::chrono::steady_clock::now() + 5s;
    while (origins.size() < expected && std::chrono::steady_clock::now() < deadline) {
      pollfd p{client_.get(), POLLIN, 0};
      if (::poll(&p, 1, 100) != 1) continue;
      std::array<std::uint8_t, 128> reply{};
      const ssize_t n = ::recv(client_.get(), reply.data(), reply.size(), 0);
      if (n >= 48)
        origins.push_back(load_be64(std::span<const std::uint8_t, 8>(reply.data() + 24, 8)));
    }
    return origins;
  }

  bool nothing_more_to_receive() {
    std::array<std::uint8_t, 128> reply{};
    return ::recv(client_.get(), reply.data(), reply.size(), MSG_DONTWAIT) < 0;
  }

  // Once `n` datagrams are received and each has its outcome counted (the worker counts a batch
  // as received before it counts what it did with each).
  ServerCounters counters_once_received(std::uint64_t n) {
    const auto deadline = std::chrono::steady_clock::now() + 5s;
    const auto settled = [n](const ServerCounters& c) {
      std::uint64_t outcomes = 0;
      for (const std::uint64_t k : c.by_outcome) outcomes += k;
      return c.received >= n && outcomes >= n;
    };
    ServerCounters c = worker_->counters();
    while (!settled(c) && std::chrono::steady_clock::now() < deadline) {
      std::this_thread::yield();
      c = worker_->counters();
    }
    return c;
  }

  MonotonicRawTimebase timebase_;
  SeqLock<ClockSnapshot> snapshot_;
  RetainedPointer<ServerPolicy> policy_{ServerPolicy{}};
  WorkerShared shared_{snapshot_, timebase_, policy_, GetParam()};
  std::uint16_t port_ = 0;
  std::unique_ptr<NtpWorker> worker_;
  UniqueFd client_;
};

TEST_P(WorkerTest, AnswersMoreRequestsThanOneBatchHolds) {
  for (std::uint64_t id = 1; id <= 100; ++id) send(request(id));
  std::vector<std::uint64_t> origins = receive(100);
  ASSERT_EQ(origins.size(), 100u);
  std::sort(origins.begin(), origins.end());
  for (std::size_t i = 0; i < origins.size(); ++i) EXPECT_EQ(origins[i], i + 1);
  const ServerCounters c = counters_once_received(100);
  EXPECT_EQ(c.received, 100u);
  EXPECT_EQ(c.answered(), 100u);
}

TEST_P(WorkerTest, ExactBatchBoundaries) {
  for (const std::size_t n : {32u, 33u, 1u, 64u}) {
    const std::uint64_t before = worker_->counters().received;
    for (std::uint64_t id = 1; id <= n; ++id) send(request(id));
    EXPECT_EQ(receive(n).size(), n);
    EXPECT_EQ(counters_once_received(before + n).answered(), before + n);
  }
}

TEST_P(WorkerTest, MalformedRequestsInABatchAreDroppedAndCountedTheRestAnswered) {
  std::size_t valid = 0;
  for (std::uint64_t id = 1; id <= 30; ++id) {
    send(request(id));
    ++valid;
    send(request(id, 0x23, 47));      // short
    send(request(id, (0 << 3) | 3));  // version 0
    send(request(id, (4 << 3) | 7));  // mode 7
    send(request(id, 0x23, 48 + 7));  // broken tail
  }
  const std::vector<std::uint64_t> origins = receive(valid);
  EXPECT_EQ(origins.size(), valid);
  const ServerCounters c = counters_once_received(valid * 5);
  EXPECT_EQ(c.received, valid * 5);
  EXPECT_EQ(c.answered(), valid);
  EXPECT_EQ(c.outcome(RequestOutcome::dropped_malformed), valid * 2);
  EXPECT_EQ(c.outcome(RequestOutcome::dropped_bad_version), valid);
  EXPECT_EQ(c.outcome(RequestOutcome::dropped_mode), valid);
  EXPECT_TRUE(nothing_more_to_receive());
}

INSTANTIATE_TEST_SUITE_P(BatchedAndPlain, WorkerTest, ::testing::Values(true, false),
                         [](const auto& param_info) {
                           return param_info.param ? "batched" : "plain";
                         });

}  // namespace
}  // namespace stratumd
