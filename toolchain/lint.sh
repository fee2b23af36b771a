#!/usr/bin/env bash
# `npm run lint` (and a step of npm test): ESLint over every JavaScript file (eslint.config.js), and
# clang-format's check of every C and C++ source against .clang-format. Prints what to change and
# fails on the first finding; `bash toolchain/lint.sh --fix` rewrites the files instead.
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
else
  npx --no-install eslint --max-warnings 0 .
  clang-format-14 --dry-run --Werror "${cxx[@]}"
fi
echo "lint: ${#cxx[@]} C/C++ files formatted as .clang-format says; JavaScript clean (ESLint)"
