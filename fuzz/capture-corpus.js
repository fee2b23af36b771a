#!/usr/bin/env node
// Regenerates the fuzz seed corpus (fuzz/corpus/<target>/) from real browser traffic.
//
//   npm run build                      # dist/: the library build the capture page runs
//   node fuzz/capture-corpus.js        # or: --browsers chromium | firefox | chromium,firefox
//   node fuzz/capture-corpus.js --reconvert   # rewrites the seeds from the last capture's JSON
//
// Needs Debian's /usr/bin/chromium, /usr/bin/firefox-esr (`apt-get install -y
// --no-install-recommends firefox-esr`) and coturn's /usr/bin/turnserver (toolchain/setup.sh
// installs Chromium and coturn). No Playwright: each browser is started headless on
// fuzz/capture-page.html, served here on 127.0.0.1, and posts back what it saw (Firefox with
// media.peerconnection.ice.loopback so it offers loopback candidates). Two coturn processes on
// loopback are the STUN/TURN servers, plus a port where nothing listens (a server that never
// answers). All traffic stays on 127.0.0.1.
//
// What each target gets, per browser (files named <browser>-...; a rerun replaces them):
//   ice_candidate   candidate lines from trickle, NAT-style gathering, the library's own peers, and
//                   the a=candidate lines of the final SDPs
//   sdp_facts       offers and answers (plain pairs and library peers: a=max-message-size lines)
//   probe_codec     the library's hello, acks and probes as sent on `wre`/`wre-probe`
//   library_peer    those messages, as the far end sent them, with their timing, the app's sends
//                   and the user-message sizes, in the target's record format
//   config          the library configs the capture ran with, and the browser's getConfiguration()
//   nat_classifier  gathering runs as the library makes them (one connection per server plus one
//                   asking all: candidates, errors, completion, timing, by connection) and
//                   getStats() candidate sets, in the target's line format
// The raw captures are kept in build/capture/<browser>.json (for inspection and --reconvert).
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { freePortBlock } from '../e2e/support/ports.js';
import { startTurn } from '../e2e/support/turn.js';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const CORPUS = path.join(ROOT, 'fuzz', 'corpus');
const BROWSERS = {
  chromium: {
    exe: '/usr/bin/chromium',
    args: (profile, url) => ['--headless=new', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
      '--disable-background-networking', '--disable-component-update', '--disable-sync',
      '--autoplay-policy=no-user-gesture-required', `--user-data-dir=${profile}`, url],
  },
  firefox: {
    exe: '/usr/bin/firefox-esr',
    prefs: {
      'media.peerconnection.ice.loopback': true,
      'browser.shell.checkDefaultBrowser': false,
      'browser.startup.homepage_override.mstone': 'ignore',
      'datareporting.policy.dataSubmissionEnabled': false,
      'toolkit.telemetry.reportingpolicy.firstRun': false,
      'app.update.enabled': false,
      'app.normandy.enabled': false,
      'extensions.update.enabled': false,
      'browser.safebrowsing.update.enabled': false,
      'network.captive-portal-service.enabled': false,
      'network.connectivity-service.enabled': false,
      'browser.newtabpage.enabled': false,
    },
    args: (profile, url) => ['--headless', '--no-remote', '--profile', profile, url],
  },
};
const LIBRARY_MAX_LEN = 4096;  // toolchain/fuzz.sh's -max_len for library_peer

function argValue(name, fallback) {
  const i = process.argv.indexOf(name);
  return i >= 0 ? process.argv[i + 1] : fallback;
}

// ---- capture -----------------------------------------------------------------------------------

function serve(onLog, onResult) {
  const types = { '.html': 'text/html', '.js': 'text/javascript', '.wasm': 'application/wasm', '.json': 'application/json' };
  const server = http.createServer((req, res) => {
    const url = new URL(req.url, 'http://127.0.0.1');
    if (req.method === 'POST') {
      const chunks = [];
      req.on('data', (c) => chunks.push(c));
      req.on('end', () => {
        const body = Buffer.concat(chunks).toString('utf8');
        if (url.pathname === '/log') onLog(body);
        if (url.pathname === '/result') onResult(JSON.parse(body));
        res.end('ok');
      });
      return;
    }
    const file = path.normalize(path.join(ROOT, decodeURIComponent(url.pathname)));
    const allowed = file === path.join(ROOT, 'fuzz', 'capture-page.html') || file.startsWith(path.join(ROOT, 'dist') + path.sep);
    if (!allowed || !fs.existsSync(file)) {
      res.writeHead(404).end();
      return;
    }
    res.writeHead(200, { 'content-type': types[path.extname(file)] || 'application/octet-stream' });
    fs.createReadStream(file).pipe(res);
  });
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve(server)));
}

