#!/usr/bin/env node
// npm run bench: figures, not pass/fail. Serves the repository on a free loopback port, opens
// bench/bench.html in Debian's Chromium (the e2e flags), runs each scenario several times with
// the variants interleaved (raw, ours, simple-peer, raw, ours, ...), takes medians, prints a
// table with ratios against a raw RTCDataChannel, and writes bench/results.json and
// bench/results.md (the README's tables).
//
//   node bench/run.js                          # everything (about 4 minutes on an idle 2-core machine)
//   node bench/run.js --only=tp16,chat --reps=3  # a part (results.* kept unless --write)
//   node bench/run.js --only=tp16x2 --tp-variants=raw,raw-probed,raw-chatty,ours,ours-nometrics
//   node bench/run.js --only=chatx2 --variants=ours,raw-single,raw-split,raw-split-prio
//     diagnostic variants: raw-probed / raw-chatty (a raw channel plus 20 small messages a second
//     each way on a second, unordered / ordered, channel), ours-nometrics (metricsEnabled: false),
//     ours-nostats (probes only), raw-split-prio (two raw channels with our priority hints)
//   node bench/cpu-profile.js ours 256         # V8 CPU profile of one run, self time by function
//   node bench/thread-cpu.js 8 256 raw ours    # CPU per MB by browser thread, two variants interleaved
//
// Scenarios:
//   tp16, tp256    throughput, 16 KiB / 256 B messages, both peers in one page
//   tp16x2, tp256x2  the same with sender and receiver in two pages (two renderer processes)
//   chat, chatx2   chat latency under a saturating file transfer, one page / two pages
//   heap           8 MiB queued before the channel opens vs the WASM heap
//   idle           main-thread time per second of N connected idle pairs in one page (DevTools
//                  performance counters, TaskDuration), raw / ours / ours with metrics off
//   profile        where the time of a send goes: per-call costs and JS<->WASM crossings per
//                  message (patches the library: last, in a page of its own)
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from '@playwright/test';
import { startServer } from '../toolchain/serve.js';
import { chromiumLaunch } from '../playwright.config.js';
import { fmt, load, machine, median, parseArgs, quantile } from './figures.js';
import { rendererCpu } from './proc-cpu.js';

const HERE = path.dirname(fileURLToPath(import.meta.url));
const MiB = 1 << 20;

const args = parseArgs();
const REPS = Number(args.reps ?? 4);
// 256-byte rounds swing more between rounds (the browser's packing of small messages), so they
// get more of them unless --reps says otherwise.
const SMALL_REPS = Number(args.reps ?? 16);
const CHAT_REPS = Number(args['chat-reps'] ?? 2);

const TP = args['tp-variants'] ? String(args['tp-variants']).split(',') : ['raw', 'ours', 'simple-peer'];
const CHAT = args.variants ? String(args.variants).split(',') : ['ours', 'raw-single', 'ours-single', 'simple-peer', 'raw-split'];
const CHAT_PARAMS = { fileBytes: 32 * MiB, fileChunk: 16384, intervalMs: 20 };
const SCENARIOS = {
  tp16: { kind: 'tp', pages: 1, size: 16384, total: 32 * MiB, variants: TP, reps: REPS },
  tp256: { kind: 'tp', pages: 1, size: 256, total: 30000 * 256, variants: TP, reps: SMALL_REPS },
  tp16x2: { kind: 'tp', pages: 2, size: 16384, total: 32 * MiB, variants: TP, reps: REPS },
  tp256x2: { kind: 'tp', pages: 2, size: 256, total: 30000 * 256, variants: TP, reps: SMALL_REPS },
  chat: { kind: 'chat', pages: 1, ...CHAT_PARAMS, variants: CHAT, reps: CHAT_REPS },
  chatx2: { kind: 'chat', pages: 2, ...CHAT_PARAMS, variants: CHAT, reps: CHAT_REPS },
  heap: { kind: 'heap' },
  idle: { kind: 'idle', pairs: [25, 100], variants: ['raw', 'ours', 'ours-nometrics', 'ours-listening'], seconds: 10 },
  profile: { kind: 'profile' },
};
const only = args.only ? String(args.only).split(',') : Object.keys(SCENARIOS);
for (const name of only) if (!SCENARIOS[name]) throw new Error(`bench: unknown scenario ${name}; one of ${Object.keys(SCENARIOS).join(', ')}`);

