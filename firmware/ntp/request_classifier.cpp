#include "firmware/ntp/request_classifier.hpp"

#include "firmware/util/single_writer_counter.hpp"

#include "firmware/ntp/control_message.hpp"

namespace stratumd {
namespace {

constexpr std::uint8_t kModeClient = 3;
constexpr std::uint8_t kModeControl = 6;

ClassifiedRequest dropped(RequestOutcome outcome, std::uint32_t flags) {
  return {RequestClass::dropped, outcome, flags};
}

}  // namespace

ClassifiedRequest classify_request(std::span<const std::uint8_t> request,
                                   const RequestContext& context, bool to_group,
                                   ClassifierState& state) {
  const RestrictMatch match = state.restrictions.match(context.source.address, context.source.port);
  const std::uint32_t flags = match.flags;
  if (match.entry >= 0 && static_cast<std::size_t>(match.entry) < state.restrict_hits.size()) {
    add_single_writer(state.restrict_hits[static_cast<std::size_t>(match.entry)]);
  }
  if (flags & restrict_flag::ignore) return dropped(RequestOutcome::dropped_restricted, flags);
  if (request.empty()) return dropped(RequestOutcome::dropped_malformed, flags);
  const std::uint8_t mode = request[0] & 0x7;
  if (mode == kModeControl && state.control_served && request.size() >= kMode6HeaderSize) {
    if (flags & restrict_flag::noquery) return dropped(RequestOutcome::dropped_restricted, flags);
    const IpAddress source = context.source.address.unmapped();
    if ((flags & restrict_flag::limited) &&
        state.limiter.check(source, context.monotonic_now, false) != RateVerdict::pass) {
      return dropped(RequestOutcome::dropped_rate_limited, flags);
    }
    if (!context.source.address.is_loopback() &&
        state.control_limiter.check_burst(source, context.monotonic_now, kControlBurst,
                                          kControlPerSecond) != RateVerdict::pass) {
      return dropped(RequestOutcome::dropped_rate_limited, flags);
    }
    return {RequestClass::control, RequestOutcome::control_answered, flags};
  }
  // ntpd's manycast server: silent while it has no time (clients look for servers that do).
  if (to_group && mode == kModeClient && !state.synchronised) {
    return dropped(RequestOutcome::dropped_mode, flags);
  }
  return {RequestClass::for_responder, RequestOutcome::answered, flags};
}

}  // namespace stratumd
