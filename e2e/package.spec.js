// The package as users get it: `npm pack`, installed from the tarball into a fresh folder, used
// with a plain `import { WebRTCPeerEnhanced } from 'webrtc-enhanced'` three ways — unbundled in a
// page from a static server, a Vite production build, a webpack 5 production build — each
// connecting two peers and exchanging a message in Chromium (plus Vite's dev server). Also: the
// tarball holds exactly what users need, and its types resolve for TypeScript. Packs dist/ as
// built (run toolchain/build.sh first, as `npm test` does). Vite, webpack and tsc come from this
// repository's devDependencies. WRE_KEEP_CONSUMERS=1 keeps the temp folders.
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { test, expect } from '@playwright/test';
import { startServer } from '../toolchain/serve.js';
import {
  REPO_ROOT, listFiles, makeConsumer, moduleGraph, packTarball, run, startViteDev, typecheck,
} from './support/consumers.js';

// Packed once per worker (a failed test restarts the worker, which packs again).
let work; // temp folder: the tarball and one folder per consumer app
let pack; // { tarball, files, size, unpackedSize }

test.beforeAll(async () => {
  test.setTimeout(60_000);
  await fs.access(path.join(REPO_ROOT, 'dist/index.js')).catch(() => {
    throw new Error('dist/ is missing: run bash toolchain/build.sh first (npm test does)');
  });
  work = await fs.mkdtemp(path.join(os.tmpdir(), 'wre-package-'));
  pack = await packTarball(work);
});

test.afterAll(async () => {
  if (work && !process.env.WRE_KEEP_CONSUMERS) await fs.rm(work, { recursive: true, force: true });
});

// Opens a page of a consumer app, waits for its exchange, and records how the .wasm was loaded.
async function exchangeAt(page, pageUrl) {
  const problems = [];
  const wasm = [];
  page.on('pageerror', (e) => problems.push(`page error: ${e.message}`));
  page.on('console', (m) => {
    if (m.type() === 'error' || m.type() === 'warning') problems.push(`console ${m.type()}: ${m.text()}`);
  });
  page.on('requestfailed', (r) => problems.push(`request failed: ${r.url()} ${r.failure()?.errorText}`));
  page.on('response', (r) => {
    if (r.status() >= 400) problems.push(`HTTP ${r.status()} for ${r.url()}`);
    if (new URL(r.url()).pathname.endsWith('.wasm')) {
      wasm.push({ path: new URL(r.url()).pathname, status: r.status(), type: r.headers()['content-type'] });
    }
  });
  await page.goto(pageUrl);
  const handle = await page.waitForFunction(() => window.consumerResult, null, { timeout: 25_000 });
  const result = await handle.jsonValue();
  return { result, problems, wasm, text: await page.textContent('#result') };
}

// The same, with the folder served by the repository's static server (toolchain/serve.js).
async function exchangeIn(page, serveRoot, pagePath) {
  const server = await startServer({ root: serveRoot });
  try {
    return await exchangeAt(page, new URL(pagePath, server.url).href);
  } finally {
    await server.close();
  }
}

function expectExchanged({ result, problems, wasm, text }, mode) {
  expect(result.error, 'the page reported a failure').toBeUndefined();
  expect(result.received).toEqual({ peerId: `${mode}-b`, type: 'reliable', text: `hello from ${mode}` });
  expect(result.reply).toEqual({ peerId: `${mode}-a`, type: 'control', text: `reply from ${mode}` });
  expect(result.states).toEqual(['new', 'connecting', 'connected', 'closed']);
  expect(text).toContain(`hello from ${mode}`);
  // One fetch of the core, served as application/wasm (streaming compilation, no fallback warning).
  expect(wasm).toHaveLength(1);
  expect(wasm[0]).toMatchObject({ status: 200, type: 'application/wasm' });
  expect(problems).toEqual([]);
  return wasm[0].path;
}