const log = (...a) => console.log(...a);

// CPU time used so far by the browser's renderer processes (bench/proc-cpu.js).
const cpuSnapshot = rendererCpu();
const cpuDelta = (a, b) => (a && b ? { totalMs: (b.total - a.total) / 1e6, mainMs: (b.main - a.main) / 1e6 } : null);
const marks = {};

// The browser and its pages; relaunched if the browser goes away mid-run (a shared machine).
class Lab {
  constructor(url) {
    this.url = url;
    this.browser = null;
    this.pages = [];
  }

  async start() {
    this.browser = await chromium.launch(chromiumLaunch);
    const context = await this.browser.newContext();
    await context.exposeFunction('benchMark', (label) => {
      marks[label] = cpuSnapshot();
      return true;
    });
    this.pages = [await this.open(context), await this.open(context)];
    cpuSnapshot(true);
  }

  async open(context, query = '') {
    const page = await context.newPage();
    page.on('pageerror', (e) => console.error(`[page error] ${e.message}`));
    page.on('console', (m) => {
      if ((m.type() === 'error' || m.type() === 'warning') && !m.text().includes('404')) console.error(`[page ${m.type()}] ${m.text()}`);
    });
    await page.goto(`${this.url}bench/bench.html${query}`);
    await page.waitForFunction(() => window.benchReady === true, null, { timeout: 20000 });
    cpuSnapshot(true);
    return page;
  }

  async stop() {
    await this.browser?.close().catch(() => {});
    this.browser = null;
  }

  // Runs fn(pages), relaunching the browser and trying again if it disappeared.
  async run(fn, what) {
    for (let attempt = 1; ; attempt++) {
      try {
        if (!this.browser?.isConnected()) await this.start();
        return await fn(this.pages);
      } catch (e) {
        const gone = !this.browser?.isConnected() || /closed|crash/i.test(String(e.message));
        if (!gone || attempt >= 3) throw e;
        console.error(`  (${what}: the browser went away; relaunching, attempt ${attempt + 1})`);
        await this.stop();
      }
    }
  }
}

// A run that takes longer than this is stuck: say where it was and stop.
const RUN_TIMEOUT_MS = Number(args['run-timeout'] ?? 120000);

async function call(page, fn, ...params) {
  let timer;
  const stuck = new Promise((_, reject) => {
    timer = setTimeout(async () => {
      const where = await page.evaluate(() => {
        const s = window.bench.state;
        return JSON.stringify({ ...s, ours: s.ours?.(), ago: performance.now() - s.at });
      }).catch((e) => e.message);
      reject(new Error(`bench: ${fn}(${JSON.stringify(params)}) still running after ${RUN_TIMEOUT_MS} ms; page state ${where}`));
    }, RUN_TIMEOUT_MS);
  });
  try {
    return await Promise.race([page.evaluate(([f, p]) => window.bench[f](...p), [fn, params]), stuck]);
  } finally {
    clearTimeout(timer);
  }
}
let runCounter = 0;

// One measurement: in one page, or sender in page 0 and receiver in page 1.
async function measure(lab, s, variant) {
  delete marks.start;
  delete marks.end;
  const res = await lab.run(async ([p0, p1]) => {
    const opts = s.kind === 'tp' ? { fileBytes: s.total, fileChunk: s.size, intervalMs: 0 } : { fileBytes: s.fileBytes, fileChunk: s.fileChunk, intervalMs: s.intervalMs };
    if (s.pages === 1) return s.kind === 'tp' ? call(p0, 'throughput', variant, { size: s.size, total: s.total }) : call(p0, 'chat', variant, opts);
    const runId = `${process.pid}-${runCounter++}`;
    // throughput uses the one-channel sides: bulk on raw's one channel / our `reliable`
    const side = s.kind === 'tp' ? ({ raw: 'raw-single', ours: 'ours-single', 'ours-nometrics': 'ours-single-nometrics', 'ours-nostats': 'ours-single-nostats', 'raw-probed': 'raw-single-probed', 'raw-chatty': 'raw-single-chatty' }[variant] ?? variant) : variant;
    const receiving = call(p1, 'receive', runId, side);
    const [res] = await Promise.all([receiving, call(p0, 'send', runId, side, opts)]);
    return res;
  }, `${variant}`);
  return { ...res, cpu: cpuDelta(marks.start, marks.end) };
}

