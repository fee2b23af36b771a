// Metrics and quality under real impairment: two relay-only peers through a real coturn on
// 127.0.0.1, peer A's TURN traffic passing through the UDP impairment proxy
// (e2e/support/udp-impairment.js), B talking to coturn directly. One direction is impaired:
// coturn → A (`toClient`), 100 ms + U[0, 20) ms delay and 5 % loss. So:
//   - B → A probes are delayed, jittered and lost: A's jitter and loss (they measure far → near)
//     show the impairment; A → B probes are untouched: B's loss stays 0 (the direction check);
//   - both round trips cross the impaired leg once (A's echoes come back B → A, B's probes go
//     B → A): both RTTs rise by the mean added one-way delay, delayMs + jitterMs / 2;
//   - A's jitter: RFC 3550 J of i.i.d. U[0, a) delays tends to E|X1 - X2| = a / 3 (probes are
//     50 ms apart, more than the 20 ms of jitter, so they are not reordered).
//   - grades, from the guide's table: B (RTT ≈ 113 ms, no loss) 'good'. A (RTT ≈ 113 ms, 5 % loss)
//     sits on the good/fair line ('good' needs loss < 5 %), so a measured 4.x % is 'good' and
//     5.x % 'fair': A's expected grades are those of the loss band 5 % ± tolerance, good or fair.
//
//   phase 1  5 s     no impairment: both 'excellent', small RTT, no loss, sources 'probe', relay/relay
//   phase 2  ~33 s   impaired: figures against the injected values over three disjoint loss windows;
//                    quality leaves 'excellent' for the grade the guide's table gives
//   phase 3  ≤ 13 s  cleared: both back to 'excellent' once the impaired probes have left the window
//
// The machine may be busy (other browsers, builds): a stalled renderer delays probe handling and
// shows up as RTT and jitter spikes on both peers at once. B's own jitter is a probe of that
// noise, since nothing impairs what B receives: RTT and jitter are read at the quietest instants
// (B's jitter in its lowest quartile), and the jitter band is widened by B's jitter there. The
// proxy reports how late it released held packets (its thread descheduled): that lateness is
// part of the delay really added, so it is added to the expected RTT and widens the jitter band.
// On an idle machine all of this is ~1 ms; the run prints what it used and is annotated when not.
import { test, expect } from '@playwright/test';
import { openHarness } from './support/harness-page.js';
import { startTurn } from './support/turn.js';
import { startImpairment } from './support/udp-impairment.js';

const METRICS_INTERVAL_MS = 500;
const PROBE_INTERVAL_MS = 50; // src/peer/peer.hpp kProbeIntervalMs
const LOSS_WINDOW_MS = 10_000; // src/metrics/metrics_collector.hpp kLossWindowMs
const IMPAIRMENT = { delayMs: 100, jitterMs: 20, loss: 0.05 };
// The proxy's PRNG seed. Its draws start with the impairment (no draws while nothing is set), and
// with this seed the first 1800 coturn → A packets (phase 2 carries ~1700) lose 4.9 % (5.0, 5.0
// and 4.8 % in each third): what the proxy drops is the injected 5 %, not 5 % ± its own noise.
const SEED = 146;
// Loss is read from this many disjoint windows and pooled: ≈ 200 probes each, so n ≈ 600 and the
// pooled rate has sd sqrt(p(1 - p) / n) = 0.89 pp at p = 5 %; ±3 pp is 3.4 sd. The margin over
// the usual 3 sd is for clustering: on a busy machine a late probe timer sends two probes in one
// SCTP packet, and one dropped packet then loses both (same mean, larger variance).
const LOSS_WINDOWS = 3;
const LOSS_TOLERANCE = 0.03;
const RTT_TOLERANCE_MS = 25; // added RTT vs delayMs + jitterMs / 2 (+ lateness; + environment, see above)
const JITTER_TOLERANCE_MS = 2.5; // A's jitter vs jitterMs / 3 (+ environment and lateness, see above)

