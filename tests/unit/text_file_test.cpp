// Writes as root into directories others may own: a link planted where the daemon writes is never
// followed (the attack: as `nobody`, `drift.tmp -> /root/victim` made root overwrite the victim).
#include "drivers/os/text_file.hpp"

#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <string>

namespace stratumd {
namespace {

class TextFiles : public ::testing::Test {
 protected:
  void SetUp() override {
    char name[] = "/tmp/stratumd-files.XXXXXX";
    ASSERT_NE(::mkdtemp(name), nullptr);
    dir_ = name;
    victim_ = dir_ + "/victim";
    ASSERT_TRUE(write_file_atomically(victim_, "precious\n"));
  }
  void TearDown() override {
    const std::string command = "rm -rf '" + dir_ + "'";
    [[maybe_unused]] const int status = std::system(command.c_str());
  }
  std::string dir_;
  std::string victim_;
};

TEST_F(TextFiles, AWholeFileWriteFollowsNoPlantedLink) {
  const std::string drift = dir_ + "/drift";
  // The old predictable temporary name, and the target itself, both links to the victim.
  ASSERT_EQ(::symlink(victim_.c_str(), (drift + ".tmp").c_str()), 0);
  ASSERT_TRUE(write_file_atomically(drift, "-12.345\n"));
  EXPECT_EQ(read_text_file(victim_), "precious\n");
  EXPECT_EQ(read_text_file(drift), "-12.345\n");
  const std::string linked = dir_ + "/linked";
  ASSERT_EQ(::symlink(victim_.c_str(), linked.c_str()), 0);
  ASSERT_TRUE(write_file_atomically(linked, "replaced\n"));
  EXPECT_EQ(read_text_file(victim_), "precious\n");  // the link was replaced, not followed
  struct stat st {};
  ASSERT_EQ(::lstat(linked.c_str(), &st), 0);
  EXPECT_TRUE(S_ISREG(st.st_mode));
}

TEST_F(TextFiles, ModesAreKeptOrSensible) {
  const std::string keys = dir_ + "/saved.conf";
  ASSERT_TRUE(write_file_atomically(keys, "a\n"));
  struct stat st {};
  ASSERT_EQ(::stat(keys.c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 07777, 0644u);
  ASSERT_EQ(::chmod(keys.c_str(), 0600), 0);
  ASSERT_TRUE(write_file_atomically(keys, "b\n"));
  ASSERT_EQ(::stat(keys.c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 07777, 0600u);
  EXPECT_EQ(read_text_file(keys), "b\n");
}

TEST_F(TextFiles, AnAppendedFileIsNeverALink) {
  const std::string stats = dir_ + "/loopstats";
  ASSERT_EQ(::symlink(victim_.c_str(), stats.c_str()), 0);
  errno = 0;
  EXPECT_EQ(open_for_append(stats), nullptr);
  EXPECT_EQ(errno, ELOOP);
  EXPECT_EQ(read_text_file(victim_), "precious\n");
  const std::string fresh = dir_ + "/peerstats";
  std::FILE* file = open_for_append(fresh);
  ASSERT_NE(file, nullptr);
  std::fputs("line\n", file);
  std::fclose(file);
  file = open_for_append(fresh);
  ASSERT_NE(file, nullptr);
  std::fputs("more\n", file);
  std::fclose(file);
  EXPECT_EQ(read_text_file(fresh), "line\nmore\n");
}

TEST_F(TextFiles, AFailedWriteLeavesTheFileAndNoLitter) {
  EXPECT_FALSE(write_file_atomically(dir_ + "/no/such/dir/drift", "x\n"));
  EXPECT_EQ(read_text_file(victim_), "precious\n");
}

}  // namespace
}  // namespace stratumd
