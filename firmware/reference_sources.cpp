#include "firmware/reference_sources.hpp"

#include <algorithm>
#include <cstdio>
#include <iterator>
#include <stdexcept>

#include "drivers/pps/dcd_pps_source.hpp"
#include "drivers/pps/gpio_pps_source.hpp"
#include "drivers/pps/kernel_pps_source.hpp"
#include "drivers/serial/serial_port.hpp"

namespace stratumd {
namespace {

std::uint32_t refid_from(const std::optional<std::string>& text, std::uint32_t fallback) {
  if (!text) return fallback;
  std::uint32_t id = 0;
  for (std::size_t i = 0; i < 4; ++i) {
    id = (id << 8) | (i < text->size() ? static_cast<std::uint8_t>((*text)[i]) : 0u);
  }
  return id;
}

std::string where(const RefclockDeclaration& r) {
  return r.where.file + ":" + std::to_string(r.where.line) + ": " + refclock_type_name(r.type) +
         "(" + std::to_string(r.unit) + ")";
}

}  // namespace

// What a driver reports, made a sample the discipline can take: the stamp carried onto the served
// clock and the clock's fudges applied. Pulses go to the combiner, which pairs them with labels.
class ReferenceSources::Channel final : public RefclockSink {
 public:
  Channel(ReferenceSources& owner, std::string name, Nanoseconds pulse_offset,
          Nanoseconds serial_offset, std::uint32_t refid, SampleKind unstated_as)
      : owner_(owner),
        name_(std::move(name)),
        pulse_offset_(pulse_offset),
        serial_offset_(serial_offset),
        refid_(refid),
        unstated_as_(unstated_as) {}

  void pulse(KernelStamp stamp) override { owner_.on_pps_edge(PpsEdge{owner_.to_served(stamp)}); }

  void sample(const RawSample& raw) override {
    const SampleKind kind = raw.grade == SampleGrade::pulse    ? SampleKind::pps
                            : raw.grade == SampleGrade::serial ? SampleKind::nmea_only
                                                               : unstated_as_;
    RefSample sample{owner_.to_served(raw.stamp), raw.reference, raw.leap};
    if (kind == SampleKind::nmea_only && owner_.number_pps_with(sample, name_)) return;
    sample.reference += kind == SampleKind::pps ? pulse_offset_ : serial_offset_;
    owner_.sink_(ReferenceSample{sample, kind, refid_});
  }

