#!/usr/bin/env node
// Transfer figures (issue #18), not pass/fail. Serves the repository on a free loopback port, opens
// bench/transfer-bench.html in Debian's Chromium (the e2e flags, plus --enable-precise-memory-info)
// and runs, in one page (both peers):
//   speed   256 MiB: peer.sendFile(blob) into a discarding WritableStream (SHA-256 on both sides)
//           vs the same library pair sending 64 KiB messages on `file` in a loop with
//           `channel-ready` waits, vs one raw RTCDataChannel (and, as a diagnostic, the loop reading
//           its chunks from a Blob); the variants interleaved, their
//           order alternating round by round, medians and the per-round ratio sendFile / loop
//   chat    16-byte chat on `reliable` every 20 ms beside two concurrent 64 MiB sendFile()s, vs
//           two concurrent send() loops on `file`, vs the same bytes on one raw channel with the
//           chat on a second raw channel: chat p50/p99 and the transfers' MB/s
//   memory  1 GiB by sendFile into an OPFS file: the page's JS heap (performance.memory) and the
//           WASM heap (heapUsed()) sampled every 500 ms, max and median; the file is deleted after
// Writes bench/transfer-results.json and bench/transfer-results.md.
//
//   node bench/transfer-run.js                         # everything (≈ 10 minutes on the 2-core VM)
//   BENCH_QUICK=1 node bench/transfer-run.js           # 32 MiB / 2 × 8 MiB / 128 MiB, 1 round; prints only
//   node bench/transfer-run.js --only=speed --reps=5   # a part; prints only unless --write (merged)
//   node bench/transfer-run.js --only=chat --chat-variants=sendFile,raw
//   node bench/transfer-run.js --only=speed --variants=sendFile,loop,loop-blob,sendFile-buffer --speed-mib=64
//                                                      # diagnostics: the loop reading a Blob, sendFile of memory
//   node bench/transfer-run.js --only=memory --memory-mib=256
//   node bench/transfer-run.js --report                # the .md again from the .json
import { execFileSync } from 'node:child_process';
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
const QUICK = !!process.env.BENCH_QUICK && process.env.BENCH_QUICK !== '0';
const list = (v, dflt) => (v ? String(v).split(',') : dflt);
const SCENARIOS = ['speed', 'chat', 'memory'];
const only = list(args.only, SCENARIOS);
for (const s of only) if (!SCENARIOS.includes(s)) throw new Error(`transfer bench: unknown scenario ${s}; one of ${SCENARIOS.join(', ')}`);

const CHUNK = 65536;
const SPEED = {
  total: Number(args['speed-mib'] ?? (QUICK ? 32 : 256)) * MiB,
  reps: Number(args.reps ?? (QUICK ? 1 : 3)),
  variants: list(args.variants, ['sendFile', 'loop', 'raw', 'loop-blob']),
};
const CHAT = {
  each: Number(args['chat-mib'] ?? (QUICK ? 8 : 64)) * MiB,
  transfers: 2,
  intervalMs: 20,
  reps: Number(args['chat-reps'] ?? (QUICK ? 1 : 2)),
  variants: list(args['chat-variants'], ['sendFile', 'loop', 'raw']),
};
const MEMORY = { total: Number(args['memory-mib'] ?? (QUICK ? 128 : 1024)) * MiB, sampleMs: 500 };
const write = args.write !== undefined ? args.write !== 'false' : !QUICK && !args.only && !args.variants && !args['chat-variants'];

const log = (...a) => console.log(...a);
const mib = (n) => `${fmt(n / MiB, n % MiB ? 1 : 0)} MiB`;

// Renderer CPU (all threads of the renderer processes: the page, its WebRTC threads) between the
// page's marks, as bench/run.js measures it.
const rendererNs = rendererCpu();
const cpuSnapshot = (refresh) => rendererNs(refresh).total;
const marks = {};

