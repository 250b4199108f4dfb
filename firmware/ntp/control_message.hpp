// NTP control messages (mode 6) on the wire: the header size, the fragment size ntpd uses, its
// error codes and opcodes. The protocol's own facts; the responder (firmware/control/mode6.hpp)
// and the request classifier both read them.
#pragma once

#include <cstddef>
#include <cstdint>

namespace stratumd {

inline constexpr std::size_t kMode6HeaderSize = 12;
inline constexpr std::size_t kMode6MaxData = 468;

// ntpd's error codes (ntp_control.h), in the status word's high byte of an error response; ntpq
// names them (UNKNOWNVAR …) and acts on some (it retries a list one name at a time after 5).
inline constexpr std::uint16_t kControlErrorPermission = 1;
inline constexpr std::uint16_t kControlErrorBadFormat = 2;
inline constexpr std::uint16_t kControlErrorBadOpcode = 3;
inline constexpr std::uint16_t kControlErrorBadAssociation = 4;
inline constexpr std::uint16_t kControlErrorUnknownVariable = 5;

namespace mode6_opcode {
inline constexpr std::uint8_t read_status = 1;
inline constexpr std::uint8_t read_variables = 2;
inline constexpr std::uint8_t write_variables = 3;
inline constexpr std::uint8_t read_clock = 4;
inline constexpr std::uint8_t write_clock = 5;
inline constexpr std::uint8_t read_ordered_list = 11;  // ifstats, reslist: with the control key
inline constexpr std::uint8_t read_mru = 10;
inline constexpr std::uint8_t request_nonce = 12;
}  // namespace mode6_opcode

}  // namespace stratumd
