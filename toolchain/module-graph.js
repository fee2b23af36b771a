// The relative static ES module imports (`import … from './x.js'`, `export … from`) of `entry`,
// followed through the files under `dir`: the set of files a user's import of it can load, sorted.
// Used by toolchain/size.js (what a browser fetches) and e2e/package.spec.js (what the tarball needs).
import fs from 'node:fs';
import path from 'node:path';

export function moduleGraph(dir, entry) {
  const seen = new Set();
  const queue = [entry];
  while (queue.length) {
    const rel = queue.shift();
    if (seen.has(rel)) continue;
    seen.add(rel);
    const source = fs.readFileSync(path.join(dir, rel), 'utf8');
    for (const m of source.matchAll(/(?:^|[;}\s])(?:import|export)\s*(?:[^'"`;]*?from\s*)?['"](\.{1,2}\/[^'"]+)['"]/g)) {
      queue.push(path.posix.normalize(path.posix.join(path.posix.dirname(rel), m[1])));
    }
  }
  return [...seen].sort();
}
