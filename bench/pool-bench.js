#!/usr/bin/env node
// The connection pool's figures: not pass/fail. Opens bench/pool-bench.html twice in Debian's
// Chromium (role A: the measured side, role B: the far peers; they signal over a
// BroadcastChannel), and measures, with the variants interleaved and medians taken:
//   connect    time from nothing to N connected, N = 10, 50, 100, 200: pool vs raw RTCPeerConnections
//   broadcast  messages to all of 100 connected peers: pool.broadcast vs a loop of dc.send
//   memory     WASM heap and JS heap per connected peer (pool vs raw)
//   timers     setTimeout calls per second with 100 connected peers: pool vs stand-alone peers
//   scale      the largest pool (300, 400, 500 ...) that still connects fully
// Writes bench/pool-results.json and bench/pool-results.md (the README's table).
//
//   node bench/pool-bench.js                         # everything (a few minutes)
//   node bench/pool-bench.js --n=10,50 --reps=1 --only=connect,memory   # merged into the last results
//   node bench/pool-bench.js --write=false                                # print only
//   import { runPoolBench } from './pool-bench.js'   # from bench/run.js: returns the results
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from '@playwright/test';
import { startServer } from '../toolchain/serve.js';
import { chromiumLaunch } from '../playwright.config.js';
import { fmt, load, machine, median, parseArgs } from './figures.js';

const HERE = path.dirname(fileURLToPath(import.meta.url));
const KiB = 1024;
const SCENARIOS = ['connect', 'broadcast', 'memory', 'timers', 'scale'];
const CONNECT_VARIANTS = ['raw', 'pool', 'peers'];
const BROADCAST_VARIANTS = ['raw', 'pool', 'peers', 'pool-quiet'];
const MEMORY_VARIANTS = ['raw', 'pool', 'peers'];

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

async function openLab(url) {
  const browser = await chromium.launch(chromiumLaunch);
  const context = await browser.newContext();
  const open = async (role) => {
    const page = await context.newPage();
    page.on('pageerror', (e) => console.error(`[page ${role} error] ${e.message}`));
    await page.goto(`${url}bench/pool-bench.html?role=${role}`);
    await page.waitForFunction(() => window.bench?.connect && window.benchReady, null, { timeout: 20000 });
    const cdp = await context.newCDPSession(page);
    return { page, cdp };
  };
  const A = await open('A');
  const B = await open('B');
  return { browser, A, B };
}

const call = (page, fn, ...params) => page.evaluate(([f, p]) => window.bench[f](...p), [fn, params]);

// Full garbage collection in both pages; returns A's used JS heap afterwards.
async function collect(lab) {
  for (const { cdp } of [lab.A, lab.B]) await cdp.send('HeapProfiler.collectGarbage');
  return (await lab.A.cdp.send('Runtime.getHeapUsage')).usedSize;
}

async function connectRun(lab, variant, n, { memory = false, timeoutMs = 120000 } = {}) {
  await call(lab.A.page, 'teardown');
  const jsBefore = memory ? await collect(lab) : 0;
  const wasmBefore = await call(lab.A.page, 'wasmHeap');
  const ms = await call(lab.A.page, 'connect', variant, n, timeoutMs);
  const out = { ms };
  if (memory) {
    const jsAfter = await collect(lab);
    out.jsPerPeer = (jsAfter - jsBefore) / n;
    out.wasmPerPeer = ((await call(lab.A.page, 'wasmHeap')) - wasmBefore) / n;
  }
  return out;
}

