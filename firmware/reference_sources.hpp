// Builds the reference clocks the configuration declares (or the simulated receiver) and wires
// them: PPS edges and NMEA labels into the labeler, labelled samples (or NMEA-only samples when no
// PPS numbers the seconds) out to the discipline, with the NMEA delay learnt while PPS is present.
#pragma once

#include <array>
#include <chrono>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "drivers/clock/kernel_stamps.hpp"
#include "drivers/gpsd/gpsd_client.hpp"
#include "drivers/gpsd/shm_refclock.hpp"
#include "drivers/os/event_loop.hpp"
#include "drivers/pps/pps_source.hpp"
#include "drivers/serial/nmea_serial_source.hpp"
#include "drivers/sim/nmea_replay_source.hpp"
#include "drivers/sim/sim_gps_receiver.hpp"
#include "firmware/config/ntp_conf_parser.hpp"
#include "refclock/gps_combiner.hpp"
#include "refclock/nmea_refclock.hpp"

namespace stratumd {

struct ReplaySettings {
  std::string file;
  double speed = 1.0;
};

class ReferenceSources {
 public:
  using SampleSink = std::function<void(const ReferenceSample&)>;
  using Log = std::function<void(const std::string&)>;

  // Throws std::runtime_error naming the config line of a clock that cannot be set up.
  ReferenceSources(EventLoop& loop, const Clock& clock, const DaemonConfig& config, bool simulate,
                   const std::optional<ReplaySettings>& replay, std::chrono::sys_days base_date,
                   SampleSink sink, Log log);
  ~ReferenceSources();

  void start();
  // The served clock was stepped by `by`: edges waiting for their label were stamped on the old
  // clock and are dropped; the receivers' running counts move with the clock, so the step is not
  // taken for a jump of the receiver.
  void clock_stepped(Nanoseconds by);
  // The configured clocks name their own seconds (a receiver, SHM, gpsd, the simulator), rather
  // than a bare PPS that waits for the network to number it.
  bool labels_its_own_seconds() const {
    return simulator_ || nmea_ || replay_ || !shm_.empty() || !gpsd_.empty();
  }
  // Binds the first kernel PPS device to the kernel's PPS loop; empty when done, else why not.
  [[nodiscard]] std::string bind_kernel_pps();
  // Each time sentence that labels a second, as received (ntpd's clockstats timecode).
  void on_timecode(std::function<void(std::string_view)> sink) { timecode_sink_ = std::move(sink); }
  std::string describe() const;
  // How ntpq shows the clock followed: ntpd's pseudo-address, NTPsec's name, the device.
  const std::string& source_address() const { return source_address_; }
  const std::string& host_name() const { return host_name_; }
  const std::string& device() const { return device_; }
  // One line for the status output, e.g. "nmea_delay=RMC:152.31ms/0.41ms".
  std::string calibration_status() const;
  // NMEA sentences that labelled a second so far (0 without an NMEA receiver).
  std::uint64_t nmea_labels() const;
  // Satellites in the receiver's solution (GGA/GNS); -1 when it does not say.
  int satellites_used() const;
  // The learnt NMEA delays, for persisting beside the drift file; empty when nothing is learnt.
  std::string serialized_calibration() const;
  int load_calibration(const std::string& text);
  // A PPS with no receiver to number it (no NMEA, SHM or gpsd line) takes its seconds from the
  // served clock while `clock_trusted` says the network's majority agrees with the clock to well
  // within half a second (ntpd's type 22 numbered by its system peer, chrony's PPS without
  // `lock`). Without it, such a PPS is not used.
  void number_pps_by_clock(std::function<bool()> clock_trusted);
  // What the appliance knows of the time, for the receiver's rollover judgement.
  void know_time_by(KnownTime known) {
    if (nmea_) nmea_->know_time_by(std::move(known));
  }

 private:
  struct Driver;
  class Channel;
  static const Driver kDrivers[];
  void name_after(const RefclockDeclaration& r);
  void add_description(const std::string& what);
  NmeaRefclock& make_nmea(NmeaRefclockConfig config);
  void add_simulated();
  void add_replay(const ReplaySettings& replay, bool dates_bounded);
  void add_nmea(const RefclockDeclaration& r);
  void use_pps(std::unique_ptr<PpsSource> source, const RefclockOptions& o);
  void add_kernel_pps(const RefclockDeclaration& r);
  void add_gpio_pps(const RefclockDeclaration& r);
  void add_dcd_pps(const RefclockDeclaration& r);
  void add_shm(const RefclockDeclaration& r);
  void add_gpsd(const RefclockDeclaration& r);
  UtcTime to_served(KernelStamp stamp) const;
  Channel& add_channel(const RefclockDeclaration& r, Nanoseconds pulse_offset,
                       Nanoseconds serial_offset, std::uint32_t refid, SampleKind unstated_as);
  Channel& pulses(const RefclockDeclaration& r);
  void on_pps_edge(const PpsEdge& edge);
  void on_nmea_line(const NmeaLine& line);
  void on_nmea_label(const NmeaLabel& label);
  // ntpd's type 22 takes its seconds from another source: without an NMEA receiver, an
  // NMEA-grade sample (gpsd's SHM unit 0, a gpsd TOFF report) names the pulse before it as a
  // sentence would. True when a pulse is present and the sample was taken as its label (it then
  // stands in for the sample); false when the sample must serve on its own.
  bool number_pps_with(const RefSample& raw, const std::string& source);

  EventLoop& loop_;
  const Clock& clock_;
  const std::chrono::sys_days base_date_;
  // Kernel stamps carried onto the served clock: the one place it is done for every driver.
  KernelStamps realtime_stamps_{clock_, CLOCK_REALTIME};
  KernelStamps monotonic_stamps_{clock_, CLOCK_MONOTONIC};
  // One per declared clock: the sink its driver reports to, with its fudges (before the
  // drivers, which hold references to them).
  std::vector<std::unique_ptr<Channel>> channels_;
  SampleSink sink_;
  Log log_;
  std::function<bool()> clock_numbers_pps_;
  bool said_clock_numbers_pps_ = false;
  std::string description_;
  std::string source_address_ = "127.127.20.0";
  std::string host_name_ = "SIM_GPS(0)";
  std::string device_;
  CombinerConfig combiner_config_;
  std::unique_ptr<GpsCombiner> combiner_;
  std::unique_ptr<SimGpsReceiver> simulator_;
  std::unique_ptr<NmeaRefclock> nmea_;
  std::unique_ptr<NmeaSerialSource> serial_;
  std::unique_ptr<NmeaReplaySource> replay_;
  std::unique_ptr<NmeaLineAssembler> simulated_uart_;
  std::vector<std::unique_ptr<PpsSource>> pps_;
  std::vector<std::unique_ptr<ShmRefclock>> shm_;
  std::vector<std::unique_ptr<GpsdClient>> gpsd_;
  bool reported_calibration_ = false;
  std::function<void(std::string_view)> timecode_sink_;
  bool said_pps_numbered_ = false;
  std::array<char, 128> timecode_{};
  std::size_t timecode_length_ = 0;
};

}  // namespace stratumd
