// Builds consumer apps of the packed package, the way a user would, for e2e/package.spec.js.
//
//   packTarball(dir)                       npm pack of the repository (dist/ as built) into dir
//   makeConsumer(mode, { tarball, dir })   a fresh folder with the tarball installed (npm, offline)
//                                          and the app of e2e/consumers/ built for one mode:
//     'unbundled'  no build: index.html imports /node_modules/webrtc-enhanced/dist/index.js,
//                  importmap.html imports 'webrtc-enhanced' through an import map
//     'vite'       `vite build` (no config file) -> dist/
//     'webpack'    `webpack` with a config of mode + entry only -> dist/
//   startViteDev(app)                      `vite` (the dev server) in a vite consumer folder
//   typecheck(dir, moduleResolution)       tsc --noEmit of e2e/consumers/types/check.ts in dir
//
// Vite, webpack and tsc are this repository's devDependencies, run against the temp folder: its
// own node_modules holds only the installed package, so nothing resolves back into this repo.
import { execFile, spawn } from 'node:child_process';
import fs from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { freeTcpPort } from './ports.js';

const HERE = path.dirname(fileURLToPath(import.meta.url));
export const REPO_ROOT = path.resolve(HERE, '../..');
const FIXTURES = path.join(REPO_ROOT, 'e2e/consumers');
const BIN = {
  vite: path.join(REPO_ROOT, 'node_modules/vite/bin/vite.js'),
  webpack: path.join(REPO_ROOT, 'node_modules/webpack-cli/bin/cli.js'),
  tsc: path.join(REPO_ROOT, 'node_modules/.bin/tsc'),
};

// Under `npm test` the environment carries npm_config_* / npm_package_* of this repository
// (local_prefix among them): a nested npm would act on the repository instead of the temp folder.
function cleanEnv() {
  const env = {};
  for (const [key, value] of Object.entries(process.env)) {
    if (/^npm_/i.test(key) || key === 'INIT_CWD') continue;
    env[key] = value;
  }
  env.NO_COLOR = '1';
  env.FORCE_COLOR = '0';
  return env;
}

/** Runs a command; rejects with its output in the message. Resolves to { stdout, stderr }. */
export function run(file, args, { cwd, timeout = 60_000 } = {}) {
  return new Promise((resolve, reject) => {
    execFile(file, args, { cwd, env: cleanEnv(), timeout, maxBuffer: 16 << 20 }, (error, stdout, stderr) => {
      if (error) {
        const how = error.killed ? `killed after ${timeout} ms` : `exit ${error.code}`;
        reject(new Error(`${path.basename(file)} ${args.join(' ')} (in ${cwd}): ${how}\n${stdout}\n${stderr}`));
      } else {
        resolve({ stdout, stderr });
      }
    });
  });
}

/**
 * `npm pack` of the repository into dir (scripts ignored: it packs dist/ as built).
 * @returns {Promise<{ tarball: string, files: string[], size: number, unpackedSize: number }>}
 */
export async function packTarball(dir) {
  const { stdout } = await run('npm', ['pack', '--json', '--ignore-scripts', '--pack-destination', dir], {
    cwd: REPO_ROOT,
  });
  const [info] = JSON.parse(stdout.slice(stdout.indexOf('[')));
  return {
    tarball: path.join(dir, info.filename),
    files: info.files.map((f) => f.path).sort(),
    size: info.size,
    unpackedSize: info.unpackedSize,
  };
}

async function copy(from, to) {
  await fs.cp(path.join(FIXTURES, from), to, { recursive: true });
}

/**
 * A new folder under dir with its own package.json and the tarball installed from the file
 * (offline: the package has no dependencies), plus the app for `mode`, built.
 * @returns {Promise<{ dir: string, serveRoot: string, pages: string[], log: string }>}
 *   serveRoot: the folder to serve (the build output for bundlers); pages: paths to open.
 */
