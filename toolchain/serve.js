// Static file server for the demo and the e2e tests, with the demo's signaling rooms.
//
//   node toolchain/serve.js            # free port, or PORT=8080 node toolchain/serve.js
//   HOST=0.0.0.0 node toolchain/serve.js   # reachable from the LAN (default: 127.0.0.1 only)
//
// Serves the repository root on 127.0.0.1 by default, GET/HEAD only, with the MIME types browsers
// insist on (application/wasm for streaming compilation, text/javascript for modules). Paths
// that leave the root (.., encoded slashes, symlinks pointing outside) are refused. Pages are
// cross-origin isolated (COOP/COEP), which gives them fine-grained performance.now() for the
// benchmarks; everything served is same-origin, so nothing else changes. WebSocket upgrades
// to /rooms/<name> are the demo's signaling rooms (signal-rooms.js); other upgrades get a 404.
import fs from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { attachRooms } from './signal-rooms.js';

const HERE = path.dirname(fileURLToPath(import.meta.url));
export const REPO_ROOT = path.resolve(HERE, '..');

const MIME = {
  '.html': 'text/html; charset=utf-8',
  '.htm': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.cjs': 'text/javascript; charset=utf-8',
  '.wasm': 'application/wasm',
  '.json': 'application/json; charset=utf-8',
  '.map': 'application/json; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.txt': 'text/plain; charset=utf-8',
  '.md': 'text/markdown; charset=utf-8',
  '.ts': 'text/plain; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.jpg': 'image/jpeg',
  '.jpeg': 'image/jpeg',
  '.gif': 'image/gif',
  '.ico': 'image/x-icon',
  '.webp': 'image/webp',
  '.woff2': 'font/woff2',
};

function send(res, status, body, headers = {}) {
  res.writeHead(status, { 'Content-Type': 'text/plain; charset=utf-8', ...headers });
  res.end(body);
}

/**
 * Starts the server.
 * @param {{ root?: string, port?: number, host?: string }} [options]
 *   root: folder to serve (default: the repository root); port: 0 (default) = a free port.
 * @returns {Promise<{ url: string, roomsUrl: string, port: number, server: http.Server,
 *                    close: () => Promise<void> }>}
 *   url is the root URL with a trailing slash, e.g. http://127.0.0.1:41234/; roomsUrl the
 *   signaling rooms' base, e.g. ws://127.0.0.1:41234/rooms/ (append the room name).
 *   close() also cuts every room socket, so it never waits on a browser.
 */
export async function startServer({ root = REPO_ROOT, port = 0, host = '127.0.0.1' } = {}) {
  const realRoot = await fs.promises.realpath(root);

  const server = http.createServer(async (req, res) => {
    try {
      if (req.method !== 'GET' && req.method !== 'HEAD') {
        return send(res, 405, 'method not allowed\n', { Allow: 'GET, HEAD' });
      }
      const { pathname } = new URL(req.url, 'http://localhost');
      let rel;
      try {
        rel = decodeURIComponent(pathname);
      } catch {
        return send(res, 400, 'bad request\n');
      }
      if (rel.includes('\0') || rel.includes('\\') || rel.split('/').includes('..')) {
        return send(res, 403, 'forbidden\n');
      }
      let file = path.join(realRoot, rel);
      let stat;
      try {
        // realpath resolves symlinks: whatever it names must still be inside the root.
        file = await fs.promises.realpath(file);
        stat = await fs.promises.stat(file);
      } catch {
        return send(res, 404, 'not found\n');
      }
      if (file !== realRoot && !file.startsWith(realRoot + path.sep)) {
        return send(res, 403, 'forbidden\n');
      }
      if (stat.isDirectory()) {
        if (!pathname.endsWith('/')) {
          return send(res, 301, 'moved\n', { Location: pathname + '/' });
        }
        file = path.join(file, 'index.html');
        try {
          stat = await fs.promises.stat(file);
        } catch {
          return send(res, 404, 'not found\n');
        }
      }
      if (!stat.isFile()) return send(res, 404, 'not found\n');

      res.writeHead(200, {
        'Content-Type': MIME[path.extname(file).toLowerCase()] ?? 'application/octet-stream',
        'Content-Length': stat.size,
        'Cache-Control': 'no-store',
        'X-Content-Type-Options': 'nosniff',
        'Cross-Origin-Opener-Policy': 'same-origin',
        'Cross-Origin-Embedder-Policy': 'require-corp',
        'Cross-Origin-Resource-Policy': 'same-origin',
      });
      if (req.method === 'HEAD') return res.end();
      fs.createReadStream(file)
        .on('error', () => res.destroy())
        .pipe(res);
    } catch (err) {
      if (!res.headersSent) send(res, 500, 'internal error\n');
      else res.destroy(err);
    }
  });

  await new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve();
    });
  });

  const rooms = attachRooms(server);
  const actualPort = server.address().port;
  const urlHost = host.includes(':') ? `[${host}]` : host; // IPv6 literals go in brackets
  return {
    url: `http://${urlHost}:${actualPort}/`,
    roomsUrl: `ws://${urlHost}:${actualPort}/rooms/`,
    port: actualPort,
    server,
    close: () =>
      new Promise((resolve) => {
        // Upgraded sockets are no longer the http server's to close: the rooms end them.
        rooms.close();
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

const isMain =
  process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url);

if (isMain) {
  const port = process.env.PORT ? Number.parseInt(process.env.PORT, 10) : 0;
  if (!Number.isInteger(port) || port < 0 || port > 65535) {
    console.error(`serve.js: bad PORT ${JSON.stringify(process.env.PORT)}`);
    process.exit(2);
  }
  const root = process.env.WRE_SERVE_ROOT ?? REPO_ROOT;
  const host = process.env.HOST || '127.0.0.1';
  const { url, port: actualPort, close } = await startServer({ root, port, host });
  // Bound to every interface: name the addresses a browser can actually open.
  const urls = host === '0.0.0.0' || host === '::'
    ? Object.values(os.networkInterfaces()).flat()
      .filter((a) => a.family === 'IPv4')
      .map((a) => `http://${a.address}:${actualPort}/`)
    : [url];
  for (const u of urls) console.log(`webrtc-enhanced demo: ${u}web/`);
  const shared = urls.find((u) => !u.startsWith('http://127.')) ?? urls[0];
  console.log(`signaling rooms: ${shared.replace(/^http/, 'ws')}rooms/<name>` +
    ` (the demo: ${shared}web/?room=<name> in two browsers)`);
  for (const sig of ['SIGINT', 'SIGTERM']) {
    process.once(sig, () => close().then(() => process.exit(0)));
  }
}