// A run that takes longer than this is stuck (say where it was, reload the page, go on): by
// default 30 s plus the bytes at 3 MB/s.
const runTimeout = (bytes) => Number(args['run-timeout'] ?? 30000 + bytes / 3000);
async function call(page, fn, timeoutMs, ...params) {
  let timer;
  const stuck = new Promise((_, reject) => {
    timer = setTimeout(async () => {
      const where = await page.evaluate(() => {
        const s = window.bench.state;
        return JSON.stringify({ ...s, ours: s.ours?.(), ago: performance.now() - s.at });
      }).catch((e) => e.message);
      reject(new Error(`transfer bench: ${fn}(${JSON.stringify(params)}) still running after ${timeoutMs} ms; page state ${where}`));
    }, timeoutMs);
  });
  try {
    delete marks.start;
    delete marks.end;
    const res = await Promise.race([page.evaluate(([f, p]) => window.bench[f](...p), [fn, params]), stuck]);
    if (res && typeof res === 'object' && marks.start != null && marks.end != null) res.cpuMs = (marks.end - marks.start) / 1e6;
    return res;
  } finally {
    clearTimeout(timer);
  }
}

// A run that fails or sticks is reported and the page reloaded (which ends its peers), so the
// rounds after it still run; the failures go into the results.
let reloadPage = null;
async function attempt(page, failures, fn, timeoutMs, ...params) {
  try {
    return await call(page, fn, timeoutMs, ...params);
  } catch (e) {
    const message = String(e.message).split('\n')[0];
    console.error(`  FAILED ${fn} ${params[0]}: ${message}`);
    failures.push({ fn, variant: params[0], message });
    await reloadPage();
    return null;
  }
}

async function speedScenario(page) {
  const s = SPEED;
  log(`\nspeed: ${mib(s.total)} in one page, ${s.reps} rounds of ${s.variants.join(', ')}, order alternating (load ${load()})`);
  const runs = Object.fromEntries(s.variants.map((v) => [v, []]));
  const unavailable = {};
  const failures = [];
  await attempt(page, failures, 'speed', runTimeout(8 * MiB), 'raw', { total: 8 * MiB, chunk: CHUNK });  // warm-up
  for (let r = 0; r < s.reps; r++) {
    const order = r % 2 ? [...s.variants].reverse() : s.variants;
    for (const v of order) {
      if (unavailable[v]) continue;
      const res = await attempt(page, failures, 'speed', runTimeout(s.total), v, { total: s.total, chunk: CHUNK });
      if (!res) continue;
      if (res.unavailable) {
        unavailable[v] = res.unavailable;
        log(`  ${v}: skipped (${res.unavailable})`);
        continue;
      }
      const cpuMsPerMB = res.cpuMs / (res.bytes / 1e6);
      runs[v].push({ round: r, mbPerS: res.mbPerS, ms: res.ms, cpuMsPerMB, ...(v.startsWith('sendFile') ? { senderMs: res.senderMs, receiverMs: res.receiverMs, senderSeconds: res.senderSeconds, receiverSeconds: res.receiverSeconds, sha256: res.sha256 } : {}) });
      log(`  round ${r + 1} ${v.padEnd(8)} ${fmt(res.mbPerS).padStart(6)} MB/s  (${fmt(res.ms, 0)} ms; renderer CPU ${fmt(cpuMsPerMB)} ms/MB${v.startsWith('sendFile') ? `; sender resolved at ${fmt(res.senderMs, 0)} ms, receiver at ${fmt(res.receiverMs, 0)} ms; sha256 ${res.sha256?.slice(0, 16)}…` : ''})`);
    }
  }
  const med = Object.fromEntries(s.variants.map((v) => [v, median(runs[v].map((x) => x.mbPerS))]));
  const cpu = Object.fromEntries(s.variants.map((v) => [v, median(runs[v].map((x) => x.cpuMsPerMB))]));
  const perRound = (a, b) => (runs[a]?.length && runs[b]?.length
    ? runs[a].map((x) => { const y = runs[b].find((z) => z.round === x.round); return y ? x.mbPerS / y.mbPerS : NaN; }).filter(Number.isFinite)
    : []);
  const ratios = perRound('sendFile', 'loop');
  return {
    total: s.total, chunk: CHUNK, reps: s.reps, load: load(), unavailable, failures,
    medianMBps: med,
    cpuMsPerMB: cpu,
    ratioSendFileLoop: med.sendFile / med.loop,
    roundRatiosSendFileLoop: ratios,
    medianRoundRatioSendFileLoop: median(ratios),
    ratioLoopRaw: med.loop / med.raw,
    ratioSendFileRaw: med.sendFile / med.raw,
    runs,
  };
}

