// NTP control messages (mode 6), as ntpq and ntpstat speak them: READSTAT, READVAR and READCLOCK
// answered from variable text the main loop renders and publishes (ControlVariables), split into
// fragments of at most 468 data bytes with the More bit, as ntpd does. Pure and allocation-free:
// fragments are handed to a callback that sends them.
#pragma once

#include <algorithm>
#include <array>
#include <cstddef>
#include <cstdint>
#include <span>
#include <string_view>
#include <type_traits>

#include "firmware/ntp/control_message.hpp"

namespace stratumd {

inline constexpr std::size_t kMaxControlAssociations = 8;

// Fixed-size text so the whole thing is trivially copyable and can sit behind a seqlock.
template <std::size_t N>
struct FixedText {
  std::array<char, N> bytes{};
  std::uint16_t length = 0;

  std::string_view view() const { return {bytes.data(), length}; }
  void assign(std::string_view text) {
    length = static_cast<std::uint16_t>(text.size() < N ? text.size() : N);
    for (std::size_t i = 0; i < length; ++i) bytes[i] = text[i];
  }
};

struct ControlAssociation {
  std::uint16_t id = 0;
  std::uint16_t peer_status = 0;
  FixedText<1200> variables;
  FixedText<700> clock_variables;
};

struct ControlVariables {
  std::uint16_t system_status = 0;
  FixedText<1200> system_variables;
  // Answered only when asked for by name (ntpq's sysinfo, sysstats, kerninfo), as ntpd keeps
  // them out of its default list: a bare READVAR stays as short as it was.
  FixedText<4000> named_variables;
  std::array<ControlAssociation, kMaxControlAssociations> associations{};
  std::uint8_t association_count = 0;
};
static_assert(std::is_trivially_copyable_v<ControlVariables>);

enum class Mode6Outcome : std::uint8_t {
  answered,
  malformed,
  refused_write,
  unknown_opcode,
  unknown_association,
  unknown_variable
};

// Calls `send(fragment)` once per reply datagram. Returns what was done.
template <typename Send>
Mode6Outcome mode6_respond(std::span<const std::uint8_t> request, const ControlVariables& vars,
                           Send&& send);

// Implementation details shared by the template.
namespace mode6_detail {
struct Request {
  std::uint8_t version = 2;
  std::uint8_t opcode = 0;
  std::uint16_t sequence = 0;
  std::uint16_t association = 0;
  std::string_view data;  // the names asked for ("stratum,offset"), often empty
};
// The variables of `all` ("a=1, b=\"x, y\", c=3") that `wanted` names, in that order, into `out`.
// Returns the length written; 0 with `unknown` set when a name is not a variable. An empty list
// selects everything.
std::size_t select_variables(std::string_view all, std::string_view wanted, std::span<char> out,
                             bool& unknown);
bool parse(std::span<const std::uint8_t> bytes, Request& out);
// Without the blanks ntpq may leave around names and values (spaces, tabs, CR, LF, NUL).
std::string_view trim(std::string_view s);
// Writes one fragment into `out`; returns its length (header + data padded to 4).
std::size_t build_fragment(const Request& r, bool error, bool more, std::uint16_t status,
                           std::uint16_t offset, std::string_view data,
                           std::span<std::uint8_t> out);

// Sends `data` in fragments of at most kMode6MaxData bytes (ntpq reassembles them by offset).
template <typename Send>
void send_text(const Request& r, std::uint16_t status, std::string_view data, Send&& send) {
  std::array<std::uint8_t, kMode6HeaderSize + kMode6MaxData> fragment{};
  std::size_t offset = 0;
  do {
    const std::size_t n =
        data.size() - offset < kMode6MaxData ? data.size() - offset : kMode6MaxData;
    const bool more = offset + n < data.size();
    const std::size_t length =
        build_fragment(r, false, more, status, static_cast<std::uint16_t>(offset),
                       data.substr(offset, n), fragment);
    send(std::span<const std::uint8_t>(fragment.data(), length));
    offset += n;
  } while (offset < data.size());
}

template <typename Send>
void send_error(const Request& r, std::uint16_t code, Send&& send) {
  std::array<std::uint8_t, kMode6HeaderSize> fragment{};
  const std::size_t length =
      build_fragment(r, true, false, static_cast<std::uint16_t>(code << 8), 0, {}, fragment);
  send(std::span<const std::uint8_t>(fragment.data(), length));
}
}  // namespace mode6_detail

template <typename Send>
Mode6Outcome mode6_respond(std::span<const std::uint8_t> request, const ControlVariables& vars,
                           Send&& send) {
  mode6_detail::Request r;
  if (!mode6_detail::parse(request, r)) return Mode6Outcome::malformed;
  const auto emit = [&](std::uint16_t status, std::string_view data) {
    mode6_detail::send_text(r, status, data, send);
  };
  const auto error = [&](std::uint16_t code) { mode6_detail::send_error(r, code, send); };
  const ControlAssociation* assoc = nullptr;
  if (r.association != 0) {
    for (std::size_t i = 0; i < vars.association_count; ++i) {
      if (vars.associations[i].id == r.association) assoc = &vars.associations[i];
    }
    if (!assoc && r.opcode != mode6_opcode::read_status) {
      error(kControlErrorBadAssociation);
      return Mode6Outcome::unknown_association;
    }
  }
  switch (r.opcode) {
    case mode6_opcode::read_status: {
      if (assoc) {
        emit(assoc->peer_status, {});
        return Mode6Outcome::answered;
      }
      std::array<char, 4 * kMaxControlAssociations> list{};
      for (std::size_t i = 0; i < vars.association_count; ++i) {
        const ControlAssociation& a = vars.associations[i];
        list[4 * i] = static_cast<char>(a.id >> 8);
        list[4 * i + 1] = static_cast<char>(a.id);
        list[4 * i + 2] = static_cast<char>(a.peer_status >> 8);
        list[4 * i + 3] = static_cast<char>(a.peer_status);
      }
      emit(vars.system_status, std::string_view(list.data(), 4 * vars.association_count));
      return Mode6Outcome::answered;
    }
    case mode6_opcode::read_variables: {
      // Only what was asked for, as ntpd: a short request never draws the whole list.
      constexpr std::size_t kBoth =
          sizeof vars.system_variables.bytes + sizeof vars.named_variables.bytes + 2;
      std::array<char, kBoth> selected{};
      bool unknown = false;
      // System variables asked for by name may also be the named-only ones.
      std::array<char, kBoth> both{};
      std::string_view all = assoc ? assoc->variables.view() : vars.system_variables.view();
      if (!assoc && !r.data.empty() && vars.named_variables.length > 0) {
        const std::string_view system = vars.system_variables.view();
        const std::string_view named = vars.named_variables.view();
        std::copy(system.begin(), system.end(), both.begin());
        both[system.size()] = ',';
        both[system.size() + 1] = ' ';
        std::copy(named.begin(), named.end(), both.begin() + system.size() + 2);
        all = std::string_view(both.data(), system.size() + 2 + named.size());
      }
      const std::size_t n = mode6_detail::select_variables(all, r.data, selected, unknown);
      if (unknown) {
        error(kControlErrorUnknownVariable);
        return Mode6Outcome::unknown_variable;
      }
      emit(assoc ? assoc->peer_status : vars.system_status, std::string_view(selected.data(), n));
      return Mode6Outcome::answered;
    }
    case mode6_opcode::read_clock: {
      const ControlAssociation* clock = assoc;
      if (!clock && vars.association_count)
        clock = &vars.associations[0];  // ntpq cv: the system peer
      if (!clock) {
        error(kControlErrorBadAssociation);
        return Mode6Outcome::unknown_association;
      }
      emit(clock->peer_status, clock->clock_variables.view());
      return Mode6Outcome::answered;
    }
    case mode6_opcode::read_mru:
      // The server's workers answer the MRU list from their client monitor (mru_list.hpp); here,
      // without one, a request lacking ntpd's nonce is dropped as ntpd drops it, and one with a
      // nonce is told the request is not implemented.
      if (r.data.find("nonce=") == std::string_view::npos) return Mode6Outcome::malformed;
      error(kControlErrorBadOpcode);
      return Mode6Outcome::unknown_opcode;
    case mode6_opcode::write_variables:
    case mode6_opcode::write_clock:
      // Writes need controlkey authentication, not implemented.
      error(kControlErrorPermission);
      return Mode6Outcome::refused_write;
    default:
      error(kControlErrorBadOpcode);
      return Mode6Outcome::unknown_opcode;
  }
}

}  // namespace stratumd
