#!/usr/bin/env bash
# Builds the three products from src/ and assembles the npm package files in dist/:
#   build/native  core + Catch2 tests with g++ (ASan/UBSan)
#   build/wasm    core + Catch2 tests for Node, and the browser module (embind, ES6)
#   build/modules the ES module wrapper, the shims and the WASM glue as readable modules, + .wasm
#   dist/         those modules bundled into one minified index.js (+ map), the .wasm, the .d.ts
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
# shellcheck source=toolchain/env.sh
source toolchain/env.sh
JOBS="$(nproc)"

if [[ ! -f build/native/CMakeCache.txt ]]; then
  cmake -S . -B build/native -DCMAKE_BUILD_TYPE=Debug
fi
cmake --build build/native -j "$JOBS"

if [[ ! -f build/wasm/CMakeCache.txt ]]; then
  emcmake cmake -S . -B build/wasm -DCMAKE_BUILD_TYPE=Release
fi
cmake --build build/wasm -j "$JOBS"

# The package's modules side by side, readable: tests and benchmarks that reach into the internals
# (the core's exports, the shims) import them from here.
rm -rf build/modules
mkdir -p build/modules
cp js/*.js bindings/*.js build/wasm/core-wasm.js build/wasm/core-wasm.wasm build/modules/

# What ships: those modules as one minified module with its source map (toolchain/bundle.js).
rm -rf dist.tmp
mkdir -p dist.tmp
node toolchain/bundle.js build/modules dist.tmp
cp js/*.d.ts build/wasm/core-wasm.wasm dist.tmp/
rm -rf dist
mv dist.tmp dist
echo "built dist/: $(ls dist | tr '\n' ' ')"
