#!/usr/bin/env node
// Main-thread cost of one getStats() sweep's hand-over to the core, in Chromium (and Firefox with
// --browsers chromium,firefox). Two library peers in the harness page, all six channels used;
// peer A's real getStats() report is kept and replayed synchronously, 1000 times per figure:
//   copy     the shim's copy of the report into its columns (bindings/stats_flatten.js), alone
//   handover the copy + core._onStats: the columns into WASM, rebuilt as StatsEntry values
//            (an unknown request id: the peer stops there, before summarizeStats)
//   sweep    a whole real sweep (the core's own request): copy, hand-over, summarizeStats, the
//            collector and the `metrics` event reaching a listener; 200 of them, so coarse
//            timers average out (each is timed alone: the core asks for one per metricsInterval)
//   old      the shim's former flattenStats on the same report (JS only, for comparison)
//   npm run build && node bench/stats-sweep.js
import { chromium, firefox } from '@playwright/test';
import { startServer } from '../toolchain/serve.js';
import { chromiumLaunch, firefoxUse } from '../playwright.config.js';

const browsers = (process.argv[process.argv.indexOf('--browsers') + 1] ?? 'chromium').split(',');

async function measure() {
  const { connectPair, receive } = window.harness;
  const { shims } = await import('/build/modules/shims.js');
  const { a, b } = await connectPair({ metricsInterval: 100 }, { metricsInterval: 100 });
  const types = ['control', 'reliable', 'unreliable', 'file'];
  for (const t of types) {
    const got = receive(b, t, 3);
    for (let i = 0; i < 3; i++) a.send(new Uint8Array(1000), t);
    await got;
  }
  // Catch A's next sweep request: its connection record, field list and report.
  const caught = await new Promise((resolve) => {
    const original = shims.getStats;
    shims.getStats = (conn, id, fields) => {
      shims.getStats = original;
      conn.pc.getStats().then((report) => resolve({ conn, id, fields, report, original }));
      original(conn, id, fields);  // the core asks for its next sweep only once this one is answered
    };
  });
  const { conn, fields, report, original } = caught;
  const realGetStats = conn.pc.getStats;
  conn.pc.getStats = () => ({ then: (ok) => ok(report) });  // synchronous replay
  const N = 1000;
  const time = (n, fn) => {
    const t0 = performance.now();
    for (let i = 0; i < n; i++) fn(i);
    return ((performance.now() - t0) * 1000) / n;  // µs per run
  };
  const core = conn.host.core;
  conn.host.core = { _onStats() {} };
  const copy = time(N, () => original(conn, -1, fields));
  conn.host.core = core;
  const handover = time(N, () => original(conn, 1e9, fields));

  // Whole sweeps: the core's own requests, each run synchronously and timed on its own.
  let sweepUs = 0;
  let sweeps = 0;
  let metricsEvents = 0;
  a.on('metrics', () => metricsEvents++);
  await new Promise((resolve) => {
    shims.getStats = (c, id, f) => {
      if (c !== conn) return original(c, id, f);
      const t0 = performance.now();
      original(c, id, f);
      sweepUs += (performance.now() - t0) * 1000;
      if (++sweeps === 200) resolve();
    };
  });
  shims.getStats = original;
  conn.pc.getStats = realGetStats;

  const old = time(N, () => flattenStats(report));
  const m = a.getMetrics();
  a.close();
  b.close();
  return {
    entries: report.size, types: [...report.values()].map((s) => s.type).join(','),
    copy, handover, sweep: sweepUs / sweeps, old, metricsEvents, bytesSent: m.bytesSent,
  };

  // The shim's policy before this change (bindings/shims.js, a4fb05e), kept here to compare.
  function flattenStats(rep) {
    const r = { timestampMs: performance.now(), hasSelectedPair: false, bytesSent: 0, bytesReceived: 0,
      packetsSent: 0, packetsReceived: 0, currentRoundTripTime: -1, requestsSent: 0, responsesReceived: 0,
      availableOutgoingBitrate: -1, localCandidateType: '', remoteCandidateType: '', messagesSent: 0,
      messagesReceived: 0 };
    const counters = ['bytesSent', 'bytesReceived', 'packetsSent', 'packetsReceived'];
    let pair;
    rep.forEach((s) => {
      if (s.type === 'transport') {
        for (const k of counters) r[k] += s[k] ?? 0;
        if (s.selectedCandidatePairId) pair = rep.get(s.selectedCandidatePairId);
      } else if (s.type === 'candidate-pair') {
        r.requestsSent += s.requestsSent ?? 0;
        r.responsesReceived += s.responsesReceived ?? 0;
      } else if (s.type === 'data-channel') {
        r.messagesSent += s.messagesSent ?? 0;
        r.messagesReceived += s.messagesReceived ?? 0;
      }
    });
    if (!pair) return r;
    r.hasSelectedPair = true;
    r.currentRoundTripTime = pair.currentRoundTripTime ?? -1;
    r.availableOutgoingBitrate = pair.availableOutgoingBitrate ?? -1;
    r.localCandidateType = rep.get(pair.localCandidateId)?.candidateType ?? '';
    r.remoteCandidateType = rep.get(pair.remoteCandidateId)?.candidateType ?? '';
    return r;
  }
}

const server = await startServer({ port: 0 });
try {
  for (const name of browsers) {
    const browser = name === 'chromium'
      ? await chromium.launch(chromiumLaunch)
      : await firefox.launch({ ...firefoxUse.launchOptions, channel: firefoxUse.channel });
    try {
      const page = await browser.newPage();
      page.on('console', (m) => process.env.WRE_DEBUG && console.log('page:', m.text()));
      page.on('crash', () => console.error('page crashed'));
      page.on('pageerror', (e) => console.error('pageerror', e));
      await page.goto(new URL('/e2e/pages/harness.html?modules', server.url).href);
      await page.waitForFunction(() => window.harnessReady === true);
      const r = await page.evaluate(measure);
      const us = (x) => `${x.toFixed(1)} µs`;
      console.log(`${name}: ${r.entries} entries (${r.types})`);
      console.log(`  copy ${us(r.copy)}, copy + hand-over ${us(r.handover)}, whole sweep ${us(r.sweep)} ` +
        `(${r.metricsEvents} metrics events); former flattenStats (JS only) ${us(r.old)}; bytesSent ${r.bytesSent}`);
    } finally {
      await browser.close();
    }
  }
} finally {
  await server.close();
}