// Main-thread task time (ms per second) of `pairs` idle connected pairs of `variant`, in a page of
// their own: connected, settled past the first seconds' dense probes, then measured.
async function idleRun(lab, variant, pairs, seconds) {
  return lab.run(async () => {
    const page = await lab.open(lab.browser.contexts()[0]);
    try {
      await page.evaluate(async ([v, n]) => {
        window.idle = await import('/bench/idle.js');
        await window.idle.idleStart(v, n);
      }, [variant, pairs]);
      await page.waitForTimeout(4000);
      const cdp = await page.context().newCDPSession(page);
      await cdp.send('Performance.enable');
      const read = async () => Object.fromEntries((await cdp.send('Performance.getMetrics')).metrics.map((m) => [m.name, m.value]));
      const a = await read();
      await page.waitForTimeout(seconds * 1000);
      const b = await read();
      await page.evaluate(() => window.idle.idleStop());
      return ((b.TaskDuration - a.TaskDuration) / (b.Timestamp - a.Timestamp)) * 1000;
    } finally {
      await page.close();
    }
  }, `idle ${variant}`);
}

async function idleScenario(lab, s) {
  log(`\nidle: main-thread time of connected idle pairs, ${s.seconds} s each (load ${load()})`);
  const out = {};
  for (const pairs of s.pairs) {
    out[pairs] = {};
    for (const v of s.variants) {
      out[pairs][v] = await idleRun(lab, v, pairs, s.seconds);
      log(`  ${pairs} pairs, ${v}: ${fmt(out[pairs][v], 2)} ms/s`);
    }
  }
  return out;
}

async function throughputScenario(lab, name, s) {
  log(`\n${name}: ${s.total / MiB} MiB in ${s.size}-byte messages, ${s.pages === 1 ? 'one page' : 'two pages'}, ${s.reps} rounds of ${s.variants.join(', ')} (load ${load()})`);
  const runs = Object.fromEntries(s.variants.map((v) => [v, []]));
  await measure(lab, { ...s, total: Math.min(s.total, 4 * MiB) }, 'raw');  // warm-up
  for (let r = 0; r < s.reps; r++) {
    for (const v of s.variants) {
      const res = await measure(lab, s, v);
      const msgPerS = res.fileBytes / s.size / (res.ms / 1000);
      // Renderer CPU (all threads: pages, WebRTC network threads, SCTP) per MB moved.
      const cpuMsPerMB = res.cpu ? res.cpu.totalMs / (res.fileBytes / 1e6) : NaN;
      const mainMsPerMB = res.cpu ? res.cpu.mainMs / (res.fileBytes / 1e6) : NaN;
      runs[v].push({ mbPerS: res.fileMbPerS, msgPerS, ms: res.ms, cpuMsPerMB, mainMsPerMB });
      log(`  round ${r + 1} ${v.padEnd(11)} ${fmt(res.fileMbPerS).padStart(6)} MB/s ${fmt(msgPerS / 1000).padStart(7)} k msg/s  (${fmt(res.ms, 0)} ms; renderer CPU ${fmt(cpuMsPerMB)} ms/MB, main threads ${fmt(mainMsPerMB)} ms/MB)`);
    }
  }
  const med = Object.fromEntries(s.variants.map((v) => [v, median(runs[v].map((x) => x.mbPerS))]));
  // Rounds are interleaved, so a round's ours/raw shares its conditions: report that too.
  const roundRatios = (v) => runs[v].map((x, i) => x.mbPerS / runs.raw[i].mbPerS);
  const cpu = Object.fromEntries(s.variants.map((v) => [v, median(runs[v].map((x) => x.cpuMsPerMB))]));
  const mainCpu = Object.fromEntries(s.variants.map((v) => [v, median(runs[v].map((x) => x.mainMsPerMB))]));
  return {
    size: s.size, total: s.total, pages: s.pages, load: load(),
    medianMBps: med,
    cpuMsPerMB: cpu,
    mainCpuMsPerMB: mainCpu,
    // raw's CPU per MB / ours': the throughput ratio a CPU-bound, otherwise idle machine would see
    cpuRatio: Object.fromEntries(s.variants.map((v) => [v, cpu.raw / cpu[v]])),
    ratio: Object.fromEntries(s.variants.map((v) => [v, med[v] / med.raw])),
    roundRatio: Object.fromEntries(s.variants.map((v) => [v, median(roundRatios(v))])),
    roundRatioQuartiles: Object.fromEntries(s.variants.map((v) => [v, [quantile(roundRatios(v), 0.25), quantile(roundRatios(v), 0.75)]])),
    runs,
  };
}

