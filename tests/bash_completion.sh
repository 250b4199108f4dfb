#!/usr/bin/env bash
# The shipped bash completions (board/completion) complete what the programs accept: stratumd's
# options as its --help lists them, stratumctl's options, and after `stratumctl -c` the console's
# commands and words. Usage: bash_completion.sh SOURCE_DIR BUILD_DIR
set -euo pipefail
source_dir=$(cd "$1" && pwd) build_dir=$(cd "$2" && pwd)
fail() { echo "FAIL: $*" >&2; exit 1; }
# The completions call the programs by the name typed: the built ones come first on PATH.
bin=$(mktemp -d)
trap 'rm -rf "$bin"' EXIT
ln -s "$build_dir/stratumd" "$bin/stratumd"
ln -s "$build_dir/stratumctl" "$bin/stratumctl"
export PATH=$bin:$PATH
source "$source_dir/board/completion/stratumd"
source "$source_dir/board/completion/stratumctl"

complete_line() {  # the words of a command line, the last one being completed
  COMP_WORDS=("$@")
  COMP_CWORD=$((${#COMP_WORDS[@]} - 1))
  COMPREPLY=()
  "_$1"
  printf '%s\n' "${COMPREPLY[@]}"
}
has() { grep -qx -- "$2" <<<"$1" || fail "expected '$2' among: $(echo $1)"; }

out=$(complete_line stratumd --che)
has "$out" --check-config
out=$(complete_line stratumd --)
for option in --simulate --config --foreground --pidfile --console-socket --replay --filter; do has "$out" "$option"; done
[[ $(grep -c . <<<"$out") -ge 15 ]] || fail "stratumd's options: $out"
has "$(complete_line stratumd --io p)" poll
has "$(complete_line stratumd -F '')" 1
has "$(complete_line stratumd -c "$source_dir/configs/simu")" "$source_dir/configs/simulated.conf"
has "$(complete_line stratumctl --so)" --socket
has "$(complete_line stratumctl -c st)" status
has "$(complete_line stratumctl -c 'show r')" "show running"
has "$(complete_line stratumctl -c 'add rest')" "add restrict"
out=$(complete_line stratumctl -c '')
for command in status show add apply save revert log; do has "$out" "$command"; done
echo "PASS: bash completion of stratumd's options and of stratumctl's options and console commands"
