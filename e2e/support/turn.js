// A real coturn on loopback for relay and outage tests.
//
//   const turn = await startTurn();          // free ports, user u / password p, realm test
//   new RTCPeerConnection({ iceServers: [turn.iceServer], iceTransportPolicy: 'relay' });
//   await turn.stop();                       // outage: every relayed connection is cut
//   await turn.restart();                    // back on the same ports
//
// Every process started here is killed when the Node process exits. Nothing is written outside a
// temporary folder (log to stdout, pid file and SQLite user db in the folder).
import { spawn } from 'node:child_process';
import crypto from 'node:crypto';
import dgram from 'node:dgram';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { freePortBlock } from './ports.js';

export const TURNSERVER = '/usr/bin/turnserver';
const HOST = '127.0.0.1';
const MAGIC = 0x2112a442;
const LOG_LINES = 300;

const live = new Set();
process.on('exit', () => {
  for (const child of live) {
    try {
      child.kill('SIGKILL');
    } catch {
      // already gone
    }
  }
});

// ---------------------------------------------------------------------------------------------
// STUN / TURN messages (RFC 5389 / 5766), just enough to probe a server.

function stunMessage(type, attrs = [], { integrityKey } = {}) {
  const body = [];
  for (const [attrType, value] of attrs) {
    const head = Buffer.alloc(4);
    head.writeUInt16BE(attrType, 0);
    head.writeUInt16BE(value.length, 2);
    body.push(head, value, Buffer.alloc((4 - (value.length % 4)) % 4));
  }
  const header = Buffer.alloc(20);
  header.writeUInt16BE(type, 0);
  header.writeUInt32BE(MAGIC, 4);
  crypto.randomBytes(12).copy(header, 8);
  let msg = Buffer.concat([header, ...body]);
  if (integrityKey) {
    // MESSAGE-INTEGRITY covers the message with its length already counting the 24-byte attribute.
    msg.writeUInt16BE(msg.length - 20 + 24, 2);
    const mac = crypto.createHmac('sha1', integrityKey).update(msg).digest();
    const head = Buffer.alloc(4);
    head.writeUInt16BE(0x0008, 0);
    head.writeUInt16BE(20, 2);
    msg = Buffer.concat([msg, head, mac]);
  } else {
    msg.writeUInt16BE(msg.length - 20, 2);
  }
  return msg;
}

function parseStun(buf) {
  if (buf.length < 20 || buf.readUInt32BE(4) !== MAGIC) return null;
  const attrs = new Map();
  let off = 20;
  const end = Math.min(buf.length, 20 + buf.readUInt16BE(2));
  while (off + 4 <= end) {
    const type = buf.readUInt16BE(off);
    const len = buf.readUInt16BE(off + 2);
    attrs.set(type, buf.subarray(off + 4, off + 4 + len));
    off += 4 + len + ((4 - (len % 4)) % 4);
  }
  return { type: buf.readUInt16BE(0), id: buf.subarray(8, 20), attrs };
}

function xorAddress(value) {
  // XOR-MAPPED-ADDRESS / XOR-RELAYED-ADDRESS, IPv4 only.
  if (!value || value.length < 8 || value[1] !== 0x01) return null;
  const port = value.readUInt16BE(2) ^ (MAGIC >>> 16);
  const ip = [0, 1, 2, 3].map((i) => value[4 + i] ^ ((MAGIC >>> (24 - 8 * i)) & 0xff)).join('.');
  return { address: ip, port };
}

/**
 * Runs `fn(ask)` with one UDP socket; `ask(msg)` sends a request and resolves the parsed answer
 * with the same transaction id, or null after `timeout` ms. One socket keeps one 5-tuple, which
 * coturn needs between a 401 challenge and the signed retry (else 438 Stale Nonce).
 */