export async function makeConsumer(mode, { tarball, dir }) {
  const app = await fs.mkdtemp(path.join(dir, `${mode}-`));
  await fs.writeFile(
    path.join(app, 'package.json'),
    `${JSON.stringify({ name: `wre-consumer-${mode}`, version: '0.0.0', private: true, type: 'module' }, null, 2)}\n`,
  );
  await run('npm', ['install', '--offline', '--no-audit', '--no-fund', '--loglevel=error', tarball], { cwd: app });
  await copy('src', path.join(app, 'src'));

  let log = '';
  switch (mode) {
    case 'unbundled':
      await copy('unbundled', app);
      return { dir: app, serveRoot: app, pages: ['/index.html', '/importmap.html'], log };
    case 'vite': {
      await copy('vite', app);
      const { stdout, stderr } = await run(process.execPath, [BIN.vite, 'build'], { cwd: app });
      log = stdout + stderr;
      return { dir: app, serveRoot: path.join(app, 'dist'), pages: ['/index.html'], log };
    }
    case 'webpack': {
      await fs.copyFile(path.join(FIXTURES, 'webpack/webpack.config.js'), path.join(app, 'webpack.config.js'));
      const { stdout, stderr } = await run(process.execPath, [BIN.webpack], { cwd: app });
      log = stdout + stderr;
      // The page that loads the bundle (html-webpack-plugin would write the same thing).
      await fs.copyFile(path.join(FIXTURES, 'webpack/index.html'), path.join(app, 'dist/index.html'));
      return { dir: app, serveRoot: path.join(app, 'dist'), pages: ['/index.html'], log };
    }
    default:
      throw new Error(`unknown consumer mode ${mode}`);
  }
}

/**
 * Starts Vite's dev server in a vite consumer folder (as `npx vite` would), on a free loopback port.
 * @returns {Promise<{ url: string, close: () => Promise<void>, output: () => string }>}
 */
export async function startViteDev(app, { timeout = 30_000 } = {}) {
  const port = await freeTcpPort();
  const child = spawn(process.execPath, [BIN.vite, '--host', '127.0.0.1', '--port', String(port), '--strictPort'], {
    cwd: app,
    env: cleanEnv(),
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout.on('data', (d) => (output += d));
  child.stderr.on('data', (d) => (output += d));
  const exited = new Promise((resolve) => child.once('exit', resolve));
  const close = async () => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
    await exited;
  };
  const url = `http://127.0.0.1:${port}/`;
  const deadline = Date.now() + timeout;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`vite dev server exited (${child.exitCode}):\n${output}`);
    try {
      if ((await fetch(url)).ok) break;
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) {
      await close();
      throw new Error(`vite dev server not up within ${timeout} ms:\n${output}`);
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  return { url, close, output: () => output };
}

/** Type-checks e2e/consumers/types/check.ts against the installed package in app. */
export async function typecheck(app, moduleResolution) {
  const module = moduleResolution === 'bundler' ? 'preserve' : 'nodenext';
  const tsconfig = {
    compilerOptions: {
      target: 'ES2022',
      lib: ['ES2022', 'DOM'],
      module,
      moduleResolution,
      types: [],
      strict: true,
      noEmit: true,
      skipLibCheck: false,
    },
    files: ['check.ts'],
  };
  const name = `tsconfig.${moduleResolution}.json`;
  await fs.writeFile(path.join(app, name), JSON.stringify(tsconfig, null, 2));
  await fs.copyFile(path.join(FIXTURES, 'types/check.ts'), path.join(app, 'check.ts'));
  return run(BIN.tsc, ['-p', name], { cwd: app });
}

/** Every file under dir, as paths relative to it with '/' separators, sorted. */
export async function listFiles(dir) {
  const entries = await fs.readdir(dir, { recursive: true, withFileTypes: true });
  return entries
    .filter((e) => e.isFile())
    .map((e) => path.relative(dir, path.join(e.parentPath ?? e.path, e.name)).split(path.sep).join('/'))
    .sort();
}

// The dist/ files a user's import of the package's entry can load.
export { moduleGraph } from '../../toolchain/module-graph.js';
