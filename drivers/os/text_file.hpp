// Files the daemon reads and writes: configuration, keys, leap tables, drift files, the console's
// saves, the metrics textfile, statistics and log files. The daemon runs as root and writes into
// directories (ntpd's /var/lib/ntp, /var/log/ntpstats) that unprivileged accounts may own, so a
// write never follows a link planted there:
//  - whole files go to a fresh temporary file in the same directory (created with O_EXCL, so
//    nothing already there, a link least of all, is opened), are synced to disk, and are renamed
//    over the target (which replaces a link rather than following it); the directory is synced
//    too, so a crash leaves the old file or the new one, never half of one or none;
//  - appended files are opened with O_NOFOLLOW: a link in their place is refused.
#pragma once

#include <cstdio>
#include <optional>
#include <string>

namespace stratumd {

std::optional<std::string> read_text_file(const std::string& path);
// The directory a file is in: "." for a bare name, "/" for one at the root.
std::string directory_of(const std::string& path);
// False when the file could not be written; FILE is then as it was. A new file is 0644, a
// replaced one keeps its mode.
bool write_file_atomically(const std::string& path, const std::string& text);
// A file opened for appending lines (statistics, a logfile), created 0644 if missing; nullptr
// (errno set) when it cannot be, a symbolic link in its place included (ELOOP).
std::FILE* open_for_append(const std::string& path);

}  // namespace stratumd