// The guide's "Connection Quality" table: a grade needs rtt < bound AND loss < bound.
const GRADES = [
  ['excellent', 100, 0.01],
  ['good', 200, 0.05],
  ['fair', 400, 0.1],
];
const gradeFor = (rttMs, loss) => GRADES.find(([, r, l]) => rttMs < r && loss < l)?.[0] ?? 'poor';

const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};
const mode = (xs) => {
  const n = new Map();
  for (const x of xs) n.set(x, (n.get(x) ?? 0) + 1);
  return [...n].sort((a, b) => b[1] - a[1])[0]?.[0];
};
const f1 = (x) => x.toFixed(1);
const pct = (x) => `${(100 * x).toFixed(2)} %`;

let turn;
let proxy;
test.beforeEach(async () => {
  turn = await startTurn();
  proxy = await startImpairment({ targetPort: turn.port, seed: SEED });
});
test.afterEach(async () => {
  await proxy?.close();
  await turn?.stop();
});

// Pairs A's and B's samples by time (both peers tick on the same interval in one page).
function paired(samples, from, to) {
  return samples.a
    .filter((s) => s.t >= from && s.t <= to)
    .map((a) => ({ a, b: samples.b.reduce((best, b) => (Math.abs(b.t - a.t) < Math.abs(best.t - a.t) ? b : best)) }))
    .filter(({ a, b }) => Math.abs(a.t - b.t) < METRICS_INTERVAL_MS / 2);
}
// The instants where B's jitter (the environment's, see the header) is lowest: its lowest
// quartile, and at least `min` of them.
function quietest(pairs, min = 3) {
  const byNoise = [...pairs].sort((x, y) => x.b.jitterMs - y.b.jitterMs);
  return byNoise.slice(0, Math.max(min, Math.ceil(pairs.length / 4))).sort((x, y) => x.a.t - y.a.t);
}

