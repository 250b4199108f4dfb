#include "firmware/snmp/daemon_query.hpp"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <array>
#include <stdexcept>

#include "firmware/ntp/control_message.hpp"

namespace stratumd {

namespace {

// The counters the MIB reports beyond READVAR's default list: ntpd answers them by name only.
constexpr const char* kNamedCounters =
    "rootdist,ss_uptime,ss_received,ss_badformat,ss_badversion,io_sent";

const char* control_error_name(std::uint16_t code) {
  switch (code) {
    case kControlErrorPermission:
      return "PERMISSION (a restrict line with noquery covers this address)";
    case kControlErrorBadFormat:
      return "BADFMT";
    case kControlErrorBadOpcode:
      return "BADOP";
    case kControlErrorBadAssociation:
      return "BADASSOC";
    case kControlErrorUnknownVariable:
      return "UNKNOWNVAR";
  }
  return "an unknown error";
}

}  // namespace

DaemonQuery::DaemonQuery(const std::string& address, std::uint16_t port,
                         std::chrono::milliseconds timeout)
    : timeout_(timeout) {
  sockaddr_storage to{};
  socklen_t length = 0;
  auto* v4 = reinterpret_cast<sockaddr_in*>(&to);
  auto* v6 = reinterpret_cast<sockaddr_in6*>(&to);
  if (inet_pton(AF_INET, address.c_str(), &v4->sin_addr) == 1) {
    v4->sin_family = AF_INET;
    v4->sin_port = htons(port);
    length = sizeof *v4;
  } else if (inet_pton(AF_INET6, address.c_str(), &v6->sin6_addr) == 1) {
    v6->sin6_family = AF_INET6;
    v6->sin6_port = htons(port);
    length = sizeof *v6;
  } else {
    throw std::invalid_argument("'" + address + "' is not a numeric IPv4 or IPv6 address");
  }
  socket_ = UniqueFd{::socket(to.ss_family, SOCK_DGRAM | SOCK_CLOEXEC, 0)};
  if (!socket_.valid()) throw_errno("socket");
  // Connected: the kernel drops datagrams from anyone but the daemon.
  if (::connect(socket_.get(), reinterpret_cast<sockaddr*>(&to), length) != 0)
    throw_errno("connect to the daemon's NTP port");
}

std::optional<std::string> DaemonQuery::request(std::uint8_t opcode, std::uint16_t association,
                                                const std::string& data, std::uint16_t* status) {
  const std::uint16_t sequence = ++sequence_;
  const auto packet = mode6_request(opcode, sequence, association, data);
  if (::send(socket_.get(), packet.data(), packet.size(), 0) < 0) {
    problem_ = "cannot send to the daemon";
    return std::nullopt;
  }
  Mode6Answer answer(opcode, sequence);
  const auto deadline = std::chrono::steady_clock::now() + timeout_;
  std::array<std::uint8_t, 1024> buffer{};
  for (;;) {
    const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
        deadline - std::chrono::steady_clock::now());
    pollfd p{socket_.get(), POLLIN, 0};
    if (left.count() <= 0 || ::poll(&p, 1, static_cast<int>(left.count())) <= 0) {
      problem_ = "no answer within " + std::to_string(timeout_.count()) + " ms";
      return std::nullopt;
    }
    const ssize_t n = ::recv(socket_.get(), buffer.data(), buffer.size(), 0);
    if (n < 0) {
      // ECONNREFUSED: nothing listens on the port (the daemon is not running).
      problem_ = "the daemon's port refused the query (is stratumd running?)";
      return std::nullopt;
    }
    switch (answer.take(buffer.data(), static_cast<std::size_t>(n))) {
      case Mode6Answer::Take::complete:
        if (status) *status = answer.status();
        return answer.data();
      case Mode6Answer::Take::error:
        problem_ = std::string("the daemon answered ") + control_error_name(answer.error_code());
        return std::nullopt;
      case Mode6Answer::Take::ignored:
      case Mode6Answer::Take::more:
        break;
    }
  }
}

DaemonReadout DaemonQuery::read() {
  DaemonReadout out;
  problem_.clear();
  std::uint16_t status = 0;
  const auto system = request(mode6_opcode::read_variables, 0, "", &status);
  if (!system) return out;
  out.system = parse_variable_list(*system);
  out.system_status = status;
  out.answered = true;
  if (const auto named = request(mode6_opcode::read_variables, 0, kNamedCounters, nullptr)) {
    for (auto& [name, value] : parse_variable_list(*named)) out.system[name] = value;
  }
  const auto list = request(mode6_opcode::read_status, 0, "", nullptr);
  if (!list) return out;
  for (std::size_t i = 0; i + 4 <= list->size(); i += 4) {
    const auto byte = [&](std::size_t k) { return static_cast<std::uint8_t>((*list)[i + k]); };
    AssociationReadout a;
    a.id = static_cast<std::uint16_t>(byte(0) << 8 | byte(1));
    a.status = static_cast<std::uint16_t>(byte(2) << 8 | byte(3));
    if (const auto vars = request(mode6_opcode::read_variables, a.id, "", nullptr))
      a.variables = parse_variable_list(*vars);
    out.associations.push_back(std::move(a));
  }
  return out;
}

}  // namespace stratumd
