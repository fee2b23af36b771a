#!/usr/bin/env node
// How sparse can the probes be and keep the E-model figures? Two relay-only peers through a real
// coturn on 127.0.0.1, A's TURN traffic through the UDP impairment proxy (e2e/support); the
// coturn → A direction gets 100 ms + U[0, 20) ms delay and 5 % loss (as e2e/metrics.spec.js).
// Each variant runs the same schedule: 8 s clean, 32 s impaired, figures read over the last 20 s.
//   adaptive   the default: sparse (512 ms) on a clean link, dense (50 ms) once trouble shows
//   dense      heartbeatTimeout 300: probes every 64 ms all the time (≈ today's 50 ms before
//              the probe plan)
//   node bench/probe-accuracy.js [--reps=2]
import { chromium } from '@playwright/test';
import { startServer } from '../toolchain/serve.js';
import { chromiumLaunch } from '../playwright.config.js';
import { startTurn } from '../e2e/support/turn.js';
import { startImpairment } from '../e2e/support/udp-impairment.js';
import { median } from './figures.js';

const reps = Number(process.argv.find((a) => a.startsWith('--reps='))?.split('=')[1] ?? 2);
const IMPAIRMENT = { delayMs: 100, jitterMs: 20, loss: 0.05 };
const VARIANTS = { adaptive: {}, dense: { heartbeatTimeout: 300 } };

async function run(browser, url, extra) {
  const turn = await startTurn();
  const proxy = await startImpairment({ targetPort: turn.port, seed: 146 });
  const page = await browser.newPage();
  try {
    await page.goto(`${url}e2e/pages/harness.html`);
    await page.waitForFunction(() => window.harnessReady === true);
    const base = { iceTransportPolicy: 'relay', metricsInterval: 1000, ...extra };
    const configA = { ...base, iceServers: [{ ...turn.iceServer, urls: `turn:127.0.0.1:${proxy.port}?transport=udp` }] };
    const configB = { ...base, iceServers: [turn.iceServer] };
    await page.evaluate(async ({ configA, configB }) => {
      const { a, b } = await window.harness.connectPair(configA, configB);
      window.peers = { a, b };
      window.samples = [];
      a.on('metrics', ({ metrics: m }) => window.samples.push({ t: performance.now(), rtt: m.roundTripTime * 1000, jitter: m.jitter * 1000, loss: m.lossRate, mos: m.mos }));
    }, { configA, configB });
    // Probes A has sent so far: its own stats' `wre-probe` channel.
    await page.waitForTimeout(8000);
    await proxy.set({ toClient: IMPAIRMENT });
    const tImp = await page.evaluate(() => performance.now());
    await page.waitForTimeout(32000);
    const s = await page.evaluate((from) => window.samples.filter((x) => x.t >= from), tImp + 12000);
    await page.evaluate(() => { window.peers.a.close(); window.peers.b.close(); });
    return {
      rtt: median(s.map((x) => x.rtt)), jitter: median(s.map((x) => x.jitter)),
      loss: s.at(-1)?.loss ?? NaN, mos: median(s.map((x) => x.mos)), samples: s.length,
    };
  } finally {
    await page.close();
    await proxy.close();
    await turn.stop();
  }
}

const server = await startServer({ port: 0 });
const browser = await chromium.launch(chromiumLaunch);
const results = Object.fromEntries(Object.keys(VARIANTS).map((v) => [v, []]));
try {
  for (let r = 0; r < reps; r++) {
    for (const [name, extra] of Object.entries(VARIANTS)) {
      const res = await run(browser, server.url, extra);
      results[name].push(res);
      console.log(`${name} #${r + 1}: RTT ${res.rtt.toFixed(1)} ms, jitter ${res.jitter.toFixed(1)} ms, loss ${(100 * res.loss).toFixed(2)} %, MOS ${res.mos.toFixed(2)}`);
    }
  }
} finally {
  await browser.close();
  server.close?.();
}
const f = (v, k, d = 1, scale = 1) => median(results[v].map((x) => x[k] * scale)).toFixed(d);
console.log('\n| probes through the impairment proxy (coturn → A: 100 ms + U[0,20) ms, 5 % loss) | injected / expected | adaptive (default) | dense (every 64 ms) |');
console.log('| --- | --- | --- | --- |');
console.log(`| RTT, A (median of the last 20 s) | ≈ 113 ms (baseline + 110) | ${f('adaptive', 'rtt')} ms | ${f('dense', 'rtt')} ms |`);
console.log(`| jitter, A | 6.7 ms (a/3) | ${f('adaptive', 'jitter')} ms | ${f('dense', 'jitter')} ms |`);
console.log(`| loss, A (10 s window) | 5 % | ${f('adaptive', 'loss', 2, 100)} % | ${f('dense', 'loss', 2, 100)} % |`);
console.log(`| MOS, A | | ${f('adaptive', 'mos', 2)} | ${f('dense', 'mos', 2)} |`);
process.exit(0);
