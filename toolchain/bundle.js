#!/usr/bin/env node
// Bundles the package's ES modules (the wrapper, the shims and the Emscripten glue, staged side by
// side in one folder) into the one module that ships, `index.js`, minified, with a source map that
// holds the readable sources. Issue #17: fifteen small modules queued on the browser's six
// connections per origin and were gzipped one by one; one file loads in one request and
// compresses as a whole. Class names are kept: app code may print them.
//   node toolchain/bundle.js <modules dir> <out dir>
import fs from 'node:fs';
import path from 'node:path';
import { rolldown } from 'rolldown';
import { minify } from 'terser';

const [modules, outDir] = process.argv.slice(2);
const bundle = await rolldown({ input: path.join(modules, 'index.js') });
const { output } = await bundle.generate({ format: 'es', sourcemap: true });
if (output.length !== 2) throw new Error(`bundle.js: expected one module and its map, got ${output.map((o) => o.fileName)}`);
const [chunk] = output;
// The sources are flat in one folder: name them by file, as they sit beside each other in the repo.
chunk.map.sources = chunk.map.sources.map((s) => path.basename(s));
const out = await minify(
  { 'index.js': chunk.code },
  {
    module: true,
    ecma: 2022,
    compress: { passes: 2 },
    mangle: true,
    keep_classnames: true,
    sourceMap: { content: JSON.stringify(chunk.map), filename: 'index.js', url: 'index.js.map', includeSources: true },
  },
);
fs.writeFileSync(path.join(outDir, 'index.js'), out.code);
fs.writeFileSync(path.join(outDir, 'index.js.map'), out.map);