async function chatScenario(lab, name, s) {
  log(`\n${name}: 16-byte chat every ${s.intervalMs} ms during a ${s.fileBytes / MiB} MiB transfer, ${s.pages === 1 ? 'one page' : 'two pages'}, ${s.reps} rounds of ${s.variants.join(', ')} (load ${load()})`);
  const lat = Object.fromEntries(s.variants.map((v) => [v, []]));
  const fileRate = Object.fromEntries(s.variants.map((v) => [v, []]));
  const perRunP99 = Object.fromEntries(s.variants.map((v) => [v, []]));
  const over = Object.fromEntries(s.variants.map((v) => [v, []]));
  for (let r = 0; r < s.reps; r++) {
    for (const v of s.variants) {
      const res = await measure(lab, s, v);
      lat[v].push(...res.latencies);
      over[v].push(...res.overtaken);
      fileRate[v].push(res.fileMbPerS);
      perRunP99[v].push(quantile(res.latencies, 0.99));
      log(`  round ${r + 1} ${v.padEnd(11)} chat p50 ${fmt(quantile(res.latencies, 0.5), 2).padStart(8)} ms  p99 ${fmt(quantile(res.latencies, 0.99), 2).padStart(8)} ms  overtook ${fmt(quantile(res.overtaken, 0.5) / 1024, 0)} KiB  (${res.chats} chats; file ${fmt(res.fileMbPerS)} MB/s${s.pages === 2 ? `; clocks ${fmt(res.clockOffsetMs, 3)} ms apart ± ${fmt(res.clockRttMs / 2, 3)}` : ''})`);
    }
  }
  return {
    fileBytes: s.fileBytes, fileChunk: s.fileChunk, intervalMs: s.intervalMs, pages: s.pages, load: load(),
    variants: Object.fromEntries(s.variants.map((v) => [v, {
      samples: lat[v].length,
      p50: quantile(lat[v], 0.5),
      p99: quantile(lat[v], 0.99),
      max: Math.max(...lat[v]),
      medianRunP99: median(perRunP99[v]),
      overtakenKiBp50: quantile(over[v], 0.5) / 1024,
      fileMBps: median(fileRate[v]),
    }])),
  };
}

