// A NAT lab made of Linux network namespaces, for testing NAT type detection behind real NATs.
//
//   wre-priv-<id>  10.99.0.2/24 (p0)            the browser and the page's web server (127.0.0.1)
//        │ veth
//   wre-rtr-<id>   10.99.0.1/24 (r0), 10.98.0.1/24 (r1)   forwards; iptables NAT out of r1
//        │ veth
//   wre-pub-<id>   10.98.0.2/24 + 10.98.0.3/24 (u0)       two coturn STUN servers, one per address
//
//   const lab = await createLab({ nat: 'masquerade' });  // 'none' | 'masquerade' | 'random'
//   const out = await lab.node([script, arg], 45_000);   // a Node script inside wre-priv-<id>: it
//                                                        // launches the browser (nat-in-netns.js)
//   `${lab.baseURL}e2e/pages/harness.html`               // served inside wre-priv-<id>
//   lab.stunUrls     // ['stun:10.98.0.2:3478', 'stun:10.98.0.3:3478']
//   await lab.close();                                   // processes, namespaces, temp files
//
// NAT modes (in wre-rtr-<id>, POSTROUTING -o r1):
//   none        plain forwarding: the servers see 10.99.0.2 itself
//   masquerade  MASQUERADE: Linux keeps one mapping per local socket (endpoint-independent
//               mapping) and keeps the port when it can
//   random      MASQUERADE --random: a random port per destination (endpoint-dependent, symmetric)
//
// Nothing leaves the machine: the three namespaces are linked only to each other (no interface
// of the lab is in the root namespace), 10.98/10.99 exist only inside them, and the router has no
// default route. Every process is started with `ip netns exec` and killed by its pid; the
// namespaces (and with them the veth pairs) are deleted on close(), on process exit, and by the
// next run if a killed run left them behind, processes included (each lab records its owner pid
// and its children's pids in its temp folder).
// Needs root (CAP_NET_ADMIN/CAP_SYS_ADMIN), iproute2, iptables, coturn: see labSupport().
// WRE_NETNS_LAB=off turns the lab off (its tests then skip, loudly).
import { execFile, execFileSync, spawn } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { TURNSERVER } from './turn.js';

const HERE = path.dirname(fileURLToPath(import.meta.url));
const REPO_ROOT = path.resolve(HERE, '../..');
const IP = '/usr/sbin/ip';
const IPTABLES = '/usr/sbin/iptables';
const TMP_PREFIX = 'wre-netns-';
const NAME = /^wre-(?:pub|rtr|priv)-([0-9a-f]{8})$/;

export const NAT_MODES = ['none', 'masquerade', 'random'];
export const PRIVATE_ADDRESS = '10.99.0.2';
export const ROUTER_PUBLIC_ADDRESS = '10.98.0.1';
export const STUN_ADDRESSES = ['10.98.0.2', '10.98.0.3'];
const STUN_PORT = 3478;

const open = new Set(); // labs not closed yet, for the exit handler
process.on('exit', () => {
  for (const lab of open) lab.closeSync();
});

function run(cmd, args, { timeout = 10_000 } = {}) {
  return new Promise((resolve, reject) => {
    execFile(cmd, args, { timeout }, (error, stdout, stderr) => {
      if (error) {
        error.message = `${cmd} ${args.join(' ')}: ${String(stderr).trim() || error.message}`;
        reject(error);
      } else {
        resolve(String(stdout));
      }
    });
  });
}

const inNs = (ns, cmd, ...args) => run(IP, ['netns', 'exec', ns, cmd, ...args]);

// A zombie (killed, not yet reaped) counts as gone.
function pidAlive(pid) {
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2)[0] !== 'Z';
  } catch {
    return false;
  }
}

