// Node-side helpers the benchmark drivers share: their command line and how they print figures.
import os from 'node:os';

// `--key=value` and `--flag` arguments as an object (`{ key: 'value', flag: true }`).
export function parseArgs(argv = process.argv.slice(2)) {
  return Object.fromEntries(argv.map((a) => {
    const [k, v] = a.replace(/^--/, '').split('=');
    return [k, v ?? true];
  }));
}

export const median = (xs) => {
  if (!xs.length) return NaN;
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
};

// The nearest-rank quantile (q in 0..1).
export const quantile = (xs, q) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.max(0, Math.ceil(q * s.length) - 1))];
};

export const fmt = (x, digits = 1) => (Number.isFinite(x) ? x.toFixed(digits) : String(x));

// The machine's load average (1, 5, 15 minutes), for the figures' context.
export const load = () => os.loadavg().map((x) => x.toFixed(2)).join(' ');

// What the figures were measured on.
export const machine = () =>
  `${os.cpus().length} × ${os.cpus()[0]?.model?.trim() ?? 'cpu'}, ${Math.round(os.totalmem() / 2 ** 30)} GiB, Linux ${os.release()}`;