test('npm pack ships only the one ES module (bundled, minified, with its source map), the .wasm, the .d.ts, README and LICENSE', async () => {
  const unpacked = path.join(work, 'unpacked');
  await fs.mkdir(unpacked);
  // Every .js in the tarball is one that `import 'webrtc-enhanced'` loads; nothing else ships but
  // the source map of the bundle (toolchain/bundle.js).
  await run('tar', ['-xzf', pack.tarball, '-C', unpacked], { cwd: work });
  const pkgDir = path.join(unpacked, 'package');
  const manifest = JSON.parse(await fs.readFile(path.join(pkgDir, 'package.json'), 'utf8'));
  const entry = manifest.exports['.'].import.replace(/^\.\//, '');
  expect(entry).toBe('dist/index.js');
  const reachable = (await moduleGraph(path.join(pkgDir, 'dist'), 'index.js')).map((f) => `dist/${f}`);
  const maps = reachable.map((f) => `${f}.map`);
  const expected = [
    'LICENSE',
    'README.md',
    'package.json',
    'dist/index.d.ts',
    'dist/core-wasm.wasm',
    ...reachable,
    ...maps,
  ].sort();
  expect(pack.files).toEqual(expected);
  expect(await listFiles(pkgDir)).toEqual(expected);
  expect(reachable).toEqual(['dist/index.js']);
  // The map carries the readable sources (the wrapper's, the shims', the glue's), and the bundle
  // points at it.
  const map = JSON.parse(await fs.readFile(path.join(pkgDir, 'dist/index.js.map'), 'utf8'));
  expect(map.sources).toEqual(expect.arrayContaining(['peer.js', 'core.js', 'shims.js', 'core-wasm.js']));
  expect(map.sourcesContent[map.sources.indexOf('peer.js')]).toContain('export class WebRTCPeerEnhanced');
  expect(await fs.readFile(path.join(pkgDir, 'dist/index.js'), 'utf8')).toMatch(/\/\/# sourceMappingURL=index\.js\.map\s*$/);

  // The manifest points at files that exist; no runtime dependencies to install.
  expect(manifest.exports['.'].types).toBe('./dist/index.d.ts');
  expect(manifest.types).toBe('./dist/index.d.ts');
  expect(manifest.type).toBe('module');
  expect(manifest.dependencies ?? {}).toEqual({});
  expect(manifest.peerDependencies ?? {}).toEqual({});
  const wasmHeader = (await fs.readFile(path.join(pkgDir, 'dist/core-wasm.wasm'))).subarray(0, 4);
  expect([...wasmHeader]).toEqual([0x00, 0x61, 0x73, 0x6d]);
  console.log(`${path.basename(pack.tarball)}: ${pack.files.length} files, ${pack.size} B packed, ${pack.unpackedSize} B unpacked`);
});

const apps = {}; // mode -> consumer folder made by this worker, reused by the later tests

test('unbundled: a page from a static server imports the installed package', async ({ page }) => {
  const app = await makeConsumer('unbundled', { tarball: pack.tarball, dir: work });
  apps.unbundled = app;
  // The path form of CONTRACT.md.
  const direct = await exchangeIn(page, app.serveRoot, '/index.html');
  expect(expectExchanged(direct, 'unbundled')).toBe('/node_modules/webrtc-enhanced/dist/core-wasm.wasm');
  // The bare name, through an import map, with the same app source as the bundled builds.
  const mapped = await exchangeIn(page, app.serveRoot, '/importmap.html');
  expect(expectExchanged(mapped, 'importmap')).toBe('/node_modules/webrtc-enhanced/dist/core-wasm.wasm');
});

for (const mode of ['vite', 'webpack']) {
  test(`${mode}: a production build of a plain import works from its output folder alone`, async ({ page }) => {
    test.setTimeout(90_000);
    const app = await makeConsumer(mode, { tarball: pack.tarball, dir: work });
    apps[mode] = app;
    const output = await listFiles(app.serveRoot);
    // The bundler found the .wasm and put it in its output, under a name of its own.
    const emitted = output.filter((f) => f.endsWith('.wasm'));
    expect(emitted, `${mode} output: ${output.join(', ')}\n${app.log}`).toHaveLength(1);
    expect(output.some((f) => f.includes('node_modules'))).toBe(false);
    const loaded = expectExchanged(await exchangeIn(page, app.serveRoot, '/index.html'), mode);
    expect(loaded).toBe(`/${emitted[0]}`);
    expect(app.log).not.toMatch(/\berror\b/i);
  });
}

test('vite: the dev server (`vite`) serves the same app, no configuration either', async ({ page }) => {
  test.setTimeout(60_000);
  const app = apps.vite ?? (await makeConsumer('vite', { tarball: pack.tarball, dir: work }));
  const dev = await startViteDev(app.dir);
  try {
    const outcome = await exchangeAt(page, dev.url);
    const loaded = expectExchanged(outcome, 'vite');
    expect(loaded, dev.output()).toMatch(/\/core-wasm\.wasm$/);
  } finally {
    await dev.close();
  }
});

test('types: the installed package type-checks a plain import (bundler and nodenext resolution)', async () => {
  // A folder with the tarball installed (tsc only reads node_modules/webrtc-enhanced there).
  const app = apps.unbundled ?? (await makeConsumer('unbundled', { tarball: pack.tarball, dir: work }));
  await typecheck(app.dir, 'bundler');
  await typecheck(app.dir, 'nodenext');
});