 private:
  ReferenceSources& owner_;
  std::string name_;
  Nanoseconds pulse_offset_;
  Nanoseconds serial_offset_;
  std::uint32_t refid_;
  SampleKind unstated_as_;
};

UtcTime ReferenceSources::to_served(KernelStamp stamp) const {
  return (stamp.clock == StampClock::monotonic ? monotonic_stamps_ : realtime_stamps_)
      .to_served(stamp.time);
}

ReferenceSources::Channel& ReferenceSources::add_channel(const RefclockDeclaration& r,
                                                         Nanoseconds pulse_offset,
                                                         Nanoseconds serial_offset,
                                                         std::uint32_t refid,
                                                         SampleKind unstated_as) {
  channels_.push_back(
      std::make_unique<Channel>(*this, where(r), pulse_offset, serial_offset, refid, unstated_as));
  return *channels_.back();
}

// A PPS-only driver's pulses: its fudges go to the combiner's labels (use_pps).
ReferenceSources::Channel& ReferenceSources::pulses(const RefclockDeclaration& r) {
  return add_channel(r, Nanoseconds{0}, Nanoseconds{0}, 0, SampleKind::pps);
}

// The drivers, by ntpd's refclock type: each adds one declared clock.
struct ReferenceSources::Driver {
  int type;
  void (ReferenceSources::*add)(const RefclockDeclaration&);
};
const ReferenceSources::Driver ReferenceSources::kDrivers[] = {
    {refclock_type::nmea, &ReferenceSources::add_nmea},
    {refclock_type::pps, &ReferenceSources::add_kernel_pps},
    {refclock_type::gpio_pps, &ReferenceSources::add_gpio_pps},
    {refclock_type::dcd_pps, &ReferenceSources::add_dcd_pps},
    {refclock_type::shm, &ReferenceSources::add_shm},
    {refclock_type::gpsd_json, &ReferenceSources::add_gpsd},
};

ReferenceSources::ReferenceSources(EventLoop& loop, const Clock& clock, const DaemonConfig& config,
                                   bool simulate, const std::optional<ReplaySettings>& replay,
                                   std::chrono::sys_days base_date, SampleSink sink, Log log)
    : loop_(loop),
      clock_(clock),
      base_date_(base_date),
      sink_(std::move(sink)),
      log_(std::move(log)) {
  if (simulate) {
    add_simulated();
  } else if (replay) {
    add_replay(*replay, config.tos_basedate.has_value());
  } else {
    for (const RefclockDeclaration& r : config.refclocks) {
      if (&r == &config.refclocks.front()) name_after(r);
      const auto driver = std::find_if(std::begin(kDrivers), std::end(kDrivers),
                                       [&](const Driver& d) { return d.type == r.type; });
      try {
        if (driver == std::end(kDrivers))
          throw std::runtime_error("this driver is not implemented yet");
        (this->*driver->add)(r);
      } catch (const std::runtime_error& e) {
        throw std::runtime_error(where(r) + ": " + e.what());
      }
    }
  }
  combiner_ = std::make_unique<GpsCombiner>(combiner_config_, nmea_.get(),
                                            [this](const ReferenceSample& s) { sink_(s); });
  if (!simulate && !replay && !nmea_ && !pps_.empty() && shm_.empty() && gpsd_.empty()) {
    log_(config.associations.empty()
             ? "note: a PPS with nothing to number its seconds (an NMEA receiver, gpsd's SHM or "
               "gpsd, or network servers) is not used: a pulse says when a second starts, not "
               "which one"
             : "note: the PPS has no receiver to number its seconds: it takes them from the clock "
               "while the network servers agree with it to within 0.1 s");
  }
}

// How ntpq shows the clock followed: the first one declared.
void ReferenceSources::name_after(const RefclockDeclaration& r) {
  const std::string unit = std::to_string(r.unit);
  source_address_ =
      r.type < 256 ? "127.127." + std::to_string(r.type) + "." + unit : "127.127.0." + unit;
  host_name_ =
      std::string(r.type == refclock_type::nmea ? "GPS_NMEA" : refclock_type_name(r.type)) + "(" +
      unit + ")";
  device_ = refclock_device(r.type, r.unit, r.options);
}

void ReferenceSources::add_description(const std::string& what) {
  description_ += (description_.empty() ? "" : ", ") + what;
}

NmeaRefclock& ReferenceSources::make_nmea(NmeaRefclockConfig config) {
  config.base_date = base_date_;
  nmea_ = std::make_unique<NmeaRefclock>(
      config, [this](const NmeaLabel& l) { on_nmea_label(l); }, log_);
  return *nmea_;
}

// The simulated receiver's sentences take the real NMEA path, so its delay is learnt too.
void ReferenceSources::add_simulated() {
  make_nmea(NmeaRefclockConfig{});
  simulated_uart_ = std::make_unique<NmeaLineAssembler>(
      SimReceiverParams{}.baud, [this](const NmeaLine& line) { on_nmea_line(line); });
  simulator_ = std::make_unique<SimGpsReceiver>(
      loop_, clock_, SimReceiverParams{}, [this](const PpsEdge& e) { combiner_->on_edge(e); },
      [this](std::span<const std::uint8_t> bytes, UtcTime read_time) {
        simulated_uart_->feed(bytes, read_time);
      });
  description_ = "the simulated GPS+PPS receiver (NMEA at 9600 baud)";
}

// A log keeps its own dates unless the operator set a base to judge them by.
void ReferenceSources::add_replay(const ReplaySettings& replay, bool dates_bounded) {
  NmeaRefclockConfig nc;
  nc.dates_bounded = dates_bounded;
  make_nmea(nc);
  replay_ = std::make_unique<NmeaReplaySource>(
      loop_, clock_, replay.file, replay.speed,
      [this](const NmeaLine& line) { on_nmea_line(line); }, log_);
  host_name_ = "REPLAY(0)";
  device_ = replay.file;
  description_ = "the NMEA log " + replay.file + " (" + std::to_string(replay_->cycles()) +
                 " cycles; serving the log's time)";
}

void ReferenceSources::add_nmea(const RefclockDeclaration& r) {
  const RefclockOptions& o = r.options;
  if (nmea_) throw std::runtime_error("only one NMEA receiver is supported");
  const std::string path = refclock_device(r.type, r.unit, o);
  NmeaRefclockConfig nc;
  nc.sentence_mask = static_cast<unsigned>(o.mode & 0xF);
  nc.configured_delay = from_seconds(o.time2.value_or(0.0));
  nc.accept_estimated_fix = o.accept_estimated_fix;
  make_nmea(nc);
  serial_ = std::make_unique<NmeaSerialSource>(
      loop_, clock_, path, o.baud.value_or(baud_from_nmea_mode(o.mode)),
      [this](const NmeaLine& line) { on_nmea_line(line); }, log_);
  combiner_config_.nmea_refid = refid_from(o.refid, combiner_config_.nmea_refid);
  combiner_config_.pps_offset = from_seconds(o.time1.value_or(0.0));
  add_description("NMEA on " + path);
  if (o.flag(1)) {  // ntpd: flag1 enables the receiver's PPS
    const std::string pps_path = nmea_pps_device(r.unit, o);
    pps_.push_back(std::make_unique<KernelPpsSource>(loop_, pulses(r), pps_path, o.flag(2), log_));
    description_ += " with PPS on " + pps_path;
  }
}

// A PPS-only driver (kernel, GPIO, DCD): its edges go to the combiner, its fudges to the labels.
void ReferenceSources::use_pps(std::unique_ptr<PpsSource> source, const RefclockOptions& o) {
  combiner_config_.pps_refid = refid_from(o.refid, combiner_config_.pps_refid);
  if (o.time1) combiner_config_.pps_offset = from_seconds(*o.time1);
  add_description("PPS on " + source->name());
  pps_.push_back(std::move(source));
}

void ReferenceSources::add_kernel_pps(const RefclockDeclaration& r) {
  use_pps(
      std::make_unique<KernelPpsSource>(
          loop_, pulses(r), refclock_device(r.type, r.unit, r.options), r.options.flag(2), log_),
      r.options);
}

void ReferenceSources::add_gpio_pps(const RefclockDeclaration& r) {
  const RefclockOptions& o = r.options;
  use_pps(std::make_unique<GpioPpsSource>(loop_, pulses(r), *o.path,
                                          static_cast<unsigned>(*o.gpio_line), o.flag(2), log_),
          o);
}

void ReferenceSources::add_dcd_pps(const RefclockDeclaration& r) {
  use_pps(
      std::make_unique<DcdPpsSource>(loop_, pulses(r), *r.options.path, r.options.flag(2), log_),
      r.options);
}

// ntpd: time2 is the largest difference from the system clock accepted (default 4 h); flag1
// lifts the check. gpsd writes serial time to even units and PPS to odd ones, and the customary
// ntp.conf labels them `refid GPS` and `refid PPS`: a unit labelled PPS is steered as PPS, one
// labelled otherwise as serial time; unlabelled, odd units are PPS and even ones serial time.
void ReferenceSources::add_shm(const RefclockDeclaration& r) {
  const RefclockOptions& o = r.options;
  const std::optional<Nanoseconds> limit =
      o.flag(1) ? std::nullopt
                : std::optional<Nanoseconds>(from_seconds(o.time2.value_or(4 * 3600.0)));
  const Nanoseconds offset = from_seconds(o.time1.value_or(0.0));
  const bool pps_grade = o.refid ? *o.refid == "PPS" : r.unit % 2 == 1;
  Channel& channel = add_channel(r, offset, offset, refid_from(o.refid, make_refid("SHM")),
                                 pps_grade ? SampleKind::pps : SampleKind::nmea_only);
  shm_.push_back(std::make_unique<ShmRefclock>(loop_, channel, r.unit, limit, log_));
  add_description(shm_.back()->name());
}

// gpsd on this host (the `path` option may name host:port); ntpd's modes 0/1/2. time1 is the PPS
// reports' fudge, time2 the serial time's.
void ReferenceSources::add_gpsd(const RefclockDeclaration& r) {
  const RefclockOptions& o = r.options;
  std::string host = "127.0.0.1", port = "2947";
  if (o.path) {
    const auto colon = o.path->rfind(':');
    host = o.path->substr(0, colon);
    if (colon != std::string::npos) port = o.path->substr(colon + 1);
  }
  Channel& channel =
      add_channel(r, from_seconds(o.time1.value_or(0.0)), from_seconds(o.time2.value_or(0.0)),
                  refid_from(o.refid, make_refid("GPSD")), SampleKind::nmea_only);
  gpsd_.push_back(std::make_unique<GpsdClient>(loop_, channel, host, port, o.mode, log_));
  add_description("gpsd at " + host + ":" + port);
}

ReferenceSources::~ReferenceSources() = default;

void ReferenceSources::start() {
  if (simulator_) simulator_->start();
  if (serial_) serial_->start();
  if (replay_) replay_->start();
  for (auto& p : pps_) p->start();
  for (auto& s : shm_) s->start();
  for (auto& g : gpsd_) g->start();
}

void ReferenceSources::clock_stepped(Nanoseconds by) {
  if (combiner_) combiner_->clock_stepped(by);
  if (nmea_) nmea_->clock_stepped(by);
}

std::string ReferenceSources::bind_kernel_pps() {
  for (auto& source : pps_) {
    if (auto* kernel = dynamic_cast<KernelPpsSource*>(source.get())) {
      return kernel->bind_kernel_discipline();
    }
  }
  return "no kernel PPS device (refclock pps) is configured";
}

int ReferenceSources::satellites_used() const {
  return nmea_ ? nmea_->satellites_used() : -1;
}

std::uint64_t ReferenceSources::nmea_labels() const {
  return nmea_ ? nmea_->counters().labels : 0;
}

std::string ReferenceSources::describe() const {
  return description_.empty() ? "none configured" : description_;
}

void ReferenceSources::on_nmea_line(const NmeaLine& line) {
  // Kept in a fixed buffer: the sentence that produces a label is its timecode (clockstats, cv).
  timecode_length_ = std::min(line.text.size(), timecode_.size());
  std::copy_n(line.text.begin(), timecode_length_, timecode_.begin());
  nmea_->on_line(line);
}

void ReferenceSources::on_nmea_label(const NmeaLabel& l) {
  if (timecode_sink_) timecode_sink_(std::string_view(timecode_.data(), timecode_length_));
  combiner_->on_label(l);
  if (nmea_ && !reported_calibration_ && nmea_->calibrator().estimate(l.type)) {
    reported_calibration_ = true;
    log_("NMEA delay learnt from PPS: " + calibration_status());
  }
}

bool ReferenceSources::number_pps_with(const RefSample& raw, const std::string& source) {
  if (nmea_ || pps_.empty() || !combiner_ || !combiner_->pps_present(raw.local)) return false;
  // Only a whole second names an edge (a 5 Hz receiver's other fixes say nothing of it); they
  // are not served either while the pulse is there.
  const Nanoseconds since_epoch = raw.reference.time_since_epoch();
  const Nanoseconds into_second =
      since_epoch - std::chrono::floor<std::chrono::seconds>(since_epoch);
  const Nanoseconds tolerance = std::chrono::milliseconds{1};
  if (into_second > tolerance && into_second < std::chrono::seconds{1} - tolerance) return true;
  NmeaLabel label;
  label.label.second = std::chrono::round<std::chrono::seconds>(since_epoch).count();
  label.label.received = raw.local;
  label.label.has_fix = true;  // gpsd writes only with a fix
  label.label.leap = raw.leap;
  combiner_->on_label(label);
  if (!said_pps_numbered_) {
    said_pps_numbered_ = true;
    log_("the PPS takes its seconds from " + source + " (as ntpd's type 22 from its system peer)");
  }
  return true;
}

void ReferenceSources::number_pps_by_clock(std::function<bool()> clock_trusted) {
  clock_numbers_pps_ = std::move(clock_trusted);
}

void ReferenceSources::on_pps_edge(const PpsEdge& edge) {
  combiner_->on_edge(edge);
  if (nmea_ || !shm_.empty() || !gpsd_.empty() || !clock_numbers_pps_ || !clock_numbers_pps_())
    return;
  // The clock is within a small fraction of a second of the network's majority: the second it
  // reads at the edge is the edge's second.
  NmeaLabel label;
  label.label.second =
      std::chrono::round<std::chrono::seconds>(edge.local.time_since_epoch()).count();
  label.label.received = edge.local;
  label.label.has_fix = true;
  combiner_->on_label(label);
  if (!said_clock_numbers_pps_) {
    said_clock_numbers_pps_ = true;
    log_(
        "the PPS takes its seconds from the clock, which the network servers agree with (as "
        "ntpd's type 22 from a network system peer)");
  }
}

std::string ReferenceSources::calibration_status() const {
  std::string out;
  const auto add = [&](const std::string& field) { out += (out.empty() ? "" : " ") + field; };
  for (const auto& g : gpsd_) {
    add("gpsd_toff=" + std::to_string(g->counters().toff) +
        " gpsd_pps=" + std::to_string(g->counters().pps));
  }
  for (const auto& shm : shm_) add("shm_samples=" + std::to_string(shm->counters().samples));
  if (!nmea_) return out;
  if (serial_) {
    add("nmea_lines=" + std::to_string(serial_->counters().lines));
    add(std::string("nmea_stamps=") + to_string(serial_->stamp_model()));
  }
  add("nmea_labels=" + std::to_string(nmea_->counters().labels));
  for (std::size_t t = 0; t < NmeaDelayCalibrator::kTypes; ++t) {
    const auto type = static_cast<NmeaType>(t);
    if (const auto e = nmea_->calibrator().estimate(type)) {
      char text[64];
      const bool first = out.find("nmea_delay=") == std::string::npos;
      std::snprintf(text, sizeof text, "%s%s:%.2fms/%.2fms", first ? " nmea_delay=" : ",",
                    nmea_type_name(type), to_seconds(e->mean) * 1e3, to_seconds(e->spread) * 1e3);
      out += text;
    }
  }
  return out;
}

std::string ReferenceSources::serialized_calibration() const {
  return nmea_ ? nmea_->calibrator().serialize() : "";
}

int ReferenceSources::load_calibration(const std::string& text) {
  return nmea_ ? nmea_->calibrator().load(text) : 0;
}

}  // namespace stratumd
