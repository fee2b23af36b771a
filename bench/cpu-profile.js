#!/usr/bin/env node
// Diagnostic: a CPU profile (V8 sampling profiler over CDP) of one throughput run in one page;
// prints self time by function (how the per-message costs in README were found).
//   node bench/cpu-profile.js [raw|ours|simple-peer] [message size] [total bytes]
import { chromium } from '@playwright/test';
import { startServer } from '../toolchain/serve.js';
import playwrightConfig from '../playwright.config.js';

const [variant = 'ours', size = '256', total = String(30000 * 256)] = process.argv.slice(2);
const server = await startServer({ port: 0 });
const browser = await chromium.launch({ executablePath: playwrightConfig.use.launchOptions.executablePath, args: playwrightConfig.use.launchOptions.args });
const page = await browser.newPage();
await page.goto(`${server.url}bench/bench.html`);
await page.waitForFunction(() => window.benchReady === true);
const cdp = await page.context().newCDPSession(page);
await cdp.send('Profiler.enable');
await cdp.send('Profiler.setSamplingInterval', { interval: 100 });
await page.evaluate(([v, s, t]) => window.bench.throughput(v, { size: s, total: t }), [variant, Number(size), Number(size) * 2000]);
await cdp.send('Profiler.start');
const res = await page.evaluate(([v, s, t]) => window.bench.throughput(v, { size: s, total: t }), [variant, Number(size), Number(total)]);
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
console.log(JSON.stringify({ mbPerS: res.mbPerS, ms: res.ms }));
console.log(`total sampled ${sum.toFixed(0)} ms`);
for (const [k, v] of [...self].sort((a, b) => b[1] - a[1]).slice(0, 40)) console.log(`${v.toFixed(1).padStart(8)} ms ${(100 * v / sum).toFixed(1).padStart(5)}%  ${k}`);
await browser.close();
await server.close();