// Namespaces of earlier runs whose owner process is gone (a crash or a SIGKILL mid-test).
function sweepStale() {
  const byId = new Map();
  try {
    for (const line of execFileSync(IP, ['netns', 'list'], { encoding: 'utf8' }).split('\n')) {
      const name = line.split(' ')[0];
      const id = NAME.exec(name)?.[1];
      if (id) byId.set(id, [...(byId.get(id) ?? []), name]);
    }
  } catch {
    return;
  }
  for (const [id, names] of byId) {
    const dir = path.join(os.tmpdir(), `${TMP_PREFIX}${id}`);
    let owner;
    try {
      owner = Number(fs.readFileSync(path.join(dir, 'owner'), 'utf8'));
    } catch {
      continue; // not recorded by this code: not ours to judge
    }
    if (owner === process.pid || (owner && pidAlive(owner))) continue; // in use
    // Its processes (coturn, the web server) outlive a killed owner: end them, by pid, if their
    // command line still names this lab's folder (a reused pid is someone else's).
    let pids = [];
    try {
      pids = fs.readFileSync(path.join(dir, 'pids'), 'utf8').split('\n').filter(Boolean).map(Number);
    } catch {
      // none recorded
    }
    for (const pid of pids) {
      try {
        if (fs.readFileSync(`/proc/${pid}/cmdline`, 'utf8').includes(dir)) process.kill(pid, 'SIGKILL');
      } catch {
        // gone
      }
    }
    for (const name of names) {
      try {
        execFileSync(IP, ['netns', 'del', name], { stdio: 'ignore' });
      } catch {
        // gone
      }
    }
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

/**
 * Whether this machine can build the lab. Resolves { ok: true } or { ok: false, reason } where
 * the reason says what is missing (not root, no iptables, namespaces refused, ...).
 */
export async function labSupport() {
  if (process.env.WRE_NETNS_LAB === 'off') return { ok: false, reason: 'disabled by WRE_NETNS_LAB=off' };
  if (process.platform !== 'linux') return { ok: false, reason: `network namespaces need Linux (this is ${process.platform})` };
  if (typeof process.getuid === 'function' && process.getuid() !== 0) {
    return { ok: false, reason: 'network namespaces need root (CAP_NET_ADMIN and CAP_SYS_ADMIN); run the tests as root' };
  }
  for (const [file, pkg] of [[IP, 'iproute2'], [IPTABLES, 'iptables'], [TURNSERVER, 'coturn']]) {
    if (!fs.existsSync(file)) return { ok: false, reason: `${file} is missing: run toolchain/setup.sh (Debian package ${pkg})` };
  }
  const name = `wre-priv-${crypto.randomBytes(4).toString('hex')}`;
  try {
    await run(IP, ['netns', 'add', name]);
  } catch (error) {
    return { ok: false, reason: `this machine does not allow network namespaces (${error.message})` };
  }
  try {
    await inNs(name, IP, 'link', 'add', 'p0', 'type', 'veth', 'peer', 'name', 'p1');
    await inNs(name, IPTABLES, '-t', 'nat', '-L', 'POSTROUTING', '-n');
    return { ok: true };
  } catch (error) {
    return { ok: false, reason: `veth pairs or iptables NAT are not available in a network namespace (${error.message})` };
  } finally {
    await run(IP, ['netns', 'del', name]).catch(() => {});
  }
}

// Keeps the last lines a child wrote, for error messages. Every child's command line names the
// lab's folder and its pid is recorded there, for the sweep after a crash.
function spawnIn(ns, cmd, args, logs, home) {
  const child = spawn(IP, ['netns', 'exec', ns, cmd, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
  fs.appendFileSync(path.join(home, 'pids'), `${child.pid}\n`);
  const keep = (chunk) => {
    for (const line of String(chunk).split('\n')) {
      if (!line) continue;
      logs.push(line);
      if (logs.length > 200) logs.shift();
    }
  };
  child.stdout.on('data', keep);
  child.stderr.on('data', keep);
  child.exited = new Promise((resolve) => child.once('exit', resolve));
  return child;
}

async function stop(child) {
  if (!child || child.exitCode !== null || child.signalCode !== null) return;
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), 3000);
  await child.exited;
  clearTimeout(timer);
}

// One UDP socket asks every STUN server for its mapping (run inside the private namespace):
// the lab's ground truth, independent of the browser.
const PROBE = `
const dgram = require('node:dgram');
const crypto = require('node:crypto');
const [servers, deadline] = [JSON.parse(process.argv[1]), Date.now() + Number(process.argv[2])];
const sock = dgram.createSocket('udp4');
const got = {};
sock.on('message', (buf, rinfo) => {
  if (buf.length < 20 || buf.readUInt16BE(0) !== 0x0101) return;
  for (let off = 20; off + 4 <= buf.length; ) {
    const type = buf.readUInt16BE(off), len = buf.readUInt16BE(off + 2);
    if (type === 0x0020 && buf[off + 5] === 1) {
      const port = buf.readUInt16BE(off + 6) ^ 0x2112;
      const address = [0, 1, 2, 3].map((i) => buf[off + 8 + i] ^ [0x21, 0x12, 0xa4, 0x42][i]).join('.');
      got[rinfo.address] = { address, port };
    }
    off += 4 + len + ((4 - (len % 4)) % 4);
  }
});
sock.bind(0, () => {
  const tick = () => {
    if (servers.every((s) => got[s]) || Date.now() > deadline) {
      console.log(JSON.stringify({ local: sock.address().port, mapped: servers.map((s) => got[s] || null) }));
      sock.close();
      return;
    }
    for (const s of servers) {
      if (got[s]) continue;
      const m = Buffer.alloc(20);
      m.writeUInt16BE(0x0001, 0);
      m.writeUInt32BE(0x2112a442, 4);
      crypto.randomBytes(12).copy(m, 8);
      sock.send(m, ${STUN_PORT}, s);
    }
    setTimeout(tick, 100);
  };
  tick();
});`;

// Serves the repository inside the private namespace (the page must be reachable from there).
const SERVER = `
import(process.argv[1]).then(async ({ startServer }) => {
  const { url } = await startServer({ host: '127.0.0.1', port: 0 });
  console.log('WRE_URL ' + url);
});`;

/**
 * Builds the lab. Rejects (after removing whatever it made) if any step fails.
 * @param {{ nat?: 'none' | 'masquerade' | 'random' }} [options]
 */
export async function createLab({ nat = 'masquerade' } = {}) {
  if (!NAT_MODES.includes(nat)) throw new Error(`unknown NAT mode ${nat}; use ${NAT_MODES.join(', ')}`);
  sweepStale();
  const id = crypto.randomBytes(4).toString('hex');
  const ns = { pub: `wre-pub-${id}`, rtr: `wre-rtr-${id}`, priv: `wre-priv-${id}` };
  const home = path.join(os.tmpdir(), `${TMP_PREFIX}${id}`); // the sweep finds it by the id
  fs.mkdirSync(home, { mode: 0o700 });
  fs.writeFileSync(path.join(home, 'owner'), String(process.pid));
  const children = [];
  const logs = { stun: [[], []], server: [] };
  let closed = false;

  const lab = {
    id,
    nat,
    namespaces: ns,
    stunUrls: STUN_ADDRESSES.map((a) => `stun:${a}:${STUN_PORT}`),
    deadStunUrl: `stun:${STUN_ADDRESSES[1]}:${STUN_PORT + 1}`, // nothing listens there
    baseURL: null,
    /** Processes the lab started (coturn x2, the web server). */
    get pids() {
      return children.map((c) => c.pid);
    },
    logs: () => ({ stun: logs.stun.map((l) => l.slice(-20)), server: logs.server.slice(-20) }),

    /** Runs `node ...args` in the private namespace; resolves its stdout. */
    node(args, timeoutMs = 10_000) {
      return run(IP, ['netns', 'exec', ns.priv, process.execPath, ...args], { timeout: timeoutMs });
    },

    /** The mappings one UDP socket in the private namespace gets from each STUN server. */
    async probe(timeoutMs = 3000) {
      const out = await inNs(ns.priv, process.execPath, '-e', PROBE, JSON.stringify(STUN_ADDRESSES), String(timeoutMs));
      return JSON.parse(out.trim().split('\n').pop());
    },

    async close() {
      if (closed) return;
      closed = true;
      open.delete(lab);
      await Promise.all(children.map(stop));
      for (const name of [ns.priv, ns.rtr, ns.pub]) await run(IP, ['netns', 'del', name]).catch(() => {});
      fs.rmSync(home, { recursive: true, force: true });
    },

    // For the exit handler: no awaiting possible there.
    closeSync() {
      if (closed) return;
      closed = true;
      for (const child of children) {
        try {
          child.kill('SIGKILL');
        } catch {
          // gone
        }
      }
      for (const name of [ns.priv, ns.rtr, ns.pub]) {
        try {
          execFileSync(IP, ['netns', 'del', name], { stdio: 'ignore' });
        } catch {
          // gone
        }
      }
      fs.rmSync(home, { recursive: true, force: true });
    },
  };
  open.add(lab);

  try {
    for (const name of Object.values(ns)) await run(IP, ['netns', 'add', name]);
    // veth pairs made directly inside the namespaces: nothing appears in the root namespace.
    await run(IP, ['-n', ns.priv, 'link', 'add', 'p0', 'type', 'veth', 'peer', 'name', 'r0', 'netns', ns.rtr]);
    await run(IP, ['-n', ns.rtr, 'link', 'add', 'r1', 'type', 'veth', 'peer', 'name', 'u0', 'netns', ns.pub]);
    const steps = [
      [ns.priv, 'link', 'set', 'lo', 'up'],
      [ns.priv, 'addr', 'add', `${PRIVATE_ADDRESS}/24`, 'dev', 'p0'],
      [ns.priv, 'link', 'set', 'p0', 'up'],
      [ns.priv, 'route', 'add', 'default', 'via', '10.99.0.1'], // ends at the router: no default there
      [ns.rtr, 'link', 'set', 'lo', 'up'],
      [ns.rtr, 'addr', 'add', '10.99.0.1/24', 'dev', 'r0'],
      [ns.rtr, 'link', 'set', 'r0', 'up'],
      [ns.rtr, 'addr', 'add', `${ROUTER_PUBLIC_ADDRESS}/24`, 'dev', 'r1'],
      [ns.rtr, 'link', 'set', 'r1', 'up'],
      [ns.pub, 'link', 'set', 'lo', 'up'],
      ...STUN_ADDRESSES.map((a) => [ns.pub, 'addr', 'add', `${a}/24`, 'dev', 'u0']),
      [ns.pub, 'link', 'set', 'u0', 'up'],
      // Only the private subnet, through the router (needed without NAT, when replies go to 10.99.0.2).
      [ns.pub, 'route', 'add', '10.99.0.0/24', 'via', ROUTER_PUBLIC_ADDRESS],
    ];
    for (const [name, ...args] of steps) await run(IP, ['-n', name, ...args]);
    await inNs(ns.rtr, 'sh', '-c', 'echo 1 > /proc/sys/net/ipv4/ip_forward');
    if (nat !== 'none') {
      const rule = ['-t', 'nat', '-A', 'POSTROUTING', '-o', 'r1', '-j', 'MASQUERADE'];
      await inNs(ns.rtr, IPTABLES, ...rule, ...(nat === 'random' ? ['--random'] : []));
    }

    for (const [i, address] of STUN_ADDRESSES.entries()) {
      const work = path.join(home, `stun-${i}`);
      fs.mkdirSync(work);
      children.push(spawnIn(ns.pub, TURNSERVER, [
        '-n', '--stun-only', '--no-rfc5780', `--listening-ip=${address}`, `--listening-port=${STUN_PORT}`,
        `--relay-ip=${address}`, '--no-tls', '--no-dtls', '--no-cli', '--log-file=stdout', '--simple-log',
        `--pidfile=${path.join(work, 'turnserver.pid')}`, `--userdb=${path.join(work, 'turndb')}`,
      ], logs.stun[i], home));
    }

    const serveJs = path.join(REPO_ROOT, 'toolchain/serve.js');
    const server = spawnIn(ns.priv, process.execPath, ['-e', SERVER, serveJs, home], logs.server, home);
    children.push(server);
    lab.baseURL = await new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`web server in ${ns.priv} did not start: ${logs.server.join('\n')}`)), 10_000);
      server.stdout.on('data', (chunk) => {
        const m = /WRE_URL (\S+)/.exec(String(chunk));
        if (m) {
          clearTimeout(timer);
          resolve(m[1]);
        }
      });
      server.exited.then(() => reject(new Error(`web server in ${ns.priv} exited: ${logs.server.join('\n')}`)));
    });

    // Both servers answer from inside the private namespace (also proves the routing).
    const deadline = Date.now() + 10_000;
    for (;;) {
      const seen = await lab.probe(500);
      if (seen.mapped.every(Boolean)) break;
      if (Date.now() > deadline) {
        throw new Error(`STUN servers in ${ns.pub} do not answer from ${ns.priv}: ${JSON.stringify(lab.logs().stun)}`);
      }
    }
    return lab;
  } catch (error) {
    await lab.close();
    throw error;
  }
}
