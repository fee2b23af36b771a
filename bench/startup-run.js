#!/usr/bin/env node
// Cold start-up (issue #17), not pass/fail: from navigation start until the library's exports are
// usable, in a fresh browser context each time (empty HTTP cache), unbundled, from the repository's
// static server on loopback. webrtc-enhanced (`import('/dist/index.js')`: the module graph, the
// .wasm, its compilation, the top-level await) against simple-peer's published min.js, alternating,
// `--reps` rounds each (7); medians and the split of ours: the module graph fetched, the .wasm
// fetched, instantiateStreaming resolved (compiled and instantiated), ready.
//
//   node bench/startup-run.js [--reps=7] [--browser=chromium|firefox]
import { chromium, firefox } from '@playwright/test';
import { startServer } from '../toolchain/serve.js';
import { chromiumLaunch, firefoxUse } from '../playwright.config.js';
import { fmt, load, median, parseArgs, quantile } from './figures.js';

const args = parseArgs();
const reps = Number(args.reps ?? 7);
const which = args.browser ?? 'chromium';
const LIBS = ['ours', 'simple-peer'];

const server = await startServer({ port: 0 });
const browser = which === 'firefox'
  ? await firefox.launch({ ...firefoxUse.launchOptions, channel: firefoxUse.channel })
  : await chromium.launch(chromiumLaunch);

async function once(lib) {
  const context = await browser.newContext();
  try {
    const page = await context.newPage();
    await page.goto(`${server.url}bench/startup.html?lib=${lib}`);
    await page.waitForFunction(() => window.startup.readyMs !== undefined || window.startup.error, null, { timeout: 30000 });
    return await page.evaluate(() => {
      const s = window.startup;
      if (s.error) throw new Error(`${s.lib}: ${s.error}`);
      const resources = performance.getEntriesByType('resource').map((e) => ({ name: new URL(e.name).pathname, end: e.responseEnd }));
      const lastEnd = (test) => Math.max(0, ...resources.filter((r) => test(r.name)).map((r) => r.end));
      return {
        ok: s.ok,
        readyMs: s.readyMs,
        scriptsMs: lastEnd((n) => n.endsWith('.js')),
        wasmMs: lastEnd((n) => n.endsWith('.wasm')),
        instantiatedMs: s.marks['instantiateStreaming resolved'] ?? s.marks['instantiate resolved'] ?? null,
        files: resources.length,
      };
    });
  } finally {
    await context.close();
  }
}

console.log(`start-up in ${which}, ${reps} fresh contexts per library, alternating (load ${load()})`);
await once('ours');  // the browser's own first-launch costs, not counted
const runs = Object.fromEntries(LIBS.map((l) => [l, []]));
for (let i = 0; i < reps; i++) {
  for (const lib of i % 2 ? [...LIBS].reverse() : LIBS) {
    const r = await once(lib);
    if (!r.ok) throw new Error(`${lib}: the exports were not usable`);
    runs[lib].push(r);
    console.log(`  ${lib.padEnd(11)} ready ${fmt(r.readyMs)} ms` +
      (lib === 'ours' ? ` (scripts ${fmt(r.scriptsMs)}, .wasm ${fmt(r.wasmMs)}, instantiated ${fmt(r.instantiatedMs)}; ${r.files} files)` : ''));
  }
}
const m = (lib, k) => median(runs[lib].map((r) => r[k]));
const q = (lib, k, p) => quantile(runs[lib].map((r) => r[k]), p);
console.log(`\n| ${which}, cold, median of ${reps} (quartiles) | ready after navigation |\n| --- | ---: |`);
for (const lib of LIBS) console.log(`| ${lib === 'ours' ? 'webrtc-enhanced (`dist/index.js`)' : 'simple-peer (`simplepeer.min.js`)'} | ${fmt(m(lib, 'readyMs'))} ms (${fmt(q(lib, 'readyMs', 0.25))}–${fmt(q(lib, 'readyMs', 0.75))}) |`);
console.log(`\nours, medians: the module graph fetched at ${fmt(m('ours', 'scriptsMs'))} ms, the .wasm at ${fmt(m('ours', 'wasmMs'))} ms, ` +
  `compiled and instantiated at ${fmt(m('ours', 'instantiatedMs'))} ms, ready at ${fmt(m('ours', 'readyMs'))} ms (load ${load()})`);
await browser.close();
await server.close();
