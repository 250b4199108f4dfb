#include "drivers/os/metrics_exporter.hpp"

#include <civetweb.h>

#include <cstdio>
#include <stdexcept>

#include "drivers/os/privileges.hpp"
#include "drivers/os/text_file.hpp"

namespace stratumd {

MetricsExporter::MetricsExporter(const std::string& listen, std::string textfile)
    : textfile_(std::move(textfile)) {
  if (listen.empty()) return;
  mg_init_library(0);
  // Each connection holds a thread until its request is complete: a few clients that send half
  // a request must not starve the scraper (they are cut off after 2 s, and 8 threads serve).
  const char* options[] = {"listening_ports",    listen.c_str(), "num_threads", "8",
                           "request_timeout_ms", "2000",         nullptr};
  mg_callbacks callbacks{};
  callbacks.init_thread = [](const mg_context*, int) -> void* {
    shed_thread_capabilities();
    return nullptr;
  };
  http_ = mg_start(&callbacks, nullptr, options);
  if (!http_) {
    mg_exit_library();
    throw std::runtime_error("metrics: cannot listen on " + listen +
                             " (address in use or not local?)");
  }
  mg_set_request_handler(http_, "/metrics", &MetricsExporter::serve, this);
}

MetricsExporter::~MetricsExporter() {
  if (http_) {
    mg_stop(http_);
    mg_exit_library();
  }
}

int MetricsExporter::serve(mg_connection* connection, void* self) {
  std::string text;
  {
    auto* exporter = static_cast<MetricsExporter*>(self);
    std::lock_guard lock(exporter->mutex_);
    text = exporter->text_;
  }
  mg_printf(connection,
            "HTTP/1.1 200 OK\r\nContent-Type: text/plain; version=0.0.4; charset=utf-8\r\n"
            "Content-Length: %zu\r\nConnection: close\r\n\r\n",
            text.size());
  mg_write(connection, text.data(), text.size());
  return 200;
}

std::string MetricsExporter::publish(std::string text, bool write_textfile) {
  if (write_textfile && !textfile_.empty()) {
    // node_exporter reads *.prom files whole: never half of one.
    if (!write_file_atomically(textfile_, text)) {
      return "cannot write the metrics textfile " + textfile_;
    }
  }
  std::lock_guard lock(mutex_);
  text_ = std::move(text);
  return {};
}

}  // namespace stratumd