async function main() {
  const started = Date.now();
  const server = await startServer({ port: 0 });
  const lab = new Lab(server.url);
  const results = {
    date: new Date().toISOString(),
    machine: machine(),
    loadAtStart: load(),
    browser: null,
    bounds: null,
    throughput: {},
    chat: {},
    heap: null,
    idle: null,
    profile: null,
  };
  try {
    await lab.start();
    results.browser = `Chromium ${lab.browser.version()}`;
    results.bounds = await lab.pages[0].evaluate(() => ({ HIGH: window.bench.HIGH, LOW: window.bench.LOW }));
    for (const name of only) {
      const s = SCENARIOS[name];
      if (s.kind === 'tp') results.throughput[name] = await throughputScenario(lab, name, s);
      if (s.kind === 'chat') results.chat[name] = await chatScenario(lab, name, s);
      if (s.kind === 'idle') results.idle = await idleScenario(lab, s);
      if (s.kind === 'heap') {
        log('\nheap: 8 MiB queued before the channel opens');
        results.heap = [];
        for (const size of [65536, 16384, 256]) {
          const res = await lab.run(([p0]) => call(p0, 'heap', { size, total: 8 * MiB }), 'heap');
          results.heap.push(res);
          log(`  ${res.messages} × ${size} B: WASM heap +${res.heapGrowth} B (${fmt(res.perMessage)} B/message); queued ${res.queuedBytes} B, received ${res.received} B`);
        }
      }
      if (s.kind === 'profile') {
        log('\nprofile: where the time of a 256-byte send goes');
        results.profile = await lab.run(async () => {
          const page = await lab.open(lab.browser.contexts()[0], '?modules');
          cpuSnapshot(true);
          try {
            const costs = await call(page, 'profile', { sends: 5000, rounds: 7, size: 256 });
            // main-thread CPU per call, from the marks around each block
            costs.cpuUs = Object.fromEntries(Object.entries(costs.blocks).map(([k, labels]) => [k, median(labels.map((l) => {
              const d = cpuDelta(marks[`${l}:start`], marks[`${l}:end`]);
              return d ? (d.mainMs * 1000) / costs.sends : NaN;
            }))]));
            delete costs.blocks;
            // CPU per second of a connected, idle pair (both peers)
            costs.idleCpuMsPerS = Object.fromEntries(costs.idleLabels.map((l) => {
              const d = cpuDelta(marks[`idle-${l}:start`], marks[`idle-${l}:end`]);
              return [l, d ? { total: d.totalMs / (costs.idleMs / 1000), main: d.mainMs / (costs.idleMs / 1000) } : null];
            }));
            delete costs.idleLabels;
            return { ...costs, crossings: await call(page, 'crossings', { n: 20000, size: 256 }) };
          } finally {
            await page.close();
          }
        }, 'profile');
        log(JSON.stringify(results.profile, null, 2));
      }
    }
  } finally {
    await lab.stop();
    await server.close();
  }
  results.loadAtEnd = load();
  results.seconds = Math.round((Date.now() - started) / 1000);
  report(results);
}

const sizeLabel = (n) => (n >= MiB ? `${fmt(n / MiB, n % MiB ? 1 : 0)} MiB` : n >= 1024 ? `${n / 1024} KiB` : `${n} B`);