async function chatScenario(page) {
  const s = CHAT;
  log(`\nchat: 16 B on a second channel every ${s.intervalMs} ms beside ${s.transfers} × ${mib(s.each)}, one page, ${s.reps} rounds of ${s.variants.join(', ')} (load ${load()})`);
  const lat = Object.fromEntries(s.variants.map((v) => [v, []]));
  const runs = Object.fromEntries(s.variants.map((v) => [v, []]));
  const unavailable = {};
  const failures = [];
  for (let r = 0; r < s.reps; r++) {
    const order = r % 2 ? [...s.variants].reverse() : s.variants;
    for (const v of order) {
      if (unavailable[v]) continue;
      const res = await attempt(page, failures, 'chat', runTimeout(s.each * s.transfers), v, { each: s.each, transfers: s.transfers, chunk: CHUNK, intervalMs: s.intervalMs });
      if (!res) continue;
      if (res.unavailable) {
        unavailable[v] = res.unavailable;
        log(`  ${v}: skipped (${res.unavailable})`);
        continue;
      }
      lat[v].push(...res.latencies);
      runs[v].push({ round: r, mbPerS: res.mbPerS, ms: res.ms, chats: res.chats, p50: quantile(res.latencies, 0.5), p99: quantile(res.latencies, 0.99), max: Math.max(...res.latencies) });
      log(`  round ${r + 1} ${v.padEnd(8)} chat p50 ${fmt(quantile(res.latencies, 0.5), 2).padStart(8)} ms  p99 ${fmt(quantile(res.latencies, 0.99), 2).padStart(8)} ms  max ${fmt(Math.max(...res.latencies), 0)} ms  (${res.chats} chats; transfers ${fmt(res.mbPerS)} MB/s together)`);
    }
  }
  return {
    each: s.each, transfers: s.transfers, chunk: CHUNK, intervalMs: s.intervalMs, reps: s.reps, load: load(), unavailable, failures,
    variants: Object.fromEntries(s.variants.filter((v) => lat[v].length).map((v) => [v, {
      samples: lat[v].length,
      p50: quantile(lat[v], 0.5),
      p99: quantile(lat[v], 0.99),
      max: Math.max(...lat[v]),
      medianRunP99: median(runs[v].map((x) => x.p99)),
      mbPerS: median(runs[v].map((x) => x.mbPerS)),
      runs: runs[v],
    }])),
  };
}

