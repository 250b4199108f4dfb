// Whole small files: configuration, keys, leap tables, drift files, the console's saves, the
// metrics textfile. A write goes to FILE.tmp and is renamed over FILE, so a reader (or a crash)
// never sees half of one.
#pragma once

#include <optional>
#include <string>

namespace stratumd {

std::optional<std::string> read_text_file(const std::string& path);
// False when the file could not be written; FILE is then as it was.
bool write_file_atomically(const std::string& path, const std::string& text);

}  // namespace stratumd