async function withUdp(port, { host = HOST, timeout = 500 }, fn) {
  const sock = dgram.createSocket('udp4');
  const waiting = new Map();
  sock.on('error', () => {
    for (const done of waiting.values()) done(null);
  });
  sock.on('message', (buf) => {
    const answer = parseStun(buf);
    const key = answer?.id.toString('hex');
    if (key && waiting.has(key)) waiting.get(key)(answer);
  });
  const ask = (msg) =>
    new Promise((resolve) => {
      const key = msg.subarray(8, 20).toString('hex');
      const timer = setTimeout(() => done(null), timeout);
      const done = (answer) => {
        clearTimeout(timer);
        waiting.delete(key);
        resolve(answer);
      };
      waiting.set(key, done);
      sock.send(msg, port, host, (err) => err && done(null));
    });
  try {
    return await fn(ask);
  } finally {
    sock.close();
  }
}

/**
 * STUN binding request over UDP. Resolves the mapped address ({ address, port }) when the server
 * answers with a binding success (0x0101), or null when nothing answers within `timeout` ms.
 */
export async function stunBinding(port, { host = HOST, timeout = 500 } = {}) {
  const answer = await withUdp(port, { host, timeout }, (ask) => ask(stunMessage(0x0001)));
  if (!answer || answer.type !== 0x0101) return null;
  return xorAddress(answer.attrs.get(0x0020)) ?? { address: null, port: null };
}

/**
 * TURN Allocate over UDP with long-term credentials (the 401 challenge, then the signed request).
 * Resolves { relayed: { address, port } } on success, or { error: code } / null (no answer).
 */
export async function turnAllocate(port, { username, credential, host = HOST, timeout = 1000 }) {
  const transport = [0x0019, Buffer.from([17, 0, 0, 0])]; // REQUESTED-TRANSPORT: UDP
  return withUdp(port, { host, timeout }, async (ask) => {
    const first = await ask(stunMessage(0x0003, [transport]));
    if (!first) return null;
    if (first.type !== 0x0113) return { error: `unexpected answer 0x${first.type.toString(16)}` };
    const realm = first.attrs.get(0x0014);
    const nonce = first.attrs.get(0x0015);
    if (!realm || !nonce) return { error: 'no realm/nonce in challenge' };
    const key = crypto.createHash('md5').update(`${username}:${realm}:${credential}`).digest();
    const signed = stunMessage(
      0x0003,
      [[0x0006, Buffer.from(username)], [0x0014, realm], [0x0015, nonce], transport],
      { integrityKey: key },
    );
    const answer = await ask(signed);
    if (!answer) return null;
    if (answer.type === 0x0103) return { relayed: xorAddress(answer.attrs.get(0x0016)) };
    const err = answer.attrs.get(0x0009);
    return { error: err ? err[2] * 100 + err[3] : `answer 0x${answer.type.toString(16)}` };
  });
}

// ---------------------------------------------------------------------------------------------

class StartError extends Error {}

function launch({ port, minPort, maxPort, user, pass, realm, dir, logs }) {
  fs.mkdirSync(dir, { recursive: true });
  const args = [
    '-n', // no configuration file (/etc/turnserver.conf is never read)
    `--listening-ip=${HOST}`,
    `--relay-ip=${HOST}`,
    `--listening-port=${port}`,
    `--min-port=${minPort}`,
    `--max-port=${maxPort}`,
    '--lt-cred-mech',
    `--user=${user}:${pass}`,
    `--realm=${realm}`,
    '--no-tls',
    '--no-dtls',
    '--allow-loopback-peers',
    '--no-cli',
    '--log-file=stdout',
    '--simple-log',
    `--pidfile=${path.join(dir, 'turnserver.pid')}`,
    `--userdb=${path.join(dir, 'turndb')}`,
  ];
  const child = spawn(TURNSERVER, args, { cwd: dir, stdio: ['ignore', 'pipe', 'pipe'] });
  live.add(child);
  const exited = new Promise((resolve) => {
    child.once('exit', (code, signal) => {
      live.delete(child);
      resolve({ code, signal });
    });
    child.once('error', (err) => {
      live.delete(child);
      resolve({ code: null, signal: null, error: err });
    });
  });
  const keep = (chunk) => {
    for (const line of chunk.toString().split('\n')) {
      if (!line) continue;
      logs.push(line);
      if (logs.length > LOG_LINES) logs.shift();
    }
  };
  child.stdout.on('data', keep);
  child.stderr.on('data', keep);
  return { child, exited, args };
}