async function memoryScenario(page, cdp) {
  const s = MEMORY;
  log(`\nmemory: ${mib(s.total)} by sendFile into an OPFS file, heaps sampled every ${s.sampleMs} ms (load ${load()})`);
  await cdp.send('HeapProfiler.collectGarbage');
  const failures = [];
  const res = await attempt(page, failures, 'memory', runTimeout(s.total), { total: s.total, sampleMs: s.sampleMs });
  if (!res) {
    // a stuck run's OPFS file is still there (its finally never ran): remove it
    const removed = await page.evaluate(() => window.bench.opfsClean()).catch((e) => e.message);
    return { failures, total: s.total, opfsRemoved: removed };
  }
  if (res.unavailable) {
    log(`  skipped (${res.unavailable})`);
    return { unavailable: res.unavailable, total: s.total };
  }
  const left = (await call(page, 'opfsList', 30000)).filter((f) => f.name.startsWith('transfer-bench-'));
  const js = res.samples.map((x) => x.jsHeap);
  const wasm = res.samples.map((x) => x.wasmHeap);
  const out = {
    total: s.total, load: load(), failures, mbPerS: res.mbPerS, ms: res.ms, sha256: res.sha256, fileSize: res.fileSize,
    cpuMsPerMB: res.cpuMs / (s.total / 1e6),
    preciseMemory: res.preciseMemory, sampleMs: s.sampleMs, samples: res.samples.length,
    jsHeap: { before: res.before.jsHeap, max: Math.max(...js), median: median(js), min: Math.min(...js) },
    wasmHeap: { before: res.before.wasmHeap, max: Math.max(...wasm), median: median(wasm), min: Math.min(...wasm) },
    opfsLeftBehind: left,
    // every 10th sample (every 5 s), for a look at the trend
    trace: res.samples.filter((_, i) => i % 10 === 0).map((x) => ({ t: Math.round(x.t), jsHeap: x.jsHeap, wasmHeap: x.wasmHeap, sent: x.sent, received: x.received })),
  };
  const m = (n) => `${fmt(n / MiB)} MiB`;
  log(`  ${fmt(out.mbPerS)} MB/s (${fmt(out.ms / 1000)} s; renderer CPU ${fmt(out.cpuMsPerMB)} ms/MB); OPFS file ${out.fileSize} B of ${s.total}; sha256 ${out.sha256?.slice(0, 16)}…`);
  log(`  JS heap: before ${m(out.jsHeap.before)}, max ${m(out.jsHeap.max)}, median ${m(out.jsHeap.median)} (${out.samples} samples)`);
  log(`  WASM heap in use: before ${m(out.wasmHeap.before)}, max ${m(out.wasmHeap.max)}, median ${m(out.wasmHeap.median)}`);
  if (left.length) log(`  OPFS files left behind: ${JSON.stringify(left)}`);
  return out;
}

