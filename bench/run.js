#!/usr/bin/env node
// npm run bench: figures, not pass/fail. Serves the repository on a free loopback port, opens
// bench/bench.html in Debian's Chromium (the e2e flags), runs each scenario several times with
// the variants interleaved (raw, ours, simple-peer, raw, ours, ...), takes medians, prints a
// table with ratios against a raw RTCDataChannel, and writes bench/results.json and
// bench/results.md (the README's table).
//
//   node bench/run.js                 # everything (about 2 minutes)
//   node bench/run.js --only=tp16,chat --reps=3
//
// Scenarios: tp16 (throughput, 16 KiB messages), tp256 (256 B messages), chat (chat latency
// under a saturating file transfer), heap (queued bytes vs WASM heap), profile (where the time
// of a send goes; patches the library, so it runs last in a page of its own).
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from '@playwright/test';
import { startServer } from '../toolchain/serve.js';
import playwrightConfig from '../playwright.config.js';

const HERE = path.dirname(fileURLToPath(import.meta.url));
const MiB = 1 << 20;

const args = Object.fromEntries(process.argv.slice(2).map((a) => {
  const [k, v] = a.replace(/^--/, '').split('=');
  return [k, v ?? true];
}));
const ALL = ['tp16', 'tp256', 'chat', 'heap', 'profile'];
const only = args.only ? String(args.only).split(',') : ALL;
for (const name of only) if (!ALL.includes(name)) throw new Error(`bench: unknown scenario ${name}; one of ${ALL.join(', ')}`);
const REPS = Number(args.reps ?? 5);
const CHAT_REPS = Number(args['chat-reps'] ?? 3);

const SCENARIOS = {
  tp16: { size: 16384, total: 32 * MiB },
  tp256: { size: 256, total: 30000 * 256 },
};
const TP_VARIANTS = ['raw', 'ours', 'simple-peer'];
const CHAT_VARIANTS = ['ours', 'raw-single', 'ours-single', 'simple-peer', 'raw-split'];
const CHAT = { fileBytes: 32 * MiB, fileChunk: 16384, intervalMs: 20 };

const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
};
const quantile = (xs, q) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.max(0, Math.ceil(q * s.length) - 1))];
};
const fmt = (x, digits = 1) => (Number.isFinite(x) ? x.toFixed(digits) : String(x));
const log = (...a) => console.log(...a);

async function openPage(browser, baseUrl) {
  const page = await browser.newPage();
  page.on('pageerror', (e) => console.error(`[page error] ${e.message}`));
  page.on('console', (m) => {
    if (m.type() === 'error' || m.type() === 'warning') console.error(`[page ${m.type()}] ${m.text()}`);
  });
  await page.goto(`${baseUrl}bench/bench.html`);
  await page.waitForFunction(() => window.benchReady === true, null, { timeout: 20000 });
  return page;
}

const call = (page, fn, ...params) => page.evaluate(([f, p]) => window.bench[f](...p), [fn, params]);

