# Sourced by the test scripts. A test that cannot run on this machine fails and says why: ctest's
# summary must not count as passed or quietly skipped what never ran. Whoever runs the tests on a
# machine known to lack something can opt out explicitly with STRATUMD_ALLOW_SKIP=1 (README,
# "Testing"): the test is then reported as skipped (exit 77, ctest's SKIP_RETURN_CODE), still
# saying why.
cannot_run() {
  if [[ ${STRATUMD_ALLOW_SKIP:-0} == 1 ]]; then
    echo "SKIP (STRATUMD_ALLOW_SKIP=1): $*"
    exit 77
  fi
  echo "FAIL: cannot run here: $* (STRATUMD_ALLOW_SKIP=1 reports it skipped instead)" >&2
  exit 1
}