async function connectScenario(lab, ns, reps, log) {
  log(`\nconnect: time from nothing to N connected (signaling between two pages), ${reps} rounds, raw, pool and stand-alone peers interleaved`);
  for (const v of CONNECT_VARIANTS) await connectRun(lab, v, 10);  // warm-up
  const rows = [];
  for (const n of ns) {
    const runs = { raw: [], pool: [], peers: [] };
    for (let r = 0; r < reps; r++) {
      for (const v of r % 2 ? [...CONNECT_VARIANTS].reverse() : CONNECT_VARIANTS) {
        const { ms } = await connectRun(lab, v, n);
        runs[v].push(ms);
        log(`  N=${String(n).padStart(3)} round ${r + 1} ${v.padEnd(4)} ${fmt(ms, 0).padStart(6)} ms`);
        await call(lab.A.page, 'teardown');
        await collect(lab);
      }
    }
    const row = { n, rawMs: median(runs.raw), poolMs: median(runs.pool), peersMs: median(runs.peers), runs };
    row.ratio = row.poolMs / row.rawMs;
    rows.push(row);
    log(`  N=${n}: raw ${fmt(row.rawMs, 0)} ms, pool ${fmt(row.poolMs, 0)} ms (× ${fmt(row.ratio, 2)}), stand-alone peers ${fmt(row.peersMs, 0)} ms`);
  }
  return rows;
}

async function broadcastScenario(lab, n, reps, log) {
  const shapes = [{ count: 200, size: KiB }, { count: 32, size: 16 * KiB }];
  log(`\nbroadcast: to all of ${n} connected peers on 'reliable', ${reps} rounds of ${BROADCAST_VARIANTS.join(', ')}`);
  const runs = shapes.map(() => Object.fromEntries(BROADCAST_VARIANTS.map((v) => [v, []])));
  for (let r = 0; r < reps; r++) {
    for (const v of r % 2 ? [...BROADCAST_VARIANTS].reverse() : BROADCAST_VARIANTS) {
      await connectRun(lab, v, n);
      await sleep(500);  // let the connections settle (hello, first probes)
      for (const [k, { count, size }] of shapes.entries()) {
        const res = await call(lab.A.page, 'broadcast', count, size);
        const mbPerS = res.bytes / (res.deliveryMs / 1000) / 1e6;
        runs[k][v].push({
          callUsPerBroadcast: (res.callMs * 1000) / count,
          msgPerS: (count * n) / (res.deliveryMs / 1000),
          mbPerS,
          deliveryMs: res.deliveryMs,
        });
        log(`  ${String(count).padStart(3)} × ${String(size).padStart(5)} B round ${r + 1} ${v.padEnd(10)} call ${fmt(res.callMs, 1).padStart(7)} ms, all delivered ${fmt(res.deliveryMs, 0).padStart(6)} ms, ${fmt(mbPerS, 1)} MB/s`);
      }
      await call(lab.A.page, 'teardown');
      await collect(lab);
    }
  }
  return shapes.map(({ count, size }, k) => {
    const row = { n, count, size };
    for (const v of BROADCAST_VARIANTS) {
      const xs = runs[k][v];
      const m = (key) => median(xs.map((x) => x[key]));
      row[v] = { callUsPerBroadcast: m('callUsPerBroadcast'), bestCallUsPerBroadcast: Math.min(...xs.map((x) => x.callUsPerBroadcast)),
        msgPerS: m('msgPerS'), mbPerS: m('mbPerS'), bestMbPerS: Math.max(...xs.map((x) => x.mbPerS)), deliveryMs: m('deliveryMs') };
    }
    row.runs = runs[k];
    return row;
  });
}

async function memoryScenario(lab, n, reps, log) {
  log(`\nmemory: heap per connected peer, N=${n}, ${reps} rounds`);
  const runs = Object.fromEntries(MEMORY_VARIANTS.map((v) => [v, []]));
  for (let r = 0; r < reps; r++) {
    for (const v of MEMORY_VARIANTS) {
      const res = await connectRun(lab, v, n, { memory: true });
      runs[v].push(res);
      log(`  round ${r + 1} ${v.padEnd(5)} JS heap ${fmt(res.jsPerPeer / KiB, 1).padStart(6)} KiB/peer, WASM heap ${fmt(res.wasmPerPeer / KiB, 2).padStart(6)} KiB/peer`);
      await call(lab.A.page, 'teardown');
      await collect(lab);
    }
  }
  const out = { n, runs };
  for (const v of MEMORY_VARIANTS) {
    out[v] = { jsPerPeer: median(runs[v].map((x) => x.jsPerPeer)), wasmPerPeer: median(runs[v].map((x) => x.wasmPerPeer)) };
  }
  return out;
}

