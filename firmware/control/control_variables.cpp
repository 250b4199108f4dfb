#include "firmware/control/control_variables.hpp"

#include <cmath>
#include <cstdio>

#include "firmware/time/utc_text.hpp"

namespace stratumd {
namespace {

constexpr int kSourcePps = 1;
constexpr int kSourceUhfRadio = 4;  // ntpd's class for GPS receivers
constexpr int kSelectReject = 0;
constexpr int kSelectFalseticker = 1;
constexpr int kSelectSystemPeer = 6;
constexpr int kSelectPpsPeer = 7;

std::string refid_text(std::uint32_t refid) {
  std::string out;
  for (int shift = 24; shift >= 0; shift -= 8) {
    const char c = static_cast<char>((refid >> shift) & 0xFF);
    if (c == 0) break;
    out += c;
  }
  return out;
}

std::string format(const char* pattern, double value) {
  char text[64];
  std::snprintf(text, sizeof text, pattern, value);
  return text;
}

double ms(Nanoseconds d) {
  return to_seconds(d) * 1e3;
}

}  // namespace

std::string ntp_hex_timestamp(UtcTime t) {
  const NtpTimestamp ts =
      t.time_since_epoch().count() == 0 ? NtpTimestamp{} : NtpTimestamp::from_utc(t);
  char text[32];
  std::snprintf(text, sizeof text, "0x%08x.%08x", ts.seconds(), ts.fraction());
  return text;
}

std::uint16_t system_status_word(const ClockSnapshot& s, bool pps, int event_count,
                                 int last_event) {
  const int leap = static_cast<int>(s.synchronised() ? s.leap : LeapIndicator::unsynchronised);
  const int source = s.synchronised() ? (pps ? kSourcePps : kSourceUhfRadio) : 0;
  return static_cast<std::uint16_t>((leap << 14) | (source << 8) | ((event_count & 0xF) << 4) |
                                    (last_event & 0xF));
}

std::uint16_t peer_status_word(bool reachable, int selection, bool keyed, bool authentic) {
  const int flags =
      0x80 /* configured */ | (keyed ? 0x40 : 0) | (authentic ? 0x20 : 0) | (reachable ? 0x10 : 0);
  return static_cast<std::uint16_t>(((flags | (selection & 0x7)) << 8));
}

namespace {

// ntpq's sysstats asks for each counter and its "_r" twin (since the last reset); this daemon
// never resets them, so both are the count since start.
std::string count(const char* name, std::uint64_t n) {
  const std::string value = std::to_string(n);
  return std::string(", ") + name + "=" + value + ", " + name + "_r=" + value;
}

// ntpq's sysinfo, sysstats and kerninfo, with ntpd's names and units (ms, ppm, seconds).
void render_named_variables(const ClockSnapshot& s, const ReferenceReport& ref, UtcTime now,
                            const SystemStatistics& stats, ControlVariables& out) {
  const bool synced = s.synchronised();
  std::string peer = "0.0.0.0:0";
  int peer_mode = 0;
  for (const UpstreamReport& u : ref.upstreams) {
    if (ref.network_steers && u.selection == kSelectSystemPeer) {
      peer = u.address + ":123";
      peer_mode = u.host_mode;
    }
  }
  if (synced && !ref.network_steers && ref.has_reference_clock) {
    peer = ref.source_address + ":123";
    peer_mode = 3;  // ntpd shows a reference clock as a client association
  }
  std::string v = "peeradr=" + peer + ", peermode=" + std::to_string(peer_mode);
  v += ", rootdist=" + format("%.3f", ms(s.root_delay) / 2 + ms(s.root_dispersion_at(now)));
  v += ", authdelay=0.000";
  const auto seconds = std::chrono::duration_cast<std::chrono::seconds>(stats.uptime).count();
  v += ", ss_uptime=" + std::to_string(seconds) + ", ss_reset=" + std::to_string(seconds) +
       ", ss_reset_r=" + std::to_string(seconds);
  v += ", ss_numctlreq=" + std::to_string(stats.control_requests);
  v += count("ss_received", stats.received) + count("ss_thisver", stats.current_version) +
       count("ss_oldver", stats.older_version) + count("ss_ver1", stats.version1) +
       count("ss_ver1client", stats.version1_client) + count("ss_ver1zero", stats.version1_zero) +
       count("ss_ver1symm", stats.version1_symmetric) + count("ss_badformat", stats.bad_format) +
       count("ss_badversion", stats.bad_version) + count("ss_badauth", stats.bad_auth) +
       count("ss_declined", stats.declined) + count("ss_restricted", stats.restricted) +
       count("ss_limited", stats.limited) + count("ss_kodsent", stats.kod_sent) +
       count("ss_processed", stats.processed);
  // monstats. ntpd's reclaim thresholds (mindepth, maxage, minage) have no counterpart: a new
  // client takes the least recently heard slot of its set, whatever its age, so all three are 0.
  const MonitorStatistics& m = stats.monitor;
  const auto age =
      std::chrono::duration_cast<std::chrono::seconds>(m.oldest_age.value_or(Nanoseconds{0}));
  v += ", mru_enabled=" + std::to_string(m.slots ? 1 : 0) +
       ", mru_hashslots=" + std::to_string(m.sets) +
       ", mru_depth=" + std::to_string(m.slots_in_use) +
       ", mru_deepest=" + std::to_string(m.slots_in_use) +
       ", mru_maxdepth=" + std::to_string(m.slots) +
       ", mru_mindepth=0, mru_maxage=0, mru_minage=0" +
       ", mru_mem=" + std::to_string((m.slots_in_use * m.slot_bytes + 1023) / 1024) +
       ", mru_maxmem=" + std::to_string((m.slots * m.slot_bytes + 1023) / 1024) +
       ", mru_exists=" + std::to_string(m.existing) + ", mru_new=" + std::to_string(m.fresh) +
       ", mru_recycleold=0, mru_recyclefull=" + std::to_string(m.recycled) +
       ", mru_none=0, mru_oldest_age=" + std::to_string(age.count());
  // iostats: what the server's sockets saw. A request is read straight into a batch slot (the
  // "receive buffers"), never queued in the daemon: none are ever in use between batches, and the
  // only drops are the kernel's, on a full socket queue.
  v += ", iostats_reset=" + std::to_string(seconds) +
       ", total_rbuf=" + std::to_string(stats.receive_buffers) +
       ", free_rbuf=" + std::to_string(stats.receive_buffers) + ", used_rbuf=0, rbuf_lowater=0" +
       ", io_dropped=" + std::to_string(stats.kernel_drops) +
       ", io_ignored=" + std::to_string(stats.ignored) +
       ", io_received=" + std::to_string(stats.received) +
       ", io_sent=" + std::to_string(stats.sent) +
       ", io_sendfailed=" + std::to_string(stats.send_failures) +
       ", io_wakeups=" + std::to_string(stats.wakeups) +
       ", io_goodwakeups=" + std::to_string(stats.useful_wakeups);
  // authinfo, ntpd's names: an "encryption" is a MAC made, a "decryption" one checked. Keys are
  // all held in memory from the keys file (none uncached, none expiring).
  const MacCounters& mac = stats.mac;
  v += ", authreset=" + std::to_string(seconds) + ", authkeys=" + std::to_string(stats.keys) +
       ", authfreek=0, authklookups=" + std::to_string(mac.lookups) +
       ", authknotfound=" + std::to_string(mac.not_found) +
       ", authencrypts=" + std::to_string(mac.digest_made + mac.cmac_made) +
       ", authdigestencrypts=" + std::to_string(mac.digest_made) +
       ", authcmacencrypts=" + std::to_string(mac.cmac_made) +
       ", authdecrypts=" + std::to_string(mac.digest_checked + mac.cmac_checked) +
       ", authdigestdecrypts=" + std::to_string(mac.digest_checked) +
       ", authdigestfails=" + std::to_string(mac.digest_failed) +
       ", authcmacdecrypts=" + std::to_string(mac.cmac_checked) +
       ", authcmacfails=" + std::to_string(mac.cmac_failed) + ", authkuncached=0, authkexpired=0";
  // timerstats: the main loop's once-a-second tick.
  v += ", timerstats_reset=" + std::to_string(seconds) +
       ", timer_overruns=" + std::to_string(stats.timer_overruns) +
       ", timer_xmts=" + std::to_string(stats.transmissions);
  if (const auto& k = stats.kernel) {
    v +=
        ", koffset=" + format("%.6f", k->offset_ms) + ", kfreq=" + format("%.3f", k->frequency_ppm);
    v += ", kmaxerr=" + format("%.3f", k->max_error_ms) +
         ", kesterr=" + format("%.3f", k->estimated_error_ms);
    v += ", kstflags=\"" + k->status_flags + "\"";
    v += ", ktimeconst=" + std::to_string(k->time_constant);
    v += ", kprecis=" + format("%.6f", k->precision_ms);
    v += ", kfreqtol=" + format("%.0f", k->tolerance_ppm);
    v += ", kppsfreq=" + format("%.3f", k->pps_frequency_ppm) +
         ", kppsstab=" + format("%.3f", k->pps_stability_ppm) +
         ", kppsjitter=" + format("%.6f", k->pps_jitter_ms);
    v += ", kppscalibdur=" + std::to_string(k->pps_calibration_interval) +
         ", kppscalibs=" + std::to_string(k->pps_calibrations) +
         ", kppsjitexc=" + std::to_string(k->pps_jitter_exceeded) +
         ", kppsstbexc=" + std::to_string(k->pps_stability_exceeded) +
         ", kppscaliberrs=" + std::to_string(k->pps_calibration_errors);
  }
  out.named_variables.assign(v);
}

}  // namespace

void render_control_variables(const ClockSnapshot& s, const LoopStatus& loop, UtcTime now,
                              const ReferenceReport& ref, const std::string& version,
                              ControlVariables& out, const SystemStatistics& stats) {
  const bool synced = s.synchronised();
  out.system_status = system_status_word(s, ref.pps, 0, 0);
  // ntpstat reads stratum, rootdisp, rootdelay and tc from the first 468 bytes: they come first.
  std::string sys;
  sys += "stratum=" + std::to_string(synced ? s.stratum : 16);
  sys += ", rootdelay=" + format("%.3f", ms(s.root_delay));
  sys += ", rootdisp=" + format("%.3f", ms(s.root_dispersion_at(now)));
  sys += ", tc=" + std::to_string(ref.poll_log2);
  sys += ", leap=" + std::to_string(synced ? static_cast<int>(s.leap) : 3);
  sys += ", precision=" + std::to_string(s.precision);
  sys += ", refid=" + (synced ? refid_text(s.reference_id) : std::string("INIT"));
  sys += ", reftime=" + ntp_hex_timestamp(s.reference_time);
  sys += ", clock=" + ntp_hex_timestamp(now);
  sys += ", peer=" + std::to_string(synced ? 1 : 0);
  sys += ", mintc=3";
  sys += ", offset=" + format("%.6f", ms(loop.last_offset));
  sys += ", frequency=" + format("%.3f", loop.frequency_ppm);
  sys += ", sys_jitter=" + format("%.6f", ms(loop.jitter));
  sys += ", clk_jitter=" + format("%.6f", ms(loop.jitter));
  sys += ", clk_wander=" + format("%.3f", loop.wander_ppm);
  sys += ", version=\"" + version + "\", processor=\"" + stats.processor + "\", system=\"Linux\"";
  // ntpd's leap-table variables: TAI - UTC now, the table's last transition and its expiry
  // (yyyymmddhhmm, UTC); absent, as ntpd's, without a table.
  if (const auto& table = loop.leap_table) {
    sys += ", tai=" + std::to_string(table->tai_offset);
    sys += ", leapsec=" + utc_minute_text(UtcTime{} + std::chrono::seconds{table->last_transition});
    sys += ", expire=" + utc_minute_text(UtcTime{} + std::chrono::seconds{table->expires});
  }
  out.system_variables.assign(sys);
  render_named_variables(s, ref, now, stats, out);

  out.association_count = 0;
  if (ref.has_reference_clock) render_reference_clock(s, loop, now, ref, out);
  for (const UpstreamReport& u : ref.upstreams) {
    if (out.association_count == kMaxControlAssociations) break;
    render_upstream(u, now, out.association_count, out);
    ++out.association_count;
  }
}

namespace {

// IPv4 refids are addresses for stratum 2 and above, text for stratum 0 and 1.
std::string upstream_refid(const UpstreamReport& u) {
  if (u.stratum <= 1) return refid_text(u.reference_id);
  char text[20];
  std::snprintf(text, sizeof text, "%u.%u.%u.%u", u.reference_id >> 24,
                (u.reference_id >> 16) & 0xFF, (u.reference_id >> 8) & 0xFF, u.reference_id & 0xFF);
  return text;
}

}  // namespace

void render_upstream(const UpstreamReport& u, UtcTime now, std::size_t index,
                     ControlVariables& out) {
  (void)now;
  ControlAssociation& a = out.associations[index];
  a.id = u.association_id != 0 ? u.association_id : static_cast<std::uint16_t>(index + 1);
  // With a key only authenticated replies count: one that reached us was authentic.
  a.peer_status =
      peer_status_word(u.reach != 0, u.selection, u.key_id != 0, u.key_id != 0 && u.reach != 0);
  std::string peer;
  peer += "srcadr=" + u.address + ", srcport=123";
  peer += ", dstadr=0.0.0.0, dstport=123";
  peer += ", leap=0, stratum=" + std::to_string(u.stratum) + ", precision=-20";
  peer += ", rootdelay=0.000, rootdisp=0.000";
  peer += ", refid=" + upstream_refid(u);
  peer += ", reftime=" + ntp_hex_timestamp(u.last_sample);
  peer +=
      ", rec=" + ntp_hex_timestamp(u.last_received.time_since_epoch().count() != 0 ? u.last_received
                                                                                   : u.last_sample);
  char reach[16];
  std::snprintf(reach, sizeof reach, "0x%02x", u.reach);
  // The peer's mode as it answers ours: server to a client, the other symmetric mode, broadcast.
  const int pmode = u.host_mode == 3 ? 4 : u.host_mode == 1 ? 2 : u.host_mode == 2 ? 1 : 5;
  peer += ", reach=" + std::string(reach) + ", unreach=0, hmode=" + std::to_string(u.host_mode) +
          ", pmode=" + std::to_string(pmode);
  peer += ", hpoll=" + std::to_string(u.poll_log2) + ", ppoll=" + std::to_string(u.peer_poll_log2);
  char flash[16];
  std::snprintf(flash, sizeof flash, "0x%x", unsigned{u.flash});
  peer += ", headway=0, flash=" + std::string(flash) + ", keyid=" + std::to_string(u.key_id);
  peer += ", offset=" + format("%.6f", u.offset * 1e3);
  peer += ", delay=" + format("%.6f", u.delay * 1e3);
  peer += ", dispersion=" + format("%.6f", u.dispersion * 1e3);
  peer += ", jitter=" + format("%.6f", u.jitter * 1e3);
  // stratumd's own: packets exchanged and refused by reason (RFC 5905's tests).
  peer += ", sent=" + std::to_string(u.sent) + ", received=" + std::to_string(u.received);
  peer += ", oldpkt=" + std::to_string(u.refused_duplicate) +
          ", bogusorg=" + std::to_string(u.refused_bogus) +
          ", badauth=" + std::to_string(u.refused_auth) +
          ", refused=" + std::to_string(u.refused_other);
  a.variables.assign(peer);
  a.clock_variables.assign("");
}

void render_reference_clock(const ClockSnapshot& s, const LoopStatus& loop, UtcTime now,
                            const ReferenceReport& ref, ControlVariables& out) {
  const bool synced = s.synchronised();
  int selection = !synced ? kSelectReject : (ref.pps ? kSelectPpsPeer : kSelectSystemPeer);
  if (ref.network_steers)
    selection = ref.reference_falseticker ? kSelectFalseticker : kSelectReject;
  ControlAssociation& a = out.associations[0];
  a.id = 1;
  a.peer_status = peer_status_word(ref.reach != 0, selection);
  std::string peer;
  peer += "srcadr=" + ref.source_address + ", srcport=123, srchost=\"" + ref.host_name + "\"";
  peer += ", dstadr=127.0.0.1, dstport=123";
  peer += ", leap=" + std::to_string(synced ? static_cast<int>(s.leap) : 3);
  peer += ", stratum=0, precision=" + std::to_string(s.precision);
  peer += ", rootdelay=0.000, rootdisp=0.000";
  peer += ", refid=" + refid_text(s.reference_id);
  peer += ", reftime=" + ntp_hex_timestamp(s.reference_time);
  peer += ", rec=" + ntp_hex_timestamp(s.reference_time);
  char reach[16];
  std::snprintf(reach, sizeof reach, "0x%02x", ref.reach);
  peer += ", reach=" + std::string(reach) + ", unreach=0, hmode=3, pmode=4";
  peer += ", hpoll=" + std::to_string(ref.poll_log2) + ", ppoll=" + std::to_string(ref.poll_log2);
  peer += ", headway=0, flash=0x0, keyid=0";
  peer += ", offset=" + format("%.6f", ms(loop.last_offset));
  peer += ", delay=0.000";
  peer += ", dispersion=" + format("%.6f", ms(s.root_dispersion_at(now)));
  peer += ", jitter=" + format("%.6f", ms(loop.jitter));
  out.associations[0].variables.assign(peer);

  std::string clock;
  clock += "name=\"" + ref.host_name + "\"";
  if (!ref.device.empty()) clock += ", device=\"" + ref.device + "\"";
  if (!ref.last_timecode.empty()) clock += ", timecode=\"" + ref.last_timecode + "\"";
  clock += ", poll=" + std::to_string(ref.samples) + ", noreply=0, badformat=0, baddata=0";
  clock += ", fudgetime1=" + format("%.3f", ref.fudge_time1 * 1e3);
  clock += ", fudgetime2=" + format("%.3f", ref.fudge_time2 * 1e3);
  clock += ", stratum=0, refid=" + refid_text(s.reference_id) + ", flags=0";
  a.clock_variables.assign(clock);
  out.association_count = 1;
}

}  // namespace stratumd
