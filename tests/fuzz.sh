#!/usr/bin/env bash
# The libFuzzer targets of tests/fuzz, built with clang, ASan and UBSan in a build of their own,
# each run for a bounded time from its seed corpus (plus the example configurations, the NMEA
# fixtures and the system's leap-seconds.list). Any crash, leak, undefined behaviour or broken
# invariant fails the test and leaves its input under BUILD_DIR/findings.
# Usage: tests/fuzz.sh SOURCE_DIR BUILD_DIR [SECONDS_PER_TARGET]
set -euo pipefail
source "$(dirname "$0")/cannot_run.sh"
source_dir=$1
build_dir=$2
seconds=${3:-30}
if ! command -v clang++ >/dev/null; then
  cannot_run "clang++ is not installed (scripts/setup --test installs it)"
fi
flags="-fsanitize=fuzzer-no-link,address,undefined -fno-sanitize-recover=undefined -fno-omit-frame-pointer -g"
cmake -S "$source_dir" -B "$build_dir" -DCMAKE_BUILD_TYPE=RelWithDebInfo -DCMAKE_CXX_COMPILER=clang++ \
  -DCMAKE_CXX_FLAGS="$flags" -DCMAKE_EXE_LINKER_FLAGS="-fsanitize=address,undefined" \
  -DSTRATUMD_BUILD_TESTS=OFF -DSTRATUMD_FUZZ=ON >"$build_dir.cmake.log" 2>&1 ||
  { cat "$build_dir.cmake.log"; exit 1; }
targets=(ntp_packet mode6 ntp_conf nmea leap_seconds first_boot_seed)
cmake --build "$build_dir" -j "$(nproc)" --target "${targets[@]/%/_fuzz}" >"$build_dir.build.log" 2>&1 ||
  { tail -n 40 "$build_dir.build.log"; exit 1; }

extra_seeds() {
  case $1 in
    ntp_conf) echo "$source_dir/configs" ;;
    nmea) echo "$source_dir/tests/fixtures/nmea" ;;
    leap_seconds) [[ -f /usr/share/zoneinfo/leap-seconds.list ]] && echo /usr/share/zoneinfo/leap-seconds.list ;;
  esac
  return 0
}

mkdir -p "$build_dir/findings"
failed=0
for name in "${targets[@]}"; do
  corpus=$build_dir/corpus/$name  # grows here, never in the source tree
  mkdir -p "$corpus"
  seeds=("$source_dir/tests/fuzz/corpus/$name")
  extra=$(extra_seeds "$name")
  if [[ -n $extra ]]; then
    if [[ -d $extra ]]; then seeds+=("$extra"); else cp "$extra" "$corpus/"; fi
  fi
  log=$build_dir/$name.log
  if ASAN_OPTIONS=detect_leaks=1 UBSAN_OPTIONS=print_stacktrace=1 \
     "$build_dir/tests/fuzz/${name}_fuzz" -max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 \
       -print_final_stats=1 -artifact_prefix="$build_dir/findings/$name-" "$corpus" "${seeds[@]}" \
       >"$log" 2>&1; then
    runs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log")
    cov=$(grep -o 'cov: [0-9]*' "$log" | tail -n 1)
    echo "$name: ${runs:-?} inputs in ${seconds} s, $cov, no findings"
  else
    echo "FAIL: $name found a problem (input under $build_dir/findings):"
    grep -E "ERROR|runtime error|SUMMARY|deadly signal" "$log" | head -n 5
    tail -n 30 "$log"
    failed=1
  fi
done
exit $failed
