#!/usr/bin/env bash
# Builds the libFuzzer targets (fuzz/*.cpp, clang++-14 with ASan + UBSan) into build/fuzz/ and runs
# each one for N seconds on a copy of its seed corpus (fuzz/corpus/<target>/, never grown in place).
#
#   bash toolchain/fuzz.sh [--seconds N] [--build-only] [target ...]     (npm run fuzz -- --seconds N)
#
# One line per target with the executions run; any crash, leak, timeout, out-of-memory or sanitizer
# report fails that target and prints the reproducer's path (build/fuzz/run/<target>/artifacts/).
# Reproduce one with `build/fuzz/<target> <file>`. Ends with "fuzz: N passed, N failed"; exits 1 if
# any target failed. Expects toolchain/setup.sh to have run (clang-14, libclang-rt-14-dev).
# WRE_FUZZ_RUN=dir puts the corpus copies, logs and artifacts elsewhere (default build/fuzz/run).
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"

SECONDS_EACH=60
BUILD_ONLY=0
TARGETS=()
while (($#)); do
  case "$1" in
    --seconds) SECONDS_EACH="${2:?--seconds needs a number}"; shift 2 ;;
    --seconds=*) SECONDS_EACH="${1#*=}"; shift ;;
    --build-only) BUILD_ONLY=1; shift ;;
    -h|--help) sed -n '2,10p' "$0"; exit 0 ;;
    -*) echo "fuzz: unknown option $1" >&2; exit 2 ;;
    *) TARGETS+=("$1"); shift ;;
  esac
done
if ! [[ "$SECONDS_EACH" =~ ^[1-9][0-9]*$ ]]; then
  echo "fuzz: --seconds must be a whole number of seconds, got '$SECONDS_EACH'" >&2
  exit 2
fi

CXX=clang++-14
command -v "$CXX" >/dev/null || { echo "fuzz: $CXX not found: run toolchain/setup.sh" >&2; exit 1; }

# --- build (incremental; two jobs: the machines have two cores) -------------------------------
if [[ ! -f build/fuzz/build.ninja && ! -f build/fuzz/Makefile ]]; then
  GENERATOR=()
  command -v ninja >/dev/null && GENERATOR=(-G Ninja)
  cmake "${GENERATOR[@]}" -S fuzz -B build/fuzz -DCMAKE_CXX_COMPILER="$CXX" -DCMAKE_C_COMPILER="${CXX/++/}" >/dev/null
fi
cmake --build build/fuzz -j 2 | { grep -v -e '^\[[0-9/]*\] ' -e '^ninja: no work to do' || true; }
((BUILD_ONLY)) && exit 0

if ((${#TARGETS[@]} == 0)); then
  for src in fuzz/*.cpp; do TARGETS+=("$(basename "$src" .cpp)"); done
fi

# Longest input worth trying, per target (libFuzzer would otherwise guess from the seeds).
max_len() {
  case "$1" in
    probe_codec) echo 64 ;;
    ice_candidate) echo 2048 ;;
    config|library_peer) echo 4096 ;;
    *) echo 16384 ;;
  esac
}

export ASAN_OPTIONS="${ASAN_OPTIONS:+$ASAN_OPTIONS:}detect_leaks=1"
export UBSAN_OPTIONS="${UBSAN_OPTIONS:+$UBSAN_OPTIONS:}print_stacktrace=1:halt_on_error=1"
if command -v llvm-symbolizer-14 >/dev/null; then export ASAN_SYMBOLIZER_PATH="$(command -v llvm-symbolizer-14)"; fi

passed=0
failed=0
for target in "${TARGETS[@]}"; do
  bin="build/fuzz/$target"
  run="${WRE_FUZZ_RUN:-build/fuzz/run}/$target"
  if [[ ! -x "$bin" ]]; then
    echo "fuzz: $target: FAILED: no such target ($bin)"
    failed=$((failed + 1))
    continue
  fi
  rm -rf "$run"
  mkdir -p "$run/corpus" "$run/artifacts"
  seeds=0
  if [[ -d "fuzz/corpus/$target" ]]; then
    cp -r "fuzz/corpus/$target/." "$run/corpus/"
    seeds=$(find "$run/corpus" -type f | wc -l)
  fi
  dict=()
  [[ -f "fuzz/dict/$target.dict" ]] && dict=("-dict=fuzz/dict/$target.dict")
  rc=0
  "$bin" "$run/corpus" "${dict[@]}" -max_total_time="$SECONDS_EACH" -timeout=10 -rss_limit_mb=2048 \
    -max_len="$(max_len "$target")" -artifact_prefix="$run/artifacts/" -print_final_stats=1 \
    >"$run/log" 2>&1 || rc=$?
  execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$run/log" | tail -1)
  artifacts=$(find "$run/artifacts" -type f | sort)
  if ((rc == 0)) && [[ -z "$artifacts" ]]; then
    corpus=$(find "$run/corpus" -type f | wc -l)
    echo "fuzz: $target: ok, ${execs:-0} executions in ${SECONDS_EACH} s (corpus $seeds -> $corpus inputs)"
    passed=$((passed + 1))
  else
    echo "fuzz: $target: FAILED (exit $rc) after ${execs:-?} executions; log: $run/log"
    # What the sanitizer or the check said, and the first frames in the project's code.
    { grep -E -m 4 '^(==[0-9]+==ERROR|FUZZ_CHECK|  [^ #]|.*runtime error:|SUMMARY)' "$run/log" || true
      grep -E '^ +#[0-9]+ .* in (wre::|LLVMFuzzerTestOneInput)' "$run/log" | head -6 |
        sed -E 's/ \(\/[^)]*\)//; s/^ +//' || true; } | sed 's/^/    /'
    for a in $artifacts; do echo "    reproducer: $a   (run: $bin $a)"; done
    failed=$((failed + 1))
  fi
done

echo "fuzz: $passed passed, $failed failed"
((failed == 0))