function report(fresh) {
  let results = fresh;
  if (args.only && args.write) {
    // A partial run replaces its own scenarios in the results on file and keeps the rest.
    try {
      const old = JSON.parse(fs.readFileSync(path.join(HERE, 'results.json'), 'utf8'));
      results = {
        ...old,
        ...fresh,
        throughput: { ...old.throughput, ...fresh.throughput },
        chat: { ...old.chat, ...fresh.chat },
        heap: fresh.heap ?? old.heap,
        profile: fresh.profile ?? old.profile,
        partialRuns: [...(old.partialRuns ?? []), { date: fresh.date, only, loadAtStart: fresh.loadAtStart }],
        date: old.date,
        loadAtStart: old.loadAtStart,
      };
    } catch {
      // nothing on file yet
    }
  }
  const md = [];
  const { HIGH, LOW } = results.bounds;
  md.push(`Measured with \`npm run bench\` (${results.date.slice(0, 10)}): ${results.machine}, ${results.browser}, loopback; ` +
    `load average ${results.loadAtStart} at the start. Medians of interleaved runs. Every sender keeps at most ` +
    `${sizeLabel(HIGH)} in the browser's buffer and resumes at ${sizeLabel(LOW)} (ours: \`maxBufferedAmount\`/\`lowWaterMark\`, ` +
    `send until \`backpressure\`, await \`channel-ready\`).`);
  for (const r of results.partialRuns ?? []) md.push(`Re-measured ${r.date.slice(0, 16).replace('T', ' ')}: ${r.only.join(', ')} (load average ${r.loadAtStart}).`);
  md.push('');
  const tp = results.throughput;
  if (Object.keys(tp).length) {
    md.push('| Throughput (median) | raw `RTCDataChannel` | webrtc-enhanced `reliable` | **ours / raw** | ours / raw per round: median (quartiles) | simple-peer | simple-peer / raw | renderer CPU per MB: raw / ours / simple-peer | CPU ratio raw / ours |');
    md.push('| --- | --- | --- | --- | --- | --- | --- | --- | --- |');
    for (const t of Object.values(tp)) {
      const label = `${sizeLabel(t.total)} in ${sizeLabel(t.size)} messages, ${t.pages === 1 ? 'one page' : 'two pages'}`;
      const cell = (v) => `${fmt(t.medianMBps[v])} MB/s${t.size < 1024 ? ` (${fmt((t.medianMBps[v] * 1e6) / t.size / 1000)} k msg/s)` : ''}`;
      const cpu = ['raw', 'ours', 'simple-peer'].map((v) => fmt(t.cpuMsPerMB[v])).join(' / ');
      const q = t.roundRatioQuartiles?.ours;
      const perRound = `${fmt(t.roundRatio?.ours, 2)}${q ? ` (${fmt(q[0], 2)}–${fmt(q[1], 2)})` : ''} over ${t.runs.raw.length}`;
      md.push(`| ${label} | ${cell('raw')} | ${cell('ours')} | **${fmt(t.ratio.ours, 2)}** | ${perRound} | ${cell('simple-peer')} | ${fmt(t.ratio['simple-peer'], 2)} | ${cpu} ms | ${fmt(t.cpuRatio.ours, 2)} |`);
    }
    md.push('');
  }
  const names = {
    ours: 'webrtc-enhanced: file on `file`, chat on `reliable`',
    'ours-single': 'webrtc-enhanced: file and chat both on `reliable`',
    'raw-single': 'one raw `RTCDataChannel` carrying both',
    'simple-peer': 'simple-peer (one channel) carrying both',
    'raw-split': 'two raw `RTCDataChannel`s (file, chat)',
  };
  for (const c of Object.values(results.chat)) {
    md.push(`| Chat latency, 16 B every ${c.intervalMs} ms during a ${sizeLabel(c.fileBytes)} transfer (${c.pages === 1 ? 'one page' : 'sender and receiver in two pages'}) | p50 | p99 | file data the chat overtook (median) | samples | file MB/s |`);
    md.push('| --- | --- | --- | --- | --- | --- |');
    for (const [v, s] of Object.entries(c.variants)) {
      md.push(`| ${names[v] ?? v} | ${fmt(s.p50, 1)} ms | ${fmt(s.p99, 1)} ms | ${fmt(s.overtakenKiBp50, 0)} KiB | ${s.samples} | ${fmt(s.fileMBps)} |`);
    }
    const ours = c.variants.ours;
    const single = c.variants['raw-single'];
    if (ours && single) {
      md.push('', `Chat p99, shared channel / ours (${c.pages === 1 ? 'one page' : 'two pages'}; target ≥ 10): one raw channel ${fmt(single.p99 / ours.p99, 1)}` +
        `${c.variants['ours-single'] ? `, our \`reliable\` carrying both ${fmt(c.variants['ours-single'].p99 / ours.p99, 1)}` : ''}.`);
    }
    md.push('');
  }
  if (results.heap) {
    md.push('| 8 MiB queued before the channel opens | WASM heap growth | per message |');
    md.push('| --- | --- | --- |');
    for (const h of results.heap) {
      md.push(`| ${h.messages} × ${sizeLabel(h.size)} | ${fmt(h.heapGrowth / 1024)} KiB (${fmt((100 * h.heapGrowth) / h.bytes, 2)} % of the bytes queued) | ${fmt(h.perMessage)} B |`);
    }
    md.push('');
  }
  if (results.idle) {
    md.push('| idle connected pairs, one page: main-thread time per second | raw `RTCPeerConnection`s, same four channels | webrtc-enhanced, default config | `metricsEnabled: false` | default, and the app listens for `metrics` (sweeps every 5 s) |');
    md.push('| --- | --- | --- | --- | --- |');
    for (const [pairs, v] of Object.entries(results.idle)) {
      md.push(`| ${pairs} pairs (${2 * pairs} peers) | ${fmt(v.raw, 2)} ms | ${fmt(v.ours, 2)} ms (+${fmt((v.ours - v.raw) / (2 * pairs), 3)} per peer) | ${fmt(v['ours-nometrics'], 2)} ms | ${fmt(v['ours-listening'], 2)} ms |`);
    }
    md.push('');
  }
  const prof = results.profile;
  if (prof) {
    const u = prof.us;
    const c = prof.crossings;
    const cu = prof.cpuUs ?? {};
    const n = (k) => `${fmt(u[k], 2)} µs (CPU ${fmt(cu[k], 2)})`;
    md.push(`| Where the time goes, per ${prof.size}-byte message: wall time (main-thread CPU), median of ${prof.rounds} blocks of ${prof.sends} | raw | webrtc-enhanced |`);
    md.push('| --- | --- | --- |');
    md.push(`| send on an open channel with room (raw: check \`bufferedAmount\`, \`dc.send\`) | ${n('rawSend')} | ${n('oursSend')} |`);
    md.push(`| raw: send, then read \`bufferedAmount\` / ours: the shim (\`hot.send\`) called straight from JS | ${n('rawSendThenRead')} | ${n('shimSend')} |`);
    md.push(`| our send path with the browser call stubbed out (the library's own cost) | | ${n('oursSendNoBrowser')} |`);
    md.push(`| our send while the channel is not open (queued) | | ${n('oursQueue')} |`);
    md.push(`| cheapest JS→WASM call (\`getQueueSize()\`) | | ${n('emptyCall')} |`);
    md.push(`| receive: message event to the app's listener | ${n('rawReceive')} | ${n('oursReceive')} |`);
    md.push(`| receive: \`host.accept\` (WASM accounting) + \`host.deliver\` / \`host.deliver\` alone | | ${n('coreOnMessage')} / ${n('hostDeliver')} |`);
    const idle = prof.idleCpuMsPerS;
    if (idle) {
      const cellIdle = (l) => (idle[l] ? `${fmt(idle[l].total, 1)} ms/s (main threads ${fmt(idle[l].main, 1)})` : '');
      md.push(`| CPU of a connected, idle pair (both peers), renderer threads | ${cellIdle('raw')} | ${cellIdle('ours')}; with \`metricsEnabled: false\` ${cellIdle('ours-no-metrics')}; probes only (\`metricsInterval\` 1 day) ${cellIdle('ours-no-getStats')} |`);
    }
    if (c) {
      const named = (o) => Object.entries(o.imports).filter(([, v]) => v >= 0.5).map(([k, v]) => `${k} ×${v}`).join(', ');
      const list = (o) => (named(o) ? ` (${named(o)})` : '');
      md.push(`| JS→WASM / WASM→JS calls per send | 0 / 0 | 1 / ${fmt(c.send.importsPerCall, 0)}${list(c.send)} |`);
      md.push(`| JS→WASM / WASM→JS calls per received message | 0 / 0 | 1 / ${fmt(c.receive.importsPerCall, 0)}${list(c.receive)} |`);
    }
    md.push('');
  }
  const text = md.join('\n');
  log(`\n${text}`);
  log(`(${results.seconds} s; load average at the end ${results.loadAtEnd})`);
  if (args.only && !args.write) {
    log('(a partial run: bench/results.* left as they were; add --write to merge it into them)');
    return;
  }
  fs.writeFileSync(path.join(HERE, 'results.json'), `${JSON.stringify(results, null, 2)}\n`);
  fs.writeFileSync(path.join(HERE, 'results.md'), `${text}\n`);
  log('wrote bench/results.json and bench/results.md');
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
