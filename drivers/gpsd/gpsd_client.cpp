#include "drivers/gpsd/gpsd_client.hpp"

#include <gps.h>

#include <cerrno>

#include "drivers/gpsd/libgps_library.hpp"

#if GPSD_API_MAJOR_VERSION < 9
#error "stratumd needs libgps API 9 or later (gpsd 3.18+)"
#endif

namespace stratumd {
namespace {

constexpr std::chrono::seconds kMaxBackoff{30};
constexpr std::chrono::seconds kPpsFresh{3};

std::int64_t to_ns(const timespec& t) {
  return std::int64_t{t.tv_sec} * 1'000'000'000 + t.tv_nsec;
}

}  // namespace

GpsdClient::GpsdClient(EventLoop& loop, RefclockSink& sink, std::string host, std::string port,
                       int mode, Log log)
    : loop_(loop),
      sink_(sink),
      host_(std::move(host)),
      port_(std::move(port)),
      mode_(mode),
      log_(std::move(log)),
      gps_(libgps()),
      data_(std::make_unique<gps_data_t>()) {}

GpsdClient::~GpsdClient() {
  loop_.cancel_timers(this);
  if (connected_) {
    loop_.unwatch(data_->gps_fd);
    gps_.close(data_.get());
  }
}

void GpsdClient::connect() {
  if (gps_.open(host_.c_str(), port_.c_str(), data_.get()) != 0) {
    const std::string problem = "gpsd at " + host_ + ":" + port_ + ": " + gps_.errstr(errno);
    if (problem != last_problem_) log_(problem + "; retrying");
    last_problem_ = problem;
    loop_.call_after(
        backoff_, [this] { connect(); }, this);
    backoff_ = std::min(backoff_ * 2, kMaxBackoff);
    return;
  }
  gps_.stream(data_.get(), WATCH_ENABLE | WATCH_JSON | WATCH_PPS, nullptr);
  connected_ = true;
  ++counters_.connects;
  backoff_ = std::chrono::seconds{1};
  last_problem_.clear();
  log_("gpsd at " + host_ + ":" + port_ + ": connected");
  loop_.watch_readable(static_cast<int>(data_->gps_fd), [this] { on_readable(); });
}

void GpsdClient::disconnect(const std::string& why) {
  log_("gpsd at " + host_ + ":" + port_ + ": " + why + "; reconnecting");
  loop_.unwatch(static_cast<int>(data_->gps_fd));
  gps_.close(data_.get());
  connected_ = false;
  loop_.call_after(
      backoff_, [this] { connect(); }, this);
}

void GpsdClient::deliver(std::int64_t gps_time_ns, std::int64_t system_time_ns, bool is_pps) {
  // gpsd's timedelta_t: `real` is the GPS time, `clock` the system clock (CLOCK_REALTIME) then.
  sink_.sample(RawSample{{StampClock::realtime, Nanoseconds{system_time_ns}},
                         UtcTime{Nanoseconds{gps_time_ns}},
                         LeapIndicator::none,
                         is_pps ? SampleGrade::pulse : SampleGrade::serial});
}

void GpsdClient::on_readable() {
  do {
    if (gps_.read(data_.get(), nullptr, 0) < 0) {
      disconnect("connection lost");
      return;
    }
    ++counters_.reports;
    const auto now = std::chrono::steady_clock::now();
    if (data_->set & PPS_SET) {
      ++counters_.pps;
      last_pps_ = now;
      if (mode_ != 0) deliver(to_ns(data_->pps.real), to_ns(data_->pps.clock), true);
    }
    if (data_->set & TOFF_SET) {
      ++counters_.toff;
      const bool pps_fresh = last_pps_ && now - *last_pps_ < kPpsFresh;
      // libgps 3.22 parses TOFF into the `pps` member (its `toff` stays zero); later versions
      // fill `toff`. Take whichever holds the report.
      const timedelta_t& toff = data_->toff.real.tv_sec != 0 ? data_->toff : data_->pps;
      if (mode_ == 0 || (mode_ == 2 && !pps_fresh))
        deliver(to_ns(toff.real), to_ns(toff.clock), false);
    }
    data_->set = 0;
  } while (connected_ && gps_.waiting(data_.get(), 0));
}

}  // namespace stratumd