async function timersScenario(lab, n, log) {
  log(`\ntimers: setTimeout calls per second in the page with ${n} connected peers (metrics on, probes flowing)`);
  const out = { n };
  for (const v of ['peers', 'pool']) {
    await connectRun(lab, v, n);
    await sleep(1000);
    out[v] = await call(lab.A.page, 'timerRate', 3000);
    if (v === 'pool') out.poolTimers = (await call(lab.A.page, 'diagnostics'))?.timers;
    log(`  ${v.padEnd(5)} ${fmt(out[v], 0).padStart(6)} setTimeout/s`);
    await call(lab.A.page, 'teardown');
    await collect(lab);
  }
  return out;
}

async function scaleScenario(lab, from, log) {
  log(`\nscale: the largest pool that connects fully (one try each, 180 s limit)`);
  const tried = [];
  let largest = from;
  for (const n of [300, 400, 450, 490, 500]) {
    try {
      const { ms } = await connectRun(lab, 'pool', n, { timeoutMs: 180000 });
      tried.push({ n, ok: true, ms });
      largest = n;
      log(`  N=${n}: connected in ${fmt(ms, 0)} ms`);
    } catch (e) {
      tried.push({ n, ok: false, error: String(e.message).split('\n')[0] });
      log(`  N=${n}: failed: ${String(e.message).split('\n')[0]}`);
      break;
    } finally {
      await call(lab.A.page, 'teardown').catch(() => {});
      await collect(lab).catch(() => {});
    }
  }
  return { largest, tried };
}

function markdown(res) {
  const lines = [];
  lines.push(`Measured ${res.date.slice(0, 10)} on ${res.machine}, ${res.browser}; two pages of one browser, all on loopback, default config (metrics and probes on).`);
  lines.push('');
  if (res.connect?.length) {
    lines.push('| Peers (N) | Connect N, raw `RTCPeerConnection`s | Connect N, `WebRTCConnectionPool` | Pool / raw | N stand-alone `WebRTCPeerEnhanced` |');
    lines.push('| ---: | ---: | ---: | ---: | ---: |');
    for (const r of res.connect) lines.push(`| ${r.n} | ${fmt(r.rawMs, 0)} ms | ${fmt(r.poolMs, 0)} ms | ${fmt(r.ratio, 2)} | ${fmt(r.peersMs, 0)} ms |`);
    lines.push('');
  }
  if (res.broadcast?.length) {
    lines.push(`| Broadcast to ${res.broadcast[0].n} connected peers, \`reliable\` | Raw: loop of \`dc.send\` | \`pool.broadcast\` | Stand-alone peers: loop of \`peer.send\` | \`pool.broadcast\`, metrics off |`);
    lines.push('| --- | ---: | ---: | ---: | ---: |');
    for (const r of res.broadcast) {
      const shape = `${r.count} × ${r.size >= KiB ? `${r.size / KiB} KiB` : `${r.size} B`}`;
      const cell = (v) => `${fmt(r[v].callUsPerBroadcast / 1000, 1)} ms (best ${fmt(r[v].bestCallUsPerBroadcast / 1000, 1)})`;
      const rate = (v) => `${fmt(r[v].mbPerS, 1)} MB/s (best ${fmt(r[v].bestMbPerS, 1)})`;
      lines.push(`| ${shape}: time in the call per broadcast, median | ${BROADCAST_VARIANTS.map(cell).join(' | ')} |`);
      lines.push(`| ${shape}: until all ${r.n} far peers had all, median | ${BROADCAST_VARIANTS.map(rate).join(' | ')} |`);
    }
    lines.push('');
  }
  if (res.memory) {
    lines.push(`| Memory per connected peer (N = ${res.memory.n}) | Raw | Pool | Stand-alone peers |`);
    lines.push('| --- | ---: | ---: | ---: |');
    lines.push(`| JS heap | ${MEMORY_VARIANTS.map((v) => `${fmt(res.memory[v].jsPerPeer / KiB, 1)} KiB`).join(' | ')} |`);
    lines.push(`| WASM heap | — | ${fmt(res.memory.pool.wasmPerPeer / KiB, 2)} KiB | ${fmt(res.memory.peers.wasmPerPeer / KiB, 2)} KiB |`);
    lines.push('');
  }
  if (res.timers) {
    lines.push(`Timers with ${res.timers.n} connected peers: ${fmt(res.timers.peers, 0)} \`setTimeout\` calls/s for stand-alone peers, ${fmt(res.timers.pool, 0)}/s for the same peers in a pool (one host timer over a shared deadline list of ${res.timers.poolTimers} timers).`);
    lines.push('');
  }
  if (res.scale) {
    lines.push(`Largest N that connected fully: **${res.scale.largest}**${res.scale.tried.filter((t) => !t.ok).map((t) => ` (N = ${t.n}: ${t.error})`).join('')}.`);
  }
  return lines.join('\n');
}