async function capture(name, port, servers) {
  const spec = BROWSERS[name];
  if (!fs.existsSync(spec.exe)) throw new Error(`${spec.exe} not found`);
  const profile = fs.mkdtempSync(path.join(os.tmpdir(), `wre-capture-${name}-`));
  if (spec.prefs) {
    const lines = Object.entries(spec.prefs).map(([k, v]) => `user_pref(${JSON.stringify(k)}, ${JSON.stringify(v)});`);
    fs.writeFileSync(path.join(profile, 'user.js'), `${lines.join('\n')}\n`);
  }
  const url = `http://127.0.0.1:${port}/fuzz/capture-page.html?browser=${name}&servers=${encodeURIComponent(JSON.stringify(servers))}`;
  const child = spawn(spec.exe, spec.args(profile, url), { detached: true, stdio: 'ignore' });
  try {
    return await new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`${name}: no result within 240 s`)), 240_000);
      child.once('exit', (code) => reject(new Error(`${name} exited early (${code})`)));
      pending.set(name, (result) => {
        clearTimeout(timer);
        resolve(result);
      });
    });
  } finally {
    try {
      process.kill(-child.pid, 'SIGKILL');  // the browser's own process group
    } catch {
      // already gone
    }
    await new Promise((r) => setTimeout(r, 500));
    fs.rmSync(profile, { recursive: true, force: true });
  }
}
const pending = new Map();

// ---- corpus files --------------------------------------------------------------------------------

function writeTarget(target, browser, files) {
  const dir = path.join(CORPUS, target);
  fs.mkdirSync(dir, { recursive: true });
  for (const f of fs.readdirSync(dir)) if (f.startsWith(`${browser}-`)) fs.rmSync(path.join(dir, f));
  for (const [name, content] of files) fs.writeFileSync(path.join(dir, `${browser}-${name}`), content);
  console.log(`capture: ${browser}: ${files.length} seeds for ${target}`);
}

const tokens = (line) => line.replace(/^a=/, '').replace(/^candidate:/, '').trim().split(/\s+/);

function family(address) {
  if (/\.local$/i.test(address)) return 'mdns';
  if (address.includes(':')) return 'ipv6';
  return /^[0-9.]+$/.test(address) ? 'ipv4' : 'name';
}

function sdpsOf(cap) {
  const out = [];
  for (const r of cap.raw) {
    out.push([`${r.name}-offer`, r.offer], [`${r.name}-answer`, r.answer]);
    out.push([`${r.name}-offer-gathered`, r.localOffer], [`${r.name}-answer-gathered`, r.localAnswer]);
  }
  if (cap.library) out.push(['library-offer', cap.library.offer], ['library-answer', cap.library.answer]);
  return out.filter(([, sdp]) => typeof sdp === 'string' && sdp.length > 0);
}

function candidateSeeds(cap) {
  const lines = [];
  for (const r of cap.raw) for (const c of [...r.cands.a, ...r.cands.b]) lines.push(c.candidate);
  for (const g of cap.gathers) for (const e of g.events) if (e.kind === 'cand') lines.push(e.candidate);
  if (cap.library) for (const c of cap.library.candidates) if (c.candidate) lines.push(c.candidate);
  for (const [, sdp] of sdpsOf(cap)) for (const l of sdp.split(/\r?\n/)) if (l.startsWith('a=candidate:')) lines.push(l);
  // One seed per shape (type, transport, tcptype, address family, attributes, prefix).
  const shapes = new Map();
  for (const line of lines) {
    const t = tokens(line);
    const attrs = [];
    for (let i = 8; i + 1 < t.length; i += 2) attrs.push(t[i]);
    const shape = [line.startsWith('a=') ? 'sdp' : 'trickle', t[2], t[7], family(t[4] || ''), attrs.join(',')].join(' ');
    if (!shapes.has(shape)) shapes.set(shape, line);
  }
  return [...shapes.values()].map((line, i) => {
    if (!line.trim()) return [`end-of-candidates-${i}`, line];
    const t = tokens(line);
    return [`${t[7]}-${(t[2] || '').toLowerCase()}-${family(t[4] || '')}${line.startsWith('a=') ? '-sdp' : ''}-${i}`, line];
  });
}

