#!/usr/bin/env bash
# Runs every test suite, in order, stopping at the first failure:
#   0. lint (ESLint, clang-format, clang-tidy) bash toolchain/lint.sh
#      + the package's size budget              node toolchain/size.js --check
#   1. native unit tests (g++ + sanitizers)   ctest --test-dir build/native
#   2. the same tests compiled to WASM        ctest --test-dir build/wasm
#   3. the test-support self tests (coturn)   node --test e2e/support/
#      + the demo's signaling rooms             toolchain/signal-rooms.test.js (same node --test run)
#   4. browser e2e (Chromium, Firefox ESR)    npx playwright test   (CI=true: no .only, 1 retry)
#   5. type tests, when tsconfig.json exists  npx tsc -p tsconfig.json --noEmit
#   6. fuzz smoke: every libFuzzer target     bash toolchain/fuzz.sh --seconds 3
# Expects toolchain/setup.sh and toolchain/build.sh to have run (npm test does both first).
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
# shellcheck source=toolchain/env.sh
source toolchain/env.sh

step() { printf '\n=== %s ===\n' "$*"; }

step "lint"
bash toolchain/lint.sh

step "size budget"
node toolchain/size.js --check

# --no-tests=error: a build that registered no tests is a failure, not a pass.
step "native unit tests"
ctest --test-dir build/native --output-on-failure --no-tests=error
step "wasm unit tests"
ctest --test-dir build/wasm --output-on-failure --no-tests=error

step "test-support and signaling-room self tests"
node --test e2e/support/ toolchain/signal-rooms.test.js

step "browser e2e"
npx --no-install playwright test

if [[ -f tsconfig.json ]]; then
  step "type tests"
  npx --no-install tsc -p tsconfig.json --noEmit
fi

# Builds the targets (build/fuzz, clang-14; incremental) and runs each one for a few seconds on its
# seed corpus: a parser change that crashes on real traffic or its first mutations fails here.
# Longer runs: npm run fuzz -- --seconds N.
step "fuzz smoke"
bash toolchain/fuzz.sh --seconds 3
