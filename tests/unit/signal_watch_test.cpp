// Signals reach the event loop's thread in both I/O modes: SIGHUP calls the hang-up handler and
// SIGTERM stops the loop. The poll mode has no signalfd (a simulator would see it always
// readable); raise() delivers to this thread while the loop runs.
#include "drivers/os/signal_watch.hpp"

#include <gtest/gtest.h>
#include <signal.h>

namespace stratumd {
namespace {

using namespace std::chrono_literals;

class SignalWatchTest : public ::testing::TestWithParam<IoBackend> {};

TEST_P(SignalWatchTest, HangupReloadsAndTermStops) {
  EventLoop loop(GetParam());
  int hangups = 0;
  bool stopped_by_timer = false;
  {
    const SignalWatch watch(loop, [&] { ++hangups; });
    loop.call_after(1ms, [] { ::raise(SIGHUP); });
    loop.call_after(2ms, [] { ::raise(SIGTERM); });
    // A safety net that would mark the test failed rather than hang it.
    loop.call_after(10s, [&] {
      stopped_by_timer = true;
      loop.stop();
    });
    loop.run();
  }
  EXPECT_EQ(hangups, 1);
  EXPECT_FALSE(stopped_by_timer);
}

INSTANTIATE_TEST_SUITE_P(Backends, SignalWatchTest,
                         ::testing::Values(IoBackend::poll, IoBackend::epoll),
                         [](const auto& backend) {
                           return backend.param == IoBackend::poll ? std::string("poll")
                                                                   : std::string("epoll");
                         });

}  // namespace
}  // namespace stratumd