export async function runPoolBench({ ns = [10, 50, 100, 200], reps = 3, only = SCENARIOS, write = true, log = console.log } = {}) {
  const server = await startServer({ port: 0 });
  let lab;
  const res = {
    date: new Date().toISOString(),
    machine: machine(),
    loadAtStart: load(),
  };
  try {
    lab = await openLab(server.url);
    res.browser = `Chromium ${lab.browser.version()}`;
    if (only.includes('connect')) res.connect = await connectScenario(lab, ns, reps, log);
    if (only.includes('broadcast')) res.broadcast = await broadcastScenario(lab, 100, reps, log);
    if (only.includes('memory')) res.memory = await memoryScenario(lab, 100, reps, log);
    if (only.includes('timers')) res.timers = await timersScenario(lab, 100, log);
    if (only.includes('scale')) res.scale = await scaleScenario(lab, Math.max(...ns), log);
    res.loadAtEnd = load();
  } finally {
    await lab?.browser.close().catch(() => {});
    await server.close();
  }
  if (write && only.length < SCENARIOS.length) {
    // A partial run replaces only its own scenarios in the last full results.
    try {
      const previous = JSON.parse(fs.readFileSync(path.join(HERE, 'pool-results.json'), 'utf8'));
      for (const s of SCENARIOS) if (!only.includes(s) && previous[s]) res[s] = previous[s];
      res.merged = `${only.join(', ')} from ${res.date}; the rest from ${previous.merged ?? previous.date}`;
    } catch {
      // nothing to merge with
    }
  }
  res.markdown = markdown(res);
  if (write) {
    fs.writeFileSync(path.join(HERE, 'pool-results.json'), `${JSON.stringify(res, null, 2)}\n`);
    fs.writeFileSync(path.join(HERE, 'pool-results.md'), `${res.markdown}\n`);
  }
  return res;
}

const isMain = process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url);
if (isMain) {
  const args = parseArgs();
  const only = args.only ? String(args.only).split(',') : SCENARIOS;
  for (const s of only) if (!SCENARIOS.includes(s)) throw new Error(`pool-bench: unknown scenario ${s}; one of ${SCENARIOS.join(', ')}`);
  const started = Date.now();
  const res = await runPoolBench({
    ns: args.n ? String(args.n).split(',').map(Number) : undefined,
    reps: args.reps ? Number(args.reps) : undefined,
    only,
    write: args.write !== 'false',
  });
  console.log(`\n${res.markdown}\n\n(${fmt((Date.now() - started) / 1000, 0)} s; load at start ${res.loadAtStart}, at end ${res.loadAtEnd})`);
}
