// The console's commands as text in, text out, against a backend that records what it is asked.
#include "firmware/console/console_session.hpp"

#include <gtest/gtest.h>

#include <algorithm>

#include <map>

namespace stratumd {
namespace {

class FakeBackend final : public ConsoleBackend {
 public:
  std::string running = "restrict 127.0.0.1\ndriftfile /var/lib/stratumd/drift\n";
  std::vector<std::pair<std::string, int>> applied;
  std::string saved;
  bool refuse_save = false;

  std::string status() override { return "state: locked\n"; }
  std::string sources() override { return "127.127.20.0 GPS\n"; }
  std::string config_path() override { return "/etc/stratumd/ntp.conf"; }
  std::string running_config_text() override { return running; }
  std::vector<std::string> waiting_for_restart() override { return waiting; }
  std::vector<std::string> waiting;
  std::string not_used() override { return unused; }
  std::string unused;
  DaemonConfig parse(const std::string& text) override {
    return parse_ntp_conf(config_path(), [&](const std::string& p) -> std::optional<std::string> {
      if (p == config_path()) return text;
      return std::nullopt;
    });
  }
  ConsoleReply apply(const std::string& text, int seconds) override {
    applied.emplace_back(text, seconds);
    running = text;
    return {"applied\n"};
  }
  ConsoleReply save(const std::string& text) override {
    if (refuse_save) return {"cannot write /etc/stratumd/ntp.conf; nothing saved\n", true};
    saved = text;
    return {"saved\n"};
  }
  std::vector<std::string> recent_log(std::size_t n) override {
    std::vector<std::string> all{"one", "two", "three"};
    return {all.end() - static_cast<std::ptrdiff_t>(std::min(n, all.size())), all.end()};
  }
};

TEST(ConsoleSession, EditsAreCheckedLineByLineAndAppliedWhole) {
  FakeBackend backend;
  ConsoleSession session(backend);
  EXPECT_EQ(session.handle("show config"),
            "1\trestrict 127.0.0.1\n2\tdriftfile /var/lib/stratumd/drift\n");
  EXPECT_EQ(session.handle("add restrict 10.0.0.0/8 noquery"), "ok\n");
  EXPECT_EQ(session.handle("set 1 restrict 127.0.0.1 nomodify"), "ok\n");
  EXPECT_EQ(session.handle("remove 2"), "ok\n");
  EXPECT_EQ(session.handle("diff"),
            "-restrict 127.0.0.1\n-driftfile /var/lib/stratumd/drift\n+restrict 127.0.0.1 "
            "nomodify\n+restrict 10.0.0.0/8 noquery\n");
  EXPECT_EQ(session.handle("apply 30"), "applied\n");
  ASSERT_EQ(backend.applied.size(), 1u);
  EXPECT_EQ(backend.applied[0].first, "restrict 127.0.0.1 nomodify\nrestrict 10.0.0.0/8 noquery\n");
  EXPECT_EQ(backend.applied[0].second, 30);
  EXPECT_EQ(session.handle("diff"), "no changes\n");
  EXPECT_EQ(session.handle("apply"), "no changes to apply\n");
  EXPECT_EQ(session.handle("save"), "saved\n");
  EXPECT_EQ(backend.saved, backend.running);
}

TEST(ConsoleSession, ABadLineIsRefusedWithItsReasonAndNothingChanges) {
  FakeBackend backend;
  ConsoleSession session(backend);
  const std::string reply = session.handle("add restrict 127.0.0.3 bogus");
  EXPECT_EQ(
      reply.rfind("refused:\n/etc/stratumd/ntp.conf:3: error: unknown restrict flag 'bogus'", 0),
      0u)
      << reply;
  EXPECT_EQ(session.handle("set 1 frobnicate"),
            "refused:\n/etc/stratumd/ntp.conf:1: error: unknown directive 'frobnicate' (see "
            "ntp.conf(5) for the valid ones)\n");
  EXPECT_EQ(session.handle("diff"), "no changes\n");
  EXPECT_EQ(session.handle("remove 9"),
            "remove needs a line number from 1 to 2 ('show config' numbers them)\n");
  EXPECT_EQ(session.handle("add"),
            "add needs a configuration line, e.g. 'add restrict 10.0.0.0/8'\n");
  EXPECT_EQ(session.handle("apply 0"), "apply takes a rollback window in seconds, 1 to 3600\n");
  EXPECT_TRUE(backend.applied.empty());
  // A warning is shown but the line is taken.
  EXPECT_EQ(session.handle("add tinker allan 1500"),
            "/etc/stratumd/ntp.conf:3: warning: tinker allan is not used by stratumd's servos; "
            "ignored\nok\n");
}

TEST(ConsoleSession, OtherCommands) {
  FakeBackend backend;
  ConsoleSession session(backend);
  EXPECT_EQ(session.handle("status"), "state: locked\n");
  EXPECT_EQ(session.handle("  show sources  "), "127.127.20.0 GPS\n");
  EXPECT_EQ(session.handle("log 2"), "two\nthree\n");
  EXPECT_NE(session.handle("help").find("apply [SECONDS]"), std::string::npos);
  EXPECT_EQ(session.handle("frob"), "unknown command 'frob'; 'help' lists them\n");
  EXPECT_EQ(session.handle(""), "");
  EXPECT_EQ(session.handle("show"), "show what? sources, config or running\n");
}

TEST(ConsoleSession, SaysWhichCommandsFailed) {
  FakeBackend backend;
  ConsoleSession session(backend);
  for (const char* refused :
       {"add restrict 127.0.0.3 bogus", "remove 9", "add", "apply 0", "frob", "show", "log x"}) {
    session.handle(refused);
    EXPECT_TRUE(session.failed()) << refused;
  }
  for (const char* done :
       {"status", "help", "show running", "add restrict 10.0.0.0/8", "diff", "apply 30", "save"}) {
    session.handle(done);
    EXPECT_FALSE(session.failed()) << done;
  }
  // What the daemon refuses (a save that cannot be written) is a failure too.
  backend.refuse_save = true;
  EXPECT_EQ(session.handle("save"), "cannot write /etc/stratumd/ntp.conf; nothing saved\n");
  EXPECT_TRUE(session.failed());
}

TEST(ConsoleCompletions, CommandsThenWhatTheyTake) {
  EXPECT_EQ(console_completions("sh"), std::vector<std::string>{"show"});
  EXPECT_EQ(console_completions("show r"), std::vector<std::string>{"running"});
  EXPECT_EQ(console_completions("add rest"), std::vector<std::string>{"restrict"});
  EXPECT_EQ(console_completions("set 3 tin"), std::vector<std::string>{"tinker"});
  EXPECT_EQ(console_completions("add restrict "), std::vector<std::string>{});
  const std::vector<std::string> all = console_completions("");
  EXPECT_NE(std::find(all.begin(), all.end(), "apply"), all.end());
  EXPECT_EQ(std::find(all.begin(), all.end(), "?"), all.end());
  const std::vector<std::string> a = console_completions("a");
  EXPECT_EQ(a, (std::vector<std::string>{"add", "apply"}));
}

TEST(ConsoleSession, FollowsChangesMadeElsewhere) {
  FakeBackend backend;
  ConsoleSession session(backend);
  backend.running = "restrict ::1\n";  // a SIGHUP, with no edits here: followed silently
  EXPECT_EQ(session.handle("show config"), "1\trestrict ::1\n");
  EXPECT_EQ(session.handle("add restrict 10.0.0.1"), "ok\n");
  backend.running = "restrict ::1 noquery\n";  // a rollback while this session has edits
  const std::string reply = session.handle("diff");
  EXPECT_EQ(reply.rfind("(the running configuration changed meanwhile", 0), 0u) << reply;
  EXPECT_NE(reply.find("+restrict 10.0.0.1"), std::string::npos);
  EXPECT_EQ(session.handle("revert"), "edits dropped\n");
  EXPECT_EQ(session.handle("show config"), "1\trestrict ::1 noquery\n");
}

}  // namespace
}  // namespace stratumd

namespace stratumd {
namespace {

TEST(ConsoleSession, ShowRunningSaysWhatWaitsForARestart) {
  FakeBackend backend;
  ConsoleSession session(backend);
  EXPECT_EQ(session.handle("show running").find("restart"), std::string::npos);
  backend.waiting = {"server/pool/peer lines", "threads"};
  EXPECT_NE(
      session.handle("show running")
          .find("not yet in force, they wait for a restart: server/pool/peer lines; threads\n"),
      std::string::npos);
  // Lines that nothing will put in force as things are: said so too, not listed as running.
  EXPECT_EQ(session.handle("show running").find("not used"), std::string::npos);
  backend.unused = "the reference clock lines, while --simulate supplies the reference clock";
  EXPECT_NE(session.handle("show running")
                .find("not used: the reference clock lines, while --simulate supplies the "
                      "reference clock\n"),
            std::string::npos);
}

}  // namespace
}  // namespace stratumd
