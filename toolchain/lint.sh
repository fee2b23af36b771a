#!/usr/bin/env bash
# `npm run lint` (the first step of npm test): ESLint over every JavaScript file (eslint.config.js),
# clang-format's check of every C and C++ source against .clang-format, and clang-tidy's checks
# (.clang-tidy) of the portable core. Changes no file and fails on any finding;
# `bash toolchain/lint.sh --fix` rewrites what ESLint and clang-format can fix instead.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"

fix=0
[[ "${1-}" == --fix ]] && fix=1

# Tracked sources only (nothing built or generated: the fixtures' header is capture-stats.js's output).
mapfile -t cxx < <(git ls-files 'src/*.cpp' 'src/*.hpp' 'src/*.c' 'src/*.h' 'bindings/*.cpp' 'bindings/*.hpp' \
  'tests/*.cpp' 'tests/*.hpp' 'fuzz/*.cpp' 'fuzz/*.hpp' ':!:tests/fixtures/*')

if ((fix)); then
  npx --no-install eslint --fix .
  clang-format-14 -i "${cxx[@]}"
  exit 0
fi
npx --no-install eslint --max-warnings 0 .
clang-format-14 --dry-run --Werror "${cxx[@]}"

# clang-tidy compiles each file as the native build does: it needs that build's compile_commands.json.
if [[ ! -f build/native/compile_commands.json ]]; then
  cmake -S . -B build/native -DCMAKE_BUILD_TYPE=Debug >/dev/null
fi
mapfile -t core < <(git ls-files 'src/*.cpp')
log="$(mktemp)"
trap 'rm -f "$log"' EXIT
if ! printf '%s\0' "${core[@]}" | xargs -0 -P "$(nproc)" -n 4 clang-tidy-14 -p build/native --quiet >"$log" 2>&1; then
  grep -v -E '^[0-9]+ warnings? (and [0-9]+ errors? )?generated|^Suppressed|^Use -header-filter' "$log" >&2
  exit 1
fi
echo "lint: JavaScript clean (ESLint); ${#cxx[@]} C/C++ files formatted as .clang-format says; ${#core[@]} core files pass .clang-tidy"