function report(fresh) {
  let results = fresh;
  if (write && (args.only || QUICK)) {
    try {
      const old = JSON.parse(fs.readFileSync(path.join(HERE, 'transfer-results.json'), 'utf8'));
      results = {
        ...old,
        ...Object.fromEntries(Object.entries(fresh).filter(([, v]) => v != null)),
        partialRuns: [...(old.partialRuns ?? []), { date: fresh.date, only, quick: QUICK, loadAtStart: fresh.loadAtStart }],
        date: old.date,
        loadAtStart: old.loadAtStart,
      };
    } catch {
      // nothing on file yet
    }
  }
  const md = [];
  md.push(`Measured with \`node bench/transfer-run.js\` (part of \`npm run bench\`, ${results.date.slice(0, 10)}): ${results.machine}, ${results.browser}, ` +
    `both peers in one page, loopback${results.commit ? `, commit ${results.commit}` : ''}; load average ${results.loadAtStart} at the start. Library peers use \`maxBufferedAmount\` 1 MiB / \`lowWaterMark\` 256 KiB, ` +
    'the raw sender keeps at most 1 MiB buffered and resumes at 256 KiB (`bufferedamountlow`). Messages of 64 KiB.');
  for (const r of results.partialRuns ?? []) md.push(`Re-measured ${r.date.slice(0, 16).replace('T', ' ')}: ${r.only.join(', ')}${r.quick ? ' (quick sizes)' : ''}${r.loadAtStart ? ` (load average ${r.loadAtStart} at its start)` : ''}.`);
  md.push('');
  const sp = results.speed;
  if (sp) {
    const cell = (v) => (Number.isFinite(sp.medianMBps[v]) ? `${fmt(sp.medianMBps[v])} MB/s (CPU ${fmt(sp.cpuMsPerMB[v])} ms/MB)` : `n/a${sp.unavailable?.[v] ? ` (${sp.unavailable[v]})` : ''}`);
    md.push(`| Speed, ${mib(sp.total)}, median of ${sp.reps} interleaved rounds (load average ${sp.load} at the end) | MB/s (renderer CPU per MB) |`);
    md.push('| --- | --- |');
    md.push(`| \`sendFile(blob)\` → discarding \`WritableStream\`, SHA-256 both sides, verified | ${cell('sendFile')} |`);
    md.push(`| \`send(chunk, 'file')\` loop, 64 KiB, \`channel-ready\` waits (same library pair) | ${cell('loop')} |`);
    md.push(`| raw \`RTCDataChannel\`, 64 KiB (context) | ${cell('raw')} |`);
    if (sp.medianMBps['sendFile-buffer'] != null) md.push(`| diagnostic: \`sendFile\` of a \`Uint8Array\` in memory (no Blob reads) | ${cell('sendFile-buffer')} |`);
    if (sp.medianMBps['loop-blob'] != null) md.push(`| diagnostic: the loop, chunks read from a Blob in 1 MiB slices (one read ahead) | ${cell('loop-blob')} |`);
    const rr = sp.roundRatiosSendFileLoop ?? [];
    md.push('', `**sendFile / loop: ${fmt(sp.ratioSendFileLoop, 2)}** (ratio of medians; per round ${rr.length ? rr.map((x) => fmt(x, 2)).join(', ') : 'n/a'}; target ≥ 0.9). ` +
      `loop / raw ${fmt(sp.ratioLoopRaw, 2)}, sendFile / raw ${fmt(sp.ratioSendFileRaw, 2)}.`, '');
  }
  const ch = results.chat;
  if (ch) {
    const names = {
      sendFile: `${ch.transfers} concurrent \`sendFile()\`s on \`file\`, chat on \`reliable\``,
      loop: `${ch.transfers} concurrent \`send(chunk, 'file')\` loops, chat on \`reliable\``,
      raw: 'one raw channel with the same bytes, chat on a second raw channel',
    };
    md.push(`| Chat, 16 B every ${ch.intervalMs} ms beside ${ch.transfers} × ${mib(ch.each)} (${ch.reps} rounds; load average ${ch.load} at the end) | chat p50 | chat p99 | max | samples | transfers MB/s (together) |`);
    md.push('| --- | --- | --- | --- | --- | --- |');
    for (const [v, s] of Object.entries(ch.variants)) md.push(`| ${names[v] ?? v} | ${fmt(s.p50)} ms | ${fmt(s.p99)} ms | ${fmt(s.max, 0)} ms | ${s.samples} | ${fmt(s.mbPerS)} |`);
    for (const [v, why] of Object.entries(ch.unavailable ?? {})) md.push(`| ${names[v] ?? v} | n/a (${why}) | | | | |`);
    md.push('');
  }
  const me = results.memory;
  if (me) {
    if (me.unavailable) {
      md.push(`Memory, ${mib(me.total)} into OPFS: n/a (${me.unavailable}).`, '');
    } else if (!me.jsHeap) {
      md.push(`Memory, ${mib(me.total)} into OPFS: failed (${me.failures?.[0]?.message}).`, '');
    } else {
      const m = (n) => `${fmt(n / MiB)} MiB`;
      md.push(`| ${mib(me.total)} by \`sendFile\` into an OPFS file (${fmt(me.mbPerS)} MB/s, ${fmt(me.ms / 1000, 0)} s; load average ${me.load} at the end) | before | max | median |`);
      md.push('| --- | --- | --- | --- |');
      md.push(`| JS heap, both peers (\`performance.memory.usedJSHeapSize\`${me.preciseMemory ? ', precise' : ''}), ${me.samples} samples every ${me.sampleMs} ms | ${m(me.jsHeap.before)} | ${m(me.jsHeap.max)} | ${m(me.jsHeap.median)} |`);
      md.push(`| WASM heap in use (\`heapUsed()\`) | ${m(me.wasmHeap.before)} | ${m(me.wasmHeap.max)} | ${m(me.wasmHeap.median)} |`);
      md.push('', `The OPFS file held ${me.fileSize} B of ${me.total} at the end${me.opfsLeftBehind?.length ? `; left behind: ${me.opfsLeftBehind.map((f) => f.name).join(', ')}` : ' and was deleted'}.`, '');
    }
  }
  const failed = ['speed', 'chat', 'memory'].flatMap((k) => (results[k]?.failures ?? []).map((f) => `${k} ${f.variant}: ${f.message}`));
  if (failed.length) md.push('Runs that failed or stuck (not in the figures above):', '', ...failed.map((f) => `- ${f.replace(/\|/g, '/')}`), '');
  const text = md.join('\n');
  log(`\n${text}`);
  if (fresh.seconds != null) log(`(${fresh.seconds} s; load average at the end ${fresh.loadAtEnd})`);
  if (!write) {
    log('(bench/transfer-results.* left as they were: a quick or partial run; add --write to merge it into them)');
    return;
  }
  fs.writeFileSync(path.join(HERE, 'transfer-results.json'), `${JSON.stringify(results, null, 2)}\n`);
  fs.writeFileSync(path.join(HERE, 'transfer-results.md'), `${text}\n`);
  log('wrote bench/transfer-results.json and bench/transfer-results.md');
}