async function waitReady(proc, port, logs, deadlineMs) {
  const deadline = Date.now() + deadlineMs;
  let done = null;
  proc.exited.then((r) => (done = r));
  while (Date.now() < deadline) {
    if (done) {
      const why = done.error?.message ?? `code ${done.code}, signal ${done.signal}`;
      const tail = logs.slice(-20).join('\n');
      throw new StartError(`turnserver exited during start (${why}):\n${tail}`);
    }
    if (await stunBinding(port, { timeout: 150 })) return;
  }
  throw new Error(
    `turnserver did not answer STUN on ${HOST}:${port} within ${deadlineMs} ms:\n` +
      logs.slice(-20).join('\n'),
  );
}

async function terminate(proc) {
  if (!proc) return;
  if (proc.child.exitCode === null && proc.child.signalCode === null) {
    proc.child.kill('SIGTERM');
    const timer = setTimeout(() => proc.child.kill('SIGKILL'), 3000);
    await proc.exited;
    clearTimeout(timer);
  }
}

/**
 * Starts /usr/bin/turnserver on free loopback ports and waits until it answers STUN.
 * @param {{ user?: string, pass?: string, realm?: string, relayPorts?: number,
 *           startTimeout?: number }} [options]
 */
export async function startTurn({
  user = 'u',
  pass = 'p',
  realm = 'test',
  relayPorts = 40,
  startTimeout = 10_000,
} = {}) {
  if (!fs.existsSync(TURNSERVER)) {
    throw new Error(`${TURNSERVER} not found: run toolchain/setup.sh (Debian package coturn)`);
  }
  const logs = [];
  let proc = null;
  let dir = null;
  let ports;

  for (let attempt = 1; ; attempt++) {
    // Block layout: listening port, one spare (coturn's default alternate port), relay range.
    const base = await freePortBlock(relayPorts + 2);
    ports = { port: base, minPort: base + 2, maxPort: base + 1 + relayPorts };
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'wre-turn-'));
    proc = launch({ ...ports, user, pass, realm, dir, logs });
    try {
      await waitReady(proc, ports.port, logs, startTimeout);
      break;
    } catch (err) {
      await terminate(proc);
      fs.rmSync(dir, { recursive: true, force: true });
      // A port taken between the probe and the bind: try another block.
      if (!(err instanceof StartError) || attempt >= 5) throw err;
    }
  }

  const { port, minPort, maxPort } = ports;
  const urls = `turn:${HOST}:${port}?transport=udp`;
  const handle = {
    host: HOST,
    port,
    minPort,
    maxPort,
    urls,
    tcpUrls: `turn:${HOST}:${port}?transport=tcp`,
    stunUrl: `stun:${HOST}:${port}`,
    username: user,
    credential: pass,
    realm,
    /** For RTCPeerConnection's iceServers. */
    iceServer: { urls, username: user, credential: pass },
    get pid() {
      return proc?.child.pid ?? null;
    },
    get running() {
      return !!proc && proc.child.exitCode === null && proc.child.signalCode === null;
    },
    /** The last lines turnserver logged (for failure messages). */
    logs: () => logs.slice(),
    /** Kills the server and waits until it has exited. Safe to call twice. */
    async stop() {
      const p = proc;
      proc = null;
      await terminate(p);
      fs.rmSync(dir, { recursive: true, force: true });
    },
    /** Starts the server again on the same ports (stops it first if it is running). */
    async restart() {
      await handle.stop();
      const p = launch({ port, minPort, maxPort, user, pass, realm, dir, logs });
      try {
        await waitReady(p, port, logs, startTimeout);
      } catch (err) {
        await terminate(p);
        throw err;
      }
      proc = p;
    },
  };
  return handle;
}
