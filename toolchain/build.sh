#!/usr/bin/env bash
# Builds the three products from src/ and assembles the npm package files in dist/:
#   build/native  core + Catch2 tests with g++ (ASan/UBSan)
#   build/wasm    core + Catch2 tests for Node, and the browser module (embind, ES6)
#   dist/         the ES module wrapper, the shims, the WASM glue + .wasm, the .d.ts
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

rm -rf dist.tmp
mkdir -p dist.tmp
cp js/*.js js/*.d.ts bindings/*.js dist.tmp/
# The wrapper ships minified, each file its own module, with source maps (toolchain/minify-wrapper.js).
(cd dist.tmp && node ../toolchain/minify-wrapper.js . $(ls *.js))
cp build/wasm/core-wasm.wasm dist.tmp/
# The Emscripten glue leaves its top-level names long; as an ES module only its default export is
# visible, so terser may mangle them all (-4 KB gzipped, the same as closure compiler would give).
terser build/wasm/core-wasm.js --module --ecma 2020 --compress passes=2 --mangle \
  --output dist.tmp/core-wasm.js
rm -rf dist
mv dist.tmp dist
echo "built dist/: $(ls dist | tr '\n' ' ')"