function unique(files) {
  const seen = new Set();
  return files.filter(([, content]) => {
    const key = Buffer.from(content).toString('base64');
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}

function probeCodecSeeds(cap) {
  if (!cap.library) return [];
  const lib = cap.library.sends.filter((s) => s.hex);
  const out = [];
  const bytes = (s) => Buffer.from(s.hex, 'hex');
  const hello = lib.find((s) => bytes(s)[0] === 0x57);
  if (hello) out.push(['hello', bytes(hello)]);
  lib.filter((s) => s.channel === 4 && bytes(s)[0] === 0x41).slice(0, 8).forEach((s, i) => out.push([`ack-${i}`, bytes(s)]));
  const probes = lib.filter((s) => s.channel === 5);
  const echo = (b) => b.readDoubleLE(21) >= 0;
  probes.filter((s) => !echo(bytes(s))).slice(0, 3).forEach((s, i) => out.push([`probe-${i}`, bytes(s)]));
  probes.filter((s) => echo(bytes(s))).slice(0, 6).forEach((s, i) => out.push([`probe-echo-${i}`, bytes(s)]));
  return unique(out);
}

// library_peer records (see fuzz/library_peer.cpp): the far end's messages as our peer receives
// them, our app's sends (each followed by the browser draining that channel), the gaps between.
function libraryPeerSeeds(cap) {
  if (!cap.library) return [];
  const { sends, pcA, pcB, configs } = cap.library;
  const out = [];
  const waits = (ms) => {
    const parts = [];
    for (let gap = Math.round(ms); gap > 0; gap -= 65535) {
      const w = Buffer.alloc(3);
      w[0] = 2;
      w.writeUInt16LE(Math.min(gap, 65535), 1);
      parts.push(w);
    }
    return parts;
  };
  for (const [us, far, name] of [[pcA, pcB, 'a'], [pcB, pcA, 'b']]) {
    const interval = configs[name === 'a' ? 0 : 1].metricsInterval ?? 5000;
    const head = Buffer.from([Math.round((interval - 100) / 100) % 50]);
    const helloHex = sends.find((s) => s.pc === far && s.channel === 4 && s.hex.startsWith('57'))?.hex;
    const hello = helloHex ? Buffer.concat([Buffer.from([0, (4 << 1) | 0]), Buffer.from(helloHex, 'hex')]) : null;
    const records = [];  // [page time, record]
    for (const s of sends) {
      if (s.pc === far && s.hex !== undefined) {
        const b = Buffer.from(s.hex, 'hex');
        if (b.length <= 127) records.push([s.t, Buffer.concat([Buffer.from([0, (b.length << 1) | (s.channel - 4)]), b])]);
      } else if (s.pc === far && s.channel < 4) {
        const r = Buffer.alloc(6);
        r[0] = 1;
        r[1] = s.channel;
        r.writeUInt32LE(s.size, 2);
        records.push([s.t, r]);
      } else if (s.pc === us && s.channel < 4) {
        const r = Buffer.alloc(4);
        r[0] = 4;
        r[1] = s.channel;
        r.writeUInt16LE(Math.min(s.size, 65535), 2);
        records.push([s.t, Buffer.concat([r, Buffer.from([5, s.channel])])]);
      }
    }
    // Both peers ran in one page, so probe times are that page's clock: each seed's replay starts
    // its clock there (a wait up to its first record), so echoes of our probes give real round
    // trips. Seeds of at most LIBRARY_MAX_LEN bytes; each later one starts with the far end's hello.
    let piece = null;
    let clock = 0;
    let n = 0;
    const flush = () => {
      if (piece) out.push([`far-${name === 'a' ? 'b' : 'a'}-${n++}`, Buffer.concat(piece)]);
      piece = null;
    };
    for (const [t, r] of records) {
      if (piece && piece.reduce((k, b) => k + b.length, 0) + r.length + 6 > LIBRARY_MAX_LEN) flush();
      if (n >= 6) break;
      if (!piece) {
        piece = [head];
        if (n > 0 && hello) piece.push(...waits(t - 1), hello);
        clock = n > 0 ? Math.round(t - 1) : 0;
      }
      piece.push(...waits(t - clock), r);
      clock += Math.max(0, Math.round(t - clock));
    }
    flush();
  }
  return out;
}

function configSeeds(cap) {
  const out = [];
  if (cap.library) cap.library.configs.forEach((c, i) => out.push([`library-${i}`, JSON.stringify(c, null, 1)]));
  for (const r of cap.raw) {
    out.push([`rtc-config-${r.name}`, JSON.stringify(r.config)]);
    out.push([`getconfiguration-${r.name}`, JSON.stringify(r.configuration)]);
  }
  return unique(out);
}

const ms = (x) => Math.round(x * 10) / 10;

// The nat_classifier line format (fuzz/nat_classifier.cpp): events by connection number.
function natSeeds(cap) {
  const out = [];
  for (const g of cap.gathers) {
    const lines = g.urls.map((u) => `stun ${u}`);
    let last = 0;
    for (const e of g.events) {
      if (e.t > last) lines.push(`wait ${ms(e.t - last)}`);
      last = Math.max(last, e.t);
      if (e.kind === 'cand') lines.push(`cand ${e.conn}\t${e.candidate}`);
      else if (e.kind === 'err') lines.push(`err ${e.conn}\t${e.url}\t${e.errorCode}\t${e.errorText}`);
      else lines.push(`done ${e.conn}`);
    }
    out.push([`gather-${g.name}`, `${lines.join('\n')}\n`]);
  }
  // getStats() candidate sets, written back as candidate lines of each connection.
  const fromStats = (statsByConn, urls, name) => {
    const lines = urls.map((u) => `stun ${u}`);
    statsByConn.forEach((stats, conn) => {
      // (Chromium reports no address for an mDNS host candidate: nothing to write.)
      for (const s of stats.filter((x) => x.type === 'local-candidate' && x.address)) {
        let line = `candidate:${s.foundation || '1'} 1 ${s.protocol} ${s.priority} ${s.address} ${s.port} typ ${s.candidateType}`;
        if (s.relatedAddress) line += ` raddr ${s.relatedAddress} rport ${s.relatedPort ?? 0}`;
        if (s.tcpType) line += ` tcptype ${s.tcpType}`;
        lines.push(`cand ${conn}\t${line}`);
      }
      lines.push(`done ${conn}`);
    });
    out.push([name, `${lines.join('\n')}\n`]);
  };
  for (const g of cap.gathers) if (g.stats.some((s) => s.length)) fromStats(g.stats, g.urls, `stats-gather-${g.name}`);
  for (const r of cap.raw) {
    const urls = (r.config.iceServers || []).flatMap((s) => [].concat(s.urls));
    if (r.statsA.length) fromStats([r.statsA], urls, `stats-pair-${r.name}`);
  }
  return out;
}

// ---- main --------------------------------------------------------------------------------------

function writeCorpus(browser, cap) {
  // Port numbers differ on every run; the seeds keep the real ones of this run.
  writeTarget('ice_candidate', browser, candidateSeeds(cap));
  writeTarget('sdp_facts', browser, unique(sdpsOf(cap)));
  writeTarget('probe_codec', browser, probeCodecSeeds(cap));
  writeTarget('library_peer', browser, libraryPeerSeeds(cap));
  writeTarget('config', browser, configSeeds(cap));
  writeTarget('nat_classifier', browser, natSeeds(cap));
}

const browsers = argValue('--browsers', 'chromium,firefox').split(',').filter(Boolean);
if (process.argv.includes('--reconvert')) {
  for (const browser of browsers)
    writeCorpus(browser, JSON.parse(fs.readFileSync(path.join(ROOT, 'build', 'capture', `${browser}.json`), 'utf8')));
  process.exit(0);
}
if (!fs.existsSync(path.join(ROOT, 'dist', 'index.js'))) {
  console.error('capture: dist/ is missing: run `npm run build` first');
  process.exit(1);
}
const turnA = await startTurn();
const turnB = await startTurn();
const deadPort = await freePortBlock(1, { low: 33000, high: 34000 });
const server = await serve(
  (line) => console.log(`capture: ${line}`),
  (result) => pending.get(result.browser)?.(result),
);
const servers = {
  stunA: turnA.stunUrl,
  stunB: turnB.stunUrl,
  dead: `stun:127.0.0.1:${deadPort}`,
  turnUdp: turnA.urls,
  turnTcp: turnA.tcpUrls,
  user: turnA.username,
  pass: turnA.credential,
};
let failures = 0;
try {
  for (const browser of browsers) {
    let cap;
    try {
      cap = await capture(browser, server.address().port, servers);
    } catch (error) {
      console.error(`capture: ${browser}: ${error.message}`);
      failures++;
      continue;
    }
    fs.mkdirSync(path.join(ROOT, 'build', 'capture'), { recursive: true });
    fs.writeFileSync(path.join(ROOT, 'build', 'capture', `${browser}.json`), JSON.stringify(cap, null, 1));
    for (const p of cap.problems) console.error(`capture: ${browser}: ${p}`);
    writeCorpus(browser, cap);
  }
} finally {
  server.close();
  await turnA.stop();
  await turnB.stop();
}
process.exit(failures ? 1 : 0);
