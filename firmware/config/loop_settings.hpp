// The loop's settings as the daemon runs them: the configuration's `tinker`/`enable` values plus
// what follows from the rest of the file. One function for start-up and for every reload, so the
// two cannot disagree (they did: a reload once timed network sources out after 300 s where
// start-up allowed three polls at maxpoll).
#pragma once

#include "firmware/config/ntp_conf_parser.hpp"
#include "firmware/discipline/clock_discipline.hpp"

namespace stratumd {

// `allow_first_panic_step`: -g, or a replayed log (served at its own date however far from now).
DisciplineConfig loop_settings(const DaemonConfig& config, bool allow_first_panic_step);

}  // namespace stratumd
