#!/usr/bin/env node
// Diagnostic: which browser threads a throughput run costs, per MB moved, for variants run
// interleaved in one page (whether the library's extra CPU is on the page's main thread or in
// the browser's WebRTC, IPC and socket threads).
//   node bench/thread-cpu.js [rounds] [message size] [variant...]   (default: raw ours)
//   node bench/thread-cpu.js [rounds] [MiB] transfer:loop transfer:sendFile   (bench/transfer-bench.js)
import { chromium } from '@playwright/test';
import { startServer } from '../toolchain/serve.js';
import { chromiumLaunch } from '../playwright.config.js';
import { processesOf, threadTimes } from './proc-cpu.js';

const [rounds = '6', size = '256', ...named] = process.argv.slice(2);
const variants = named.length ? named : ['raw', 'ours'];
const transfer = variants[0].startsWith('transfer:');
const total = transfer ? Number(size) << 20 : Number(size) * 30000;

const server = await startServer({ port: 0 });
const browser = await chromium.launch(chromiumLaunch);
const page = await browser.newPage();
await page.goto(`${server.url}bench/${transfer ? 'transfer-bench' : 'bench'}.html`);
await page.waitForFunction(() => window.benchReady === true);
const processes = processesOf(process.pid);

// ns per `process type:thread name`
function snapshot() {
  const out = {};
  for (const { pid, type } of processes) {
    for (const t of threadTimes(pid)) {
      const key = `${type}:${t.tid === pid ? 'main' : t.name}`;
      out[key] = (out[key] ?? 0) + t.ns;
    }
  }
  return out;
}

const perMB = Object.fromEntries(variants.map((v) => [v, {}]));
const ms = Object.fromEntries(variants.map((v) => [v, []]));
const run = transfer
  ? (v, t) => page.evaluate(([v, t]) => window.bench.speed(v.slice('transfer:'.length), { total: t }), [v, t])
  : (v, t) => page.evaluate(([v, s, t]) => window.bench.throughput(v, { size: s, total: t }), [v, Number(size), t]);
await run(variants[0], transfer ? 8 << 20 : Number(size) * 4000);  // warm-up
for (let r = 0; r < Number(rounds); r++) {
  for (const v of variants) {
    const before = snapshot();
    const t0 = performance.now();
    await run(v, total);
    const wall = performance.now() - t0;
    const after = snapshot();
    ms[v].push(Math.round(wall));
    const mb = total / 1e6;
    for (const [k, ns] of Object.entries(after)) perMB[v][k] = (perMB[v][k] ?? 0) + (ns - (before[k] ?? 0)) / 1e6 / mb / Number(rounds);
  }
}
await browser.close();
await server.close();

const median = (xs) => [...xs].sort((a, b) => a - b)[xs.length >> 1];
for (const v of variants) console.log(`${v}: ${ms[v].join(' ')} ms (median ${median(ms[v])})`);
const keys = [...new Set(variants.flatMap((v) => Object.keys(perMB[v])))]
  .filter((k) => variants.some((v) => (perMB[v][k] ?? 0) >= 1))
  .sort((a, b) => (perMB[variants[0]][b] ?? 0) - (perMB[variants[0]][a] ?? 0));
console.log(`\n${'thread (ms of CPU per MB, mean of rounds)'.padEnd(44)}${variants.map((v) => v.padStart(16)).join('')}`);
for (const k of keys) console.log(`${k.padEnd(44)}${variants.map((v) => (perMB[v][k] ?? 0).toFixed(1).padStart(16)).join('')}`);
const sum = (v) => keys.reduce((s, k) => s + (perMB[v][k] ?? 0), 0);
console.log(`${'all of the above'.padEnd(44)}${variants.map((v) => sum(v).toFixed(1).padStart(16)).join('')}`);
