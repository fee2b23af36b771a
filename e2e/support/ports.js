// Free-port helpers for the test support code (loopback only).
import dgram from 'node:dgram';
import net from 'node:net';

/** A TCP port that was free on `host` a moment ago (the kernel's pick: listen on port 0). */
export function freeTcpPort(host = '127.0.0.1') {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.unref();
    srv.once('error', reject);
    srv.listen({ port: 0, host, exclusive: true }, () => {
      const { port } = srv.address();
      srv.close(() => resolve(port));
    });
  });
}

/** Resolves true when `port` can be bound on `host` for TCP. */
export function tcpPortFree(port, host = '127.0.0.1') {
  return new Promise((resolve) => {
    const srv = net.createServer();
    srv.unref();
    srv.once('error', () => resolve(false));
    srv.listen({ port, host, exclusive: true }, () => srv.close(() => resolve(true)));
  });
}

/** Resolves true when `port` can be bound on `host` for UDP. */
export function udpPortFree(port, host = '127.0.0.1') {
  return new Promise((resolve) => {
    const sock = dgram.createSocket('udp4');
    sock.unref();
    sock.once('error', () => {
      sock.close();
      resolve(false);
    });
    sock.bind({ port, address: host, exclusive: true }, () => sock.close(() => resolve(true)));
  });
}

/** Resolves true when `port` is free for both UDP and TCP on `host`. */
export async function portFree(port, host = '127.0.0.1') {
  return (await udpPortFree(port, host)) && (await tcpPortFree(port, host));
}

const claimed = new Set();

/**
 * Finds `count` consecutive ports, all free for UDP and TCP on `host`, below the kernel's
 * ephemeral range (so browsers' and clients' own sockets do not land in it later). Blocks
 * returned earlier in this process are not handed out again.
 * @returns {Promise<number>} the first port of the block
 */
export async function freePortBlock(count, { host = '127.0.0.1', low = 20000, high = 32000 } = {}) {
  for (let attempt = 0; attempt < 200; attempt++) {
    const base = low + Math.floor(Math.random() * (high - low - count));
    const block = Array.from({ length: count }, (_, i) => base + i);
    if (block.some((p) => claimed.has(p))) continue;
    // Claim before the async checks so concurrent callers never get overlapping blocks.
    for (const p of block) claimed.add(p);
    let ok = true;
    for (const p of block) {
      if (!(await portFree(p, host))) {
        ok = false;
        break;
      }
    }
    if (ok) return base;
    for (const p of block) claimed.delete(p);
  }
  throw new Error(`no block of ${count} free ports in ${low}-${high} on ${host}`);
}