async function main() {
  const started = Date.now();
  const server = await startServer({ port: 0 });
  const browser = await chromium.launch({ ...chromiumLaunch, args: [...chromiumLaunch.args, '--enable-precise-memory-info'] });
  const results = {
    date: new Date().toISOString(),
    machine: machine(),
    loadAtStart: load(),
    browser: `Chromium ${browser.version()}`,
    quick: QUICK,
    commit: (() => { try { return execFileSync('git', ['-C', HERE, 'describe', '--always', '--dirty'], { encoding: 'utf8' }).trim(); } catch { return null; } })(),
    speed: null,
    chat: null,
    memory: null,
  };
  try {
    const context = await browser.newContext();
    await context.exposeFunction('benchMark', (label) => {
      marks[label] = cpuSnapshot();
      return true;
    });
    const page = await context.newPage();
    page.on('pageerror', (e) => console.error(`[page error] ${e.message}`));
    page.on('console', (m) => {
      if ((m.type() === 'error' || m.type() === 'warning') && !m.text().includes('404')) console.error(`[page ${m.type()}] ${m.text()}`);
    });
    reloadPage = async () => {
      await page.goto(`${server.url}bench/transfer-bench.html`);
      await page.waitForFunction(() => window.benchReady === true, null, { timeout: 20000 });
      cpuSnapshot(true);
    };
    await reloadPage();
    cpuSnapshot(true);
    const cdp = await context.newCDPSession(page);
    results.sendFile = await page.evaluate(() => window.bench.hasSendFile());
    if (!results.sendFile) log('(peer.sendFile is not in this build of dist/: its rows are skipped)');
    if (only.includes('speed')) results.speed = await speedScenario(page);
    if (only.includes('chat')) results.chat = await chatScenario(page);
    if (only.includes('memory')) results.memory = await memoryScenario(page, cdp);
  } finally {
    await browser.close().catch(() => {});
    await server.close();
  }
  results.loadAtEnd = load();
  results.seconds = Math.round((Date.now() - started) / 1000);
  report(results);
}

// --report: the tables again from bench/transfer-results.json, no browser.
const rerender = () => {
  const results = JSON.parse(fs.readFileSync(path.join(HERE, 'transfer-results.json'), 'utf8'));
  delete results.seconds;
  report(results);
};
(args.report ? Promise.resolve().then(rerender) : main()).catch((e) => {
  console.error(e);
  process.exit(1);
});