test('RTT, jitter and loss follow an injected 100 ms + U[0,20) ms / 5 % impairment; quality drops and recovers', async ({ page }) => {
  test.setTimeout(120_000);
  const tStart = Date.now();
  await openHarness(page);
  const base = { iceTransportPolicy: 'relay', metricsInterval: METRICS_INTERVAL_MS };
  const configA = { ...base, iceServers: [{ ...turn.iceServer, urls: `turn:127.0.0.1:${proxy.port}?transport=udp` }] };
  const configB = { ...base, iceServers: [turn.iceServer] };
  await page.evaluate(async ({ configA, configB }) => {
    const { a, b } = await window.harness.connectPair(configA, configB);
    window.peers = { a, b };
    window.samples = { a: [], b: [] };
    window.changes = [];
    for (const [name, peer] of Object.entries(window.peers)) {
      peer.on('metrics', ({ metrics: m }) => window.samples[name].push({
        t: performance.now(), rttMs: m.roundTripTime * 1000, jitterMs: m.jitter * 1000, loss: m.lossRate,
        packetsLost: m.packetsLost, packetsReceived: m.packetsReceived, sources: m.sources,
        candidateTypes: m.candidateTypes, mos: m.mos, quality: peer.getQuality(),
      }));
      // Emitted right after the metrics event of the same evaluation: `sample` is that one.
      peer.on('quality-change', (e) => window.changes.push({
        t: performance.now(), peer: name, quality: e.quality, previous: e.previous, sample: window.samples[name].length - 1,
      }));
    }
  }, { configA, configB });
  const pageNow = () => page.evaluate(() => performance.now());
  const snapshot = () => page.evaluate(() => ({ samples: window.samples, changes: window.changes }));
  const qualities = () => page.evaluate(() => ({ a: window.peers.a.getQuality(), b: window.peers.b.getQuality() }));
  // A's TURN traffic really goes through the proxy.
  expect(proxy.counters().clients).toBeGreaterThanOrEqual(1);

  // ---- phase 1: no impairment -----------------------------------------------------------------
  // 5 s, then (on a busy machine a renderer stall can briefly push the RTT over 100 ms) at most
  // 5 s more until both peers are 'excellent' again, so the drop below starts from 'excellent'.
  const t0 = await pageNow();
  await page.waitForTimeout(5000);
  await page.waitForFunction(
    () => window.peers.a.getQuality() === 'excellent' && window.peers.b.getQuality() === 'excellent',
    null, { timeout: 5000, polling: 50 },
  ).catch(() => {});
  const tImpRequested = await pageNow();
  const p1 = await snapshot();
  const baseline = {};
  for (const name of ['a', 'b']) {
    const settled = p1.samples[name].filter((s) => s.t >= t0 + 2000);
    const show = JSON.stringify(settled.map((s) => [Math.round(s.rttMs), Math.round(s.jitterMs), s.loss, s.quality]));
    expect(settled.length, `${name}: a metrics event every ${METRICS_INTERVAL_MS} ms`).toBeGreaterThanOrEqual(5);
    const last = settled.at(-1);
    expect(last.sources).toMatchObject({ roundTripTime: 'probe', jitter: 'probe', packetsLost: 'probe' });
    expect(last.candidateTypes).toEqual({ local: 'relay', remote: 'relay' });
    expect(last.quality, `${name} phase 1: ${show}`).toBe('excellent');
    expect(mode(settled.map((s) => s.quality)), `${name} phase 1: ${show}`).toBe('excellent');
    for (const s of settled) expect(s.loss, `${name} phase 1: ${show}`).toBeLessThan(0.01);
  }
  const quiet1 = quietest(paired(p1.samples, t0 + 1000, tImpRequested));
  for (const name of ['a', 'b']) {
    baseline[name] = { rttMs: median(quiet1.map((p) => p[name].rttMs)), jitterMs: median(quiet1.map((p) => p[name].jitterMs)) };
  }

  // ---- phase 2: coturn → A impaired -------------------------------------------------------------
  const before = proxy.counters();
  await proxy.set({ toClient: IMPAIRMENT });
  const tImp = await pageNow();
  // A loss reading at T covers the probes since the stats sample 10–10.5 s before T (the window
  // keeps the last sample at least 10 s old). So the first reading at T ≥ tImp + 10.8 s holds only
  // impaired probes, and each next one ≥ 10.7 s later shares none with the one before (0.2 s
  // margin for late ticks).
  const lossReadings = [];
  let readFrom = tImp + LOSS_WINDOW_MS + 800;
  while (lossReadings.length < LOSS_WINDOWS) {
    const wait = readFrom - (await pageNow());
    if (wait > 0) await page.waitForTimeout(wait);
    const reading = await page.waitForFunction(
      (from) => window.samples.a.find((s) => s.t >= from) ?? false, readFrom, { timeout: 5000, polling: 100 },
    ).then((h) => h.jsonValue());
    lossReadings.push(reading);
    readFrom = reading.t + LOSS_WINDOW_MS + 700;
  }
  const tEnd = await pageNow();
  const during = proxy.counters();

  // ---- phase 3: impairment lifted ---------------------------------------------------------------
  await proxy.clear();
  const tClr = await pageNow();
  const recoveryBudgetMs = LOSS_WINDOW_MS + 4 * METRICS_INTERVAL_MS + 1500;
  await page.waitForFunction(
    () => window.peers.a.getQuality() === 'excellent' && window.peers.b.getQuality() === 'excellent',
    null, { timeout: recoveryBudgetMs, polling: 100 },
  ).catch(() => {});
  const all = await snapshot();
  const finalQuality = await qualities();
  await page.evaluate(() => { window.peers.a.close(); window.peers.b.close(); });
  await test.info().attach('metrics-samples.json', {
    body: JSON.stringify({ t0, tImp, tEnd, tClr, lossReadings, ...all }), contentType: 'application/json',
  });

  // ---- phase 2 figures -----------------------------------------------------------------------------
  const settled = paired(all.samples, tImp + 3000, tEnd);
  const quiet2 = quietest(settled);
  // What the proxy really added: the setting plus how late its thread released held packets
  // (≈ 0.1–1 ms on an idle machine; more when the machine is busy). Lateness adds to the mean
  // delay, and at most 2 × its mean to the jitter (E|L1 - L2| ≤ 2 E[L]).
  const heldLateMs = during.toClient.held > before.toClient.held
    ? (during.toClient.lateMeanMs * during.toClient.held - before.toClient.lateMeanMs * before.toClient.held) /
      (during.toClient.held - before.toClient.held)
    : 0;
  const addedMs = IMPAIRMENT.delayMs + IMPAIRMENT.jitterMs / 2;
  const realizedAddedMs = addedMs + heldLateMs;
  const jitterExpectedMs = IMPAIRMENT.jitterMs / 3;
  const measured = {
    a: { rttMs: median(quiet2.map((p) => p.a.rttMs)), jitterMs: median(quiet2.map((p) => p.a.jitterMs)) },
    b: { rttMs: median(quiet2.map((p) => p.b.rttMs)), jitterMs: median(quiet2.map((p) => p.b.jitterMs)) },
  };
  const envJitterMs = measured.b.jitterMs;
  // Environment noise widens the RTT band too: a stall shows in the smoothed RTT about twice as
  // much as in J (gain 1/8 vs 1/16), in phase 1's baseline as in phase 2. ~1 ms when idle.
  const rttToleranceMs = RTT_TOLERANCE_MS + 2 * (baseline.b.jitterMs + envJitterMs);
  const busy = heldLateMs >= 1 || baseline.b.jitterMs + envJitterMs >= 3;
  if (busy) {
    test.info().annotations.push({ type: 'busy machine', description: `env. jitter ${f1(baseline.b.jitterMs)} / ${f1(envJitterMs)} ms, proxy lateness ${f1(heldLateMs)} ms: bands widened` });
  }
  const lossA = lossReadings.reduce((sum, r) => sum + r.loss, 0) / lossReadings.length;
  const probesPooled = LOSS_WINDOWS * (LOSS_WINDOW_MS / PROBE_INTERVAL_MS);
  const lossSd = Math.sqrt((IMPAIRMENT.loss * (1 - IMPAIRMENT.loss)) / probesPooled);
  const lossB = settled.map((p) => p.b.loss);
  const dropped = during.toClient.dropped - before.toClient.dropped;
  const proxyLoss = dropped / (dropped + during.toClient.forwarded - before.toClient.forwarded);
  // Expected grades from the injected values (on top of each peer's measured baseline RTT). A's
  // loss is measured with binomial noise, so its expected grades are those of the loss band.
  const expectB = gradeFor(baseline.b.rttMs + addedMs, 0);
  const expectA = gradeFor(baseline.a.rttMs + addedMs, IMPAIRMENT.loss);
  const expectABand = new Set([IMPAIRMENT.loss - LOSS_TOLERANCE, IMPAIRMENT.loss, IMPAIRMENT.loss + LOSS_TOLERANCE - 1e-9]
    .map((l) => gradeFor(baseline.a.rttMs + addedMs, l)));
  const changesIn = (name, from, to) => all.changes.filter((c) => c.peer === name && c.t >= from && c.t <= to);
  const firstDrop = { a: changesIn('a', tImp, tEnd)[0], b: changesIn('b', tImp, tEnd)[0] };
  const gradesIn = (name) => changesIn(name, tImp, tEnd).map((c) => c.quality);
  const recovered = {
    a: changesIn('a', tClr, Infinity).find((c) => c.quality === 'excellent'),
    b: changesIn('b', tClr, Infinity).find((c) => c.quality === 'excellent'),
  };
  const settledGrade = { a: mode(settled.map((p) => p.a.quality)), b: mode(settled.map((p) => p.b.quality)) };

  // ---- report ---------------------------------------------------------------------------------------
  const rows = [
    ['RTT added, A (s.RTT over baseline)', `+${addedMs} ms (100 + mean of U[0,20))${heldLateMs >= 1 ? `; + ${f1(heldLateMs)} ms proxy lateness` : ''}`, `+${f1(measured.a.rttMs - baseline.a.rttMs)} ms (${f1(baseline.a.rttMs)} → ${f1(measured.a.rttMs)})`, `±${f1(rttToleranceMs)} ms`],
    ['RTT added, B', `+${addedMs} ms`, `+${f1(measured.b.rttMs - baseline.b.rttMs)} ms (${f1(baseline.b.rttMs)} → ${f1(measured.b.rttMs)})`, `±${f1(rttToleranceMs)} ms`],
    ['jitter, A (B → A probes)', `${f1(jitterExpectedMs)} ms (a/3)`, `${f1(measured.a.jitterMs)} ms (baseline ${f1(baseline.a.jitterMs)})`, `−${JITTER_TOLERANCE_MS} / +${JITTER_TOLERANCE_MS} + ${f1(envJitterMs)} (env.) + ${f1(2 * heldLateMs)} (proxy) ms`],
    ['jitter, B (A → B, not impaired)', '0', `${f1(envJitterMs)} ms (baseline ${f1(baseline.b.jitterMs)})`, '(environment)'],
    [`loss, A (${LOSS_WINDOWS} windows, ≈${probesPooled} probes)`, pct(IMPAIRMENT.loss), `${pct(lossA)} (${lossReadings.map((r) => pct(r.loss)).join(', ')}; proxy dropped ${pct(proxyLoss)} of all coturn → A packets)`, `±${100 * LOSS_TOLERANCE} pp (${f1(LOSS_TOLERANCE / lossSd)} sd)`],
    ['loss, B', '0', `max ${pct(Math.max(...lossB))}`, '< 1 %'],
    ['quality A', `${expectA} (loss band: ${[...expectABand].join('/')})`, `${firstDrop.a?.previous} → ${gradesIn('a').join(' → ')} (first after ${f1((firstDrop.a?.t - tImp) / 1000)} s); mostly ${settledGrade.a}`, ''],
    ['quality B', expectB, `${firstDrop.b?.previous} → ${gradesIn('b').join(' → ')} (first after ${f1((firstDrop.b?.t - tImp) / 1000)} s); mostly ${settledGrade.b}`, ''],
    ['MOS A / B', '', `${median(quiet2.map((p) => p.a.mos)).toFixed(2)} / ${median(quiet2.map((p) => p.b.mos)).toFixed(2)}`, ''],
    ['recovery to excellent (A / B)', `≤ ${f1(recoveryBudgetMs / 1000)} s`, `${recovered.a ? f1((recovered.a.t - tClr) / 1000) : '—'} s / ${recovered.b ? f1((recovered.b.t - tClr) / 1000) : '—'} s`, ''],
  ];
  console.log(['| figure | injected / expected | measured | tolerance |', '| --- | --- | --- | --- |',
    ...rows.map((r) => `| ${r.join(' | ')} |`)].join('\n'));
  console.log(`read at ${quiet2.length} quiet instants of ${settled.length}; proxy released held packets ${heldLateMs.toFixed(2)} ms late on average ` +
    `(max ${f1(during.toClient.lateMaxMs)})${busy ? ' — busy machine, bands widened' : ''}; total ${f1((Date.now() - tStart) / 1000)} s`);

  // ---- assertions that hold however busy the machine is ----------------------------------------
  for (const r of lossReadings) {
    expect(r.sources.packetsLost).toBe('probe');
    // packetsLost is lossRate × packetsReceived (rounded), so the guide's
    // packetsLost / packetsReceived gives an app the same loss rate.
    expect(Math.abs(r.packetsLost / r.packetsReceived - r.loss)).toBeLessThanOrEqual(0.5 / r.packetsReceived + 1e-12);
  }
  expect(Math.abs(lossA - IMPAIRMENT.loss), `A: pooled loss ${pct(lossA)}`).toBeLessThanOrEqual(LOSS_TOLERANCE);
  expect(Math.max(...lossB), 'B: nothing impairs A → B').toBeLessThan(0.01);
  // Every quality-change adopts the grade the guide's table gives for that evaluation's figures
  // (hysteresis decides when, never what).
  for (const c of all.changes) {
    const s = all.samples[c.peer][c.sample];
    expect(c.quality, `${c.peer}: quality-change to ${c.quality} at rtt ${f1(s.rttMs)} ms, loss ${pct(s.loss)}`).toBe(gradeFor(s.rttMs, s.loss));
  }
  // Each peer left 'excellent' by a quality-change, and came back to it by one.
  expect(firstDrop.b?.previous, 'B: quality-change in phase 2').toBe('excellent');
  expect(firstDrop.a?.previous, 'A: quality-change in phase 2').toBe('excellent');
  expect(recovered.b, 'B: quality-change back to excellent').toBeTruthy();
  expect(recovered.a, 'A: quality-change back to excellent').toBeTruthy();
  expect(finalQuality).toEqual({ a: 'excellent', b: 'excellent' });

  // ---- timing figures: only meaningful while the machine is not overloaded ----------------------
  // Past these, stalls (the proxy's thread waiting for a core, renderer pauses) dominate what is
  // measured: the figures above are printed, the rest is reported as skipped, not failed.
  const tooBusy = heldLateMs > 3 || envJitterMs > 5;
  test.skip(tooBusy, `machine overloaded: proxy lateness ${f1(heldLateMs)} ms, environment jitter ${f1(envJitterMs)} ms; RTT/jitter/grade figures not checked`);
  expect(quiet2.length, 'enough samples to read from').toBeGreaterThanOrEqual(5);
  // Loopback through coturn: a few ms (plus what a noisy phase 1 added, as for the RTT band).
  for (const name of ['a', 'b']) expect(baseline[name].rttMs, `${name}: baseline RTT`).toBeLessThan(20 + 2 * baseline.b.jitterMs);
  for (const name of ['a', 'b']) {
    expect(Math.abs(measured[name].rttMs - baseline[name].rttMs - realizedAddedMs), `${name}: added RTT`).toBeLessThanOrEqual(rttToleranceMs);
  }
  expect(measured.a.jitterMs, 'A: jitter').toBeGreaterThanOrEqual(jitterExpectedMs - JITTER_TOLERANCE_MS);
  expect(measured.a.jitterMs, 'A: jitter').toBeLessThanOrEqual(jitterExpectedMs + JITTER_TOLERANCE_MS + envJitterMs + 2 * heldLateMs);
  // Phase 2: each peer reached the grade the injected values give by a quality-change, and mostly
  // stayed there (a stall may add a short excursion).
  expect(gradesIn('b'), 'B: quality-change to the expected grade').toContain(expectB);
  expect(settledGrade.b, 'B: grade during phase 2').toBe(expectB);
  expect(gradesIn('a').some((g) => expectABand.has(g)), `A: quality-change to ${[...expectABand]}`).toBe(true);
  expect([...expectABand], 'A: grade during phase 2').toContain(settledGrade.a);
  // A's impaired probes stay in its loss window for up to ~10 s: it cannot be excellent (< 1 %
  // loss) much sooner than the window has mostly turned over.
  expect(recovered.a.t - tClr, 'A: recovery waits for the loss window').toBeGreaterThan(LOSS_WINDOW_MS / 2);
});