async function main() {
  const started = Date.now();
  const server = await startServer({ port: 0 });
  const browser = await chromium.launch({
    executablePath: playwrightConfig.use.launchOptions.executablePath,
    args: playwrightConfig.use.launchOptions.args,
  });
  const results = {
    date: new Date().toISOString(),
    machine: `${os.cpus().length} × ${os.cpus()[0]?.model ?? 'cpu'}, ${os.platform()} ${os.release()}`,
    browser: `Chromium ${browser.version()}`,
    bounds: null,
    throughput: {},
    chat: null,
    heap: null,
    profile: null,
  };
  try {
    let page = await openPage(browser, server.url);
    results.bounds = await page.evaluate(() => ({ HIGH: window.bench.HIGH, LOW: window.bench.LOW }));

    for (const name of ['tp16', 'tp256'].filter((n) => only.includes(n))) {
      const params = SCENARIOS[name];
      log(`\n${name}: ${params.total / MiB} MiB in ${params.size}-byte messages, ${REPS} rounds of ${TP_VARIANTS.join(', ')}`);
      const runs = Object.fromEntries(TP_VARIANTS.map((v) => [v, []]));
      await call(page, 'throughput', 'raw', { size: params.size, total: Math.min(params.total, 4 * MiB) });  // warm-up
      for (let r = 0; r < REPS; r++) {
        for (const v of TP_VARIANTS) {
          const res = await call(page, 'throughput', v, params);
          runs[v].push(res);
          log(`  round ${r + 1} ${v.padEnd(11)} ${fmt(res.mbPerS)} MB/s  ${fmt(res.msgPerS / 1000)} k msg/s  (${fmt(res.ms, 0)} ms)`);
        }
      }
      const med = Object.fromEntries(TP_VARIANTS.map((v) => [v, median(runs[v].map((x) => x.mbPerS))]));
      // Rounds are interleaved, so a round's ours/raw shares its conditions: report that too.
      const roundRatio = (v) => median(runs[v].map((x, i) => x.mbPerS / runs.raw[i].mbPerS));
      results.throughput[name] = {
        ...params,
        medianMBps: med,
        ratio: Object.fromEntries(TP_VARIANTS.map((v) => [v, med[v] / med.raw])),
        roundRatio: Object.fromEntries(TP_VARIANTS.map((v) => [v, roundRatio(v)])),
        runs: Object.fromEntries(TP_VARIANTS.map((v) => [v, runs[v].map((x) => ({ mbPerS: x.mbPerS, ms: x.ms }))])),
      };
    }

    if (only.includes('chat')) {
      log(`\nchat: 16-byte message every ${CHAT.intervalMs} ms during a ${CHAT.fileBytes / MiB} MiB transfer, ${CHAT_REPS} rounds of ${CHAT_VARIANTS.join(', ')}`);
      const lat = Object.fromEntries(CHAT_VARIANTS.map((v) => [v, []]));
      const fileRate = Object.fromEntries(CHAT_VARIANTS.map((v) => [v, []]));
      for (let r = 0; r < CHAT_REPS; r++) {
        for (const v of CHAT_VARIANTS) {
          const res = await call(page, 'chat', v, CHAT);
          lat[v].push(...res.latencies);
          fileRate[v].push(res.fileMbPerS);
          log(`  round ${r + 1} ${v.padEnd(11)} chat p50 ${fmt(quantile(res.latencies, 0.5), 2)} ms  p99 ${fmt(quantile(res.latencies, 0.99), 2)} ms  (${res.chats} chats; file ${fmt(res.fileMbPerS)} MB/s)`);
        }
      }
      results.chat = {
        ...CHAT,
        variants: Object.fromEntries(CHAT_VARIANTS.map((v) => [v, {
          samples: lat[v].length,
          p50: quantile(lat[v], 0.5),
          p99: quantile(lat[v], 0.99),
          max: Math.max(...lat[v]),
          fileMBps: median(fileRate[v]),
        }])),
      };
    }

    if (only.includes('heap')) {
      log('\nheap: 8 MiB queued before the channel opens');
      results.heap = [];
      for (const size of [65536, 16384, 256]) {
        const res = await call(page, 'heap', { size, total: 8 * MiB });
        results.heap.push(res);
        log(`  ${res.messages} × ${size} B: WASM heap +${res.heapGrowth} B (${fmt(res.perMessage)} B/message), after drain ${res.heapAfterDrain >= 0 ? '+' : ''}${res.heapAfterDrain} B; queued ${res.queuedBytes} B, received ${res.received} B`);
      }
    }

    if (only.includes('profile')) {
      await page.close();
      page = await openPage(browser, server.url);
      log('\nprofile: where the time of a 256-byte send goes');
      results.profile = await call(page, 'profile', { sends: 50000, size: 256 });
      log(JSON.stringify(results.profile, null, 2));
    }
    await page.close();
  } finally {
    await browser.close();
    await server.close();
  }
  results.seconds = Math.round((Date.now() - started) / 1000);
  report(results);
}

