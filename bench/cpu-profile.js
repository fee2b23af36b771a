#!/usr/bin/env node
// Diagnostic: a CPU profile (V8 sampling profiler over CDP) of one throughput run in one page;
// prints self time by function (how the per-message costs in README were found) and how busy the
// whole machine was meanwhile (/proc/stat: cores in use).
//   node bench/cpu-profile.js [raw|ours|simple-peer] [message size] [total bytes]
//   node bench/cpu-profile.js transfer:<speed variant> [MiB]    # bench/transfer-bench.js speed(),
//                                                               # e.g. transfer:sendFile 64
//   PROFILE=0 node bench/cpu-profile.js ...                     # machine load only, no profiler
import os from 'node:os';
import { chromium } from '@playwright/test';
import { startServer } from '../toolchain/serve.js';
import { chromiumLaunch } from '../playwright.config.js';
import { coresBusy, machineCpu } from './proc-cpu.js';

const [variant = 'ours', a1, a2] = process.argv.slice(2);
const transfer = variant.startsWith('transfer:');
const profiling = process.env.PROFILE !== '0';
const server = await startServer({ port: 0 });
const browser = await chromium.launch(chromiumLaunch);
const page = await browser.newPage();
await page.goto(`${server.url}bench/${transfer ? 'transfer-bench' : 'bench'}.html`);
await page.waitForFunction(() => window.benchReady === true);

// One measured run of `total` bytes (after a warm-up run: the first connection, WASM tier-up).
const size = Number(a1 ?? 256);
const [warmup, total] = transfer ? [8 << 20, Number(a1 ?? 64) << 20] : [size * 2000, Number(a2 ?? 30000 * 256)];
const run = transfer
  ? (t) => page.evaluate(([v, t]) => window.bench.speed(v, { total: t }), [variant.slice('transfer:'.length), t])
  : (t) => page.evaluate(([v, s, t]) => window.bench.throughput(v, { size: s, total: t }), [variant, size, t]);
await run(warmup);

const cdp = await page.context().newCDPSession(page);
if (profiling) {
  await cdp.send('Profiler.enable');
  await cdp.send('Profiler.setSamplingInterval', { interval: 100 });
  await cdp.send('Profiler.start');
}
const c0 = machineCpu();
const res = await run(total);
const c1 = machineCpu();
console.log(JSON.stringify({ mbPerS: res.mbPerS, ms: res.ms }));
console.log(`machine: ${coresBusy(c0, c1).toFixed(2)} of ${os.cpus().length} cores busy`);
if (profiling) {
  const { profile } = await cdp.send('Profiler.stop');
  const self = new Map();
  const dt = new Map();
  for (let i = 0; i < profile.samples.length; i++) dt.set(profile.samples[i], (dt.get(profile.samples[i]) ?? 0) + (profile.timeDeltas[i] ?? 0));
  let sum = 0;
  for (const n of profile.nodes) {
    const t = (dt.get(n.id) ?? 0) / 1000;
    const f = n.callFrame;
    const key = `${f.functionName || '(anon)'} ${f.url.split('/').pop()}:${f.lineNumber}`;
    self.set(key, (self.get(key) ?? 0) + t);
    sum += t;
  }
  console.log(`total sampled ${sum.toFixed(0)} ms`);
  for (const [k, v] of [...self].sort((x, y) => y[1] - x[1]).slice(0, 40)) console.log(`${v.toFixed(1).padStart(8)} ms ${(100 * v / sum).toFixed(1).padStart(5)}%  ${k}`);
}
await browser.close();
await server.close();

