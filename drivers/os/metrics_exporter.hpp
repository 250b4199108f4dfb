// Serves the metrics text to Prometheus over HTTP (civetweb, a maintained embeddable server: no
// hand-written HTTP here) at /metrics on a configured local address, and/or writes it as a
// node_exporter textfile. The main loop hands over fresh text; civetweb's threads read it under a
// mutex (this is not the NTP packet path).
#pragma once

#include <mutex>
#include <optional>
#include <string>

struct mg_context;
struct mg_connection;

namespace stratumd {

class MetricsExporter {
 public:
  // `listen`: civetweb's "ADDRESS:PORT" (e.g. 127.0.0.1:10123), empty for none. `textfile`: a path
  // (written atomically), empty for none. Throws std::runtime_error when the port cannot be bound.
  MetricsExporter(const std::string& listen, std::string textfile);
  ~MetricsExporter();
  MetricsExporter(const MetricsExporter&) = delete;
  MetricsExporter& operator=(const MetricsExporter&) = delete;

  // Fresh text for the HTTP endpoint; with `write_textfile` also to the textfile (kept rare: an SD
  // card wears). Returns an error message when the textfile could not be written, else empty.
  std::string publish(std::string text, bool write_textfile);

 private:
  static int serve(::mg_connection* connection, void* self);

  std::string textfile_;
  ::mg_context* http_ = nullptr;
  std::mutex mutex_;
  std::string text_;
};

}  // namespace stratumd
