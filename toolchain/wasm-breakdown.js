#!/usr/bin/env node
// Where the WASM core's bytes go (issue #17): per section, and the code by origin (our core, the
// bindings, fmt, libc++, embind, Boost.Outcome, libc and malloc), with the largest functions.
// Reads a build linked with --profiling-funcs (names kept, otherwise the same as the shipped one):
//
//   bash toolchain/build.sh && cmake --build build/wasm --target wre_module_profile
//   node toolchain/wasm-breakdown.js [build/wasm/core-wasm-profile.wasm] [--top=N]
//
// Gzip figures per origin are each origin's function bodies gzipped together on their own: they
// add up to more than the whole module gzipped (they share no dictionary), so read them as shares.
import fs from 'node:fs';
import path from 'node:path';
import zlib from 'node:zlib';
import { fileURLToPath } from 'node:url';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const args = process.argv.slice(2);
const file = args.find((a) => !a.startsWith('--')) ?? path.join(ROOT, 'build/wasm/core-wasm-profile.wasm');
const top = Number(args.find((a) => a.startsWith('--top='))?.split('=')[1] ?? 25);

const SECTION_NAMES = ['custom', 'type', 'import', 'function', 'table', 'memory', 'global', 'export', 'start', 'element', 'code', 'data', 'data count'];
// By what a function is, not what it takes: fmt's functions anywhere in the name (their return
// types come first), the rest by the qualified name before the parameters. First match wins.
const ORIGINS = [
  ['fmt', (n) => /\bfmt::v\d+::/.test(n)],
  ['embind', (n, head) => /emscripten::|_embind_|embind|EmscriptenBindingInitializer/.test(head)],
  ['bindings (ours)', (n, head) => /^(\S+ )?wre::bind::|^wre_|^\{anon\}::/.test(head)],
  ['Boost.Outcome', (n, head) => /\bboost::/.test(head)],
  ['core (ours)', (n, head) => /^(\S+ )?wre::|^processblock$/.test(head)],
  ['libc++ templates (of our types)', (n, head) => /\bstd::/.test(head) && /\bwre::/.test(n)],
  ['libc++ / libc++abi', (n, head) => /\bstd::|__cxa|__cxxabiv1|__gxx|operator new|operator delete|__dynamic_cast/.test(head)],
  ['malloc (emmalloc)', (n, head) => /malloc|free|emmalloc|sbrk|memalign|mallinfo|claim_more_memory|attempt_allocate|region|_bucket/i.test(head)],
  ['libc', (n, head) => /^(mem|str|__|_?v?s?n?printf|fmt_|pop_arg|pad|out|wctomb|frexp|abort|strtod|atoi|isdigit|scalbn|emscripten_)/.test(head)],
];

function leb(buf, at) {
  let value = 0;
  let shift = 0;
  let byte;
  do {
    byte = buf[at++];
    value += (byte & 0x7f) * 2 ** shift;
    shift += 7;
  } while (byte & 0x80);
  return [value, at];
}

function readName(buf, at) {
  const [len, p] = leb(buf, at);
  return [buf.subarray(p, p + len).toString('utf8'), p + len];
}