function report(results) {
  const md = [];
  const { HIGH, LOW } = results.bounds;
  md.push(`Measured with \`npm run bench\` on ${results.machine}, ${results.browser}, two peers in one page over loopback.`);
  md.push(`Every sender keeps at most ${HIGH / 1024} KiB in the browser's buffer and resumes at ${LOW / 1024} KiB.`, '');
  const tp = results.throughput;
  if (Object.keys(tp).length) {
    md.push('| Throughput (median) | raw `RTCDataChannel` | webrtc-enhanced `reliable` | ours / raw | simple-peer | simple-peer / raw |');
    md.push('| --- | --- | --- | --- | --- | --- |');
    for (const [name, t] of Object.entries(tp)) {
      const label = `${t.total / MiB >= 1 ? `${fmt(t.total / MiB, t.total % MiB ? 1 : 0)} MiB` : `${t.total} B`} in ${t.size >= 1024 ? `${t.size / 1024} KiB` : `${t.size} B`} messages`;
      const cell = (v) => `${fmt(t.medianMBps[v])} MB/s${t.size < 1024 ? ` (${fmt((t.medianMBps[v] * 1e6) / t.size / 1000)} k msg/s)` : ''}`;
      md.push(`| ${label} | ${cell('raw')} | ${cell('ours')} | **${fmt(t.ratio.ours, 2)}** | ${cell('simple-peer')} | ${fmt(t.ratio['simple-peer'], 2)} |`);
    }
    md.push('');
  }
  if (results.chat) {
    const c = results.chat;
    const names = {
      ours: 'webrtc-enhanced: file on `file`, chat on `reliable`',
      'ours-single': 'webrtc-enhanced: file and chat both on `reliable`',
      'raw-single': 'one raw `RTCDataChannel` carrying both',
      'simple-peer': 'simple-peer (one channel) carrying both',
      'raw-split': 'two raw `RTCDataChannel`s (file, chat)',
    };
    md.push(`| Chat latency during a ${c.fileBytes / MiB} MiB transfer (16 B every ${c.intervalMs} ms) | p50 | p99 | samples | file MB/s |`);
    md.push('| --- | --- | --- | --- | --- |');
    for (const [v, s] of Object.entries(c.variants)) {
      md.push(`| ${names[v] ?? v} | ${fmt(s.p50, 2)} ms | ${fmt(s.p99, 2)} ms | ${s.samples} | ${fmt(s.fileMBps)} |`);
    }
    const ours = c.variants.ours;
    const single = c.variants['raw-single'];
    if (ours && single) md.push('', `Chat p99 under load: ${fmt(single.p99 / ours.p99, 1)}× better than one shared raw channel${c.variants['ours-single'] ? `, ${fmt(c.variants['ours-single'].p99 / ours.p99, 1)}× better than our own \`reliable\` carrying both` : ''}.`);
    md.push('');
  }
  if (results.heap) {
    md.push('| 8 MiB queued before the channel opens | WASM heap growth | per message | heap after the queue drained |');
    md.push('| --- | --- | --- | --- |');
    for (const h of results.heap) {
      md.push(`| ${h.messages} × ${h.size >= 1024 ? `${h.size / 1024} KiB` : `${h.size} B`} | ${fmt(h.heapGrowth / 1024)} KiB (${fmt((100 * h.heapGrowth) / h.bytes, 2)} % of the data) | ${fmt(h.perMessage)} B | ${h.heapAfterDrain >= 0 ? '+' : ''}${h.heapAfterDrain} B |`);
    }
    md.push('');
  }
  const text = md.join('\n');
  log(`\n${text}`);
  log(`(${results.seconds} s)`);
  if (args.only && !args.write) {
    log('(a partial run: bench/results.* left as they were; add --write to replace them)');
    return;
  }
  fs.writeFileSync(path.join(HERE, 'results.json'), `${JSON.stringify(results, null, 2)}\n`);
  fs.writeFileSync(path.join(HERE, 'results.md'), `${text}\n`);
  log(`wrote ${path.relative(process.cwd(), path.join(HERE, 'results.json'))} and results.md`);
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
