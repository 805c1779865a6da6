#!/bin/sh
# Fuzzes one target for PERDURE_FUZZ_SECONDS (25 unless set), starting from its seed corpus.
# New inputs go to a scratch corpus in the build directory, so the repository's seeds stay
# hand-picked; a crash, sanitizer report, leak or timeout fails the test and its input is kept
# under WORK_DIR/artifacts/. Usage: run_target.sh FUZZER SEED_CORPUS WORK_DIR
set -eu
fuzzer=$1
seeds=$2
work=$3
rm -rf "$work"
mkdir -p "$work/corpus" "$work/artifacts"
export UBSAN_OPTIONS="halt_on_error=1:print_stacktrace=1${UBSAN_OPTIONS:+:$UBSAN_OPTIONS}"
status=0
"$fuzzer" -max_total_time="${PERDURE_FUZZ_SECONDS:-25}" -timeout=10 -rss_limit_mb=2048 -print_final_stats=1 \
    -artifact_prefix="$work/artifacts/" "$work/corpus" "$seeds" >"$work/log" 2>&1 || status=$?
runs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$work/log" | tail -n 1)
if [ "$status" -ne 0 ]; then
    tail -n 60 "$work/log"
    echo "FAIL after ${runs:-?} executions; input: $(ls "$work/artifacts" | head -n 1); log: $work/log"
    exit 1
fi
echo "PASS: ${runs:-?} executions in ${PERDURE_FUZZ_SECONDS:-25} s"