function parse(buf) {
  if (buf.readUInt32LE(0) !== 0x6d736100) throw new Error(`${file}: not a WASM module`);
  const sections = [];
  let importedFunctions = 0;
  const bodies = [];
  const names = new Map();
  let at = 8;
  while (at < buf.length) {
    const id = buf[at];
    const [size, start] = leb(buf, at + 1);
    const end = start + size;
    let label = SECTION_NAMES[id] ?? `#${id}`;
    if (id === 0) {
      const [name, p] = readName(buf, start);
      label = `custom "${name}"`;
      if (name === 'name') readFunctionNames(buf, p, end, names);
    } else if (id === 2) {
      let [count, p] = leb(buf, start);
      for (let i = 0; i < count; i++) {
        [, p] = readName(buf, p);
        [, p] = readName(buf, p);
        const kind = buf[p++];
        if (kind === 0) {
          importedFunctions++;
          [, p] = leb(buf, p);
        } else if (kind === 1) {
          p += 1;
          const [flags, q] = leb(buf, p);
          [, p] = leb(buf, q);
          if (flags & 1) [, p] = leb(buf, p);
        } else if (kind === 2) {
          const [flags, q] = leb(buf, p);
          [, p] = leb(buf, q);
          if (flags & 1) [, p] = leb(buf, p);
        } else {
          p += 2;  // global: value type, mutability
        }
      }
    } else if (id === 10) {
      let [count, p] = leb(buf, start);
      for (let i = 0; i < count; i++) {
        const [len, q] = leb(buf, p);
        bodies.push({ index: importedFunctions + i, bytes: buf.subarray(q, q + len), size: q + len - p });
        p = q + len;
      }
    }
    sections.push({ label, size: end - at });
    at = end;
  }
  for (const b of bodies) b.name = names.get(b.index) ?? `(function ${b.index})`;
  return { sections, bodies };
}

function readFunctionNames(buf, at, end, names) {
  while (at < end) {
    const kind = buf[at];
    const [size, p] = leb(buf, at + 1);
    if (kind === 1) {
      let [count, q] = leb(buf, p);
      for (let i = 0; i < count; i++) {
        let index;
        let name;
        [index, q] = leb(buf, q);
        [name, q] = readName(buf, q);
        names.set(index, name);
      }
    }
    at = p + size;
  }
}

const originOf = (name) => {
  const head = name.replace(/^decltype\(auto\) /, '').replace(/\(anonymous namespace\)/g, '{anon}').replace(/^byn\$mgfn-shared\$/, '').split('(')[0];
  return ORIGINS.find(([, test]) => test(name, head))?.[0] ?? 'other';
};
const kib = (n) => (n / 1024).toFixed(1);
const gz = (buffers) => zlib.gzipSync(Buffer.concat(buffers), { level: 9 }).length;

const buf = fs.readFileSync(file);
const { sections, bodies } = parse(buf);
const shipped = path.join(ROOT, 'dist/core-wasm.wasm');
console.log(`${path.relative(ROOT, file)}: ${kib(buf.length)} KiB` +
  (fs.existsSync(shipped) ? ` (the shipped dist/core-wasm.wasm: ${kib(fs.statSync(shipped).size)} KiB raw, ${kib(gz([fs.readFileSync(shipped)]))} KiB gzip -9)` : ''));

console.log('\n| section | KiB |\n| --- | ---: |');
for (const s of sections) console.log(`| ${s.label} | ${kib(s.size)} |`);

const byOrigin = new Map();
for (const b of bodies) {
  const o = originOf(b.name);
  const row = byOrigin.get(o) ?? { functions: 0, size: 0, parts: [] };
  row.functions++;
  row.size += b.size;
  row.parts.push(b.bytes);
  byOrigin.set(o, row);
}
const codeTotal = bodies.reduce((n, b) => n + b.size, 0);
console.log(`\n| code by origin | functions | KiB | share | gzip -9 alone, KiB |\n| --- | ---: | ---: | ---: | ---: |`);
for (const [o, r] of [...byOrigin].sort((x, y) => y[1].size - x[1].size)) {
  console.log(`| ${o} | ${r.functions} | ${kib(r.size)} | ${((100 * r.size) / codeTotal).toFixed(1)} % | ${kib(gz(r.parts))} |`);
}

console.log(`\n| largest functions | origin | bytes |\n| --- | --- | ---: |`);
for (const b of [...bodies].sort((x, y) => y.size - x.size).slice(0, top)) {
  const name = b.name.length > 110 ? `${b.name.slice(0, 107)}...` : b.name;
  console.log(`| \`${name.replace(/\|/g, '\\|')}\` | ${originOf(b.name)} | ${b.size} |`);
}
