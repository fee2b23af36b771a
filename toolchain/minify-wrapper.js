#!/usr/bin/env node
// Minifies the ES module wrapper in a dist directory in place, file by file (each stays its own
// module, so the exports and imports a bundler or a test sees are unchanged), with a source map
// next to each (`X.js.map`, the readable source inside it). Issue #17: the wrapper as shipped was
// 21 KiB of gzipped comments and long names. Class names are kept: app code may print them.
//   node toolchain/minify-wrapper.js <dist dir> <file.js...>
import fs from 'node:fs';
import path from 'node:path';
import { minify } from 'terser';

const [dir, ...files] = process.argv.slice(2);
for (const file of files) {
  const at = path.join(dir, file);
  const source = fs.readFileSync(at, 'utf8');
  const out = await minify(
    { [file]: source },
    {
      module: true,
      ecma: 2022,
      compress: { passes: 2 },
      mangle: true,
      keep_classnames: true,
      sourceMap: { filename: file, url: `${file}.map`, includeSources: true },
    },
  );
  fs.writeFileSync(at, out.code);
  fs.writeFileSync(`${at}.map`, out.map);
}
