// CPU time the browser's processes have used so far, from Linux schedstat: nanoseconds on a CPU,
// per thread. Wall-clock figures on a shared machine move with everyone else's load; these do not
// (much). Used by run.js (renderer totals) and thread-cpu.js (per thread).
import fs from 'node:fs';
import os from 'node:os';

const read = (file) => {
  try {
    return fs.readFileSync(file, 'utf8');
  } catch {
    return null;  // gone already
  }
};

// Every process under `root`, with its Chromium role: 'renderer', 'gpu-process', 'network' (the
// network service, which does the sockets), another utility, or 'browser'.
export function processesOf(root) {
  const children = new Map();
  for (const d of fs.readdirSync('/proc')) {
    if (!/^\d+$/.test(d)) continue;
    const stat = read(`/proc/${d}/stat`);
    if (!stat) continue;
    const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
    if (!children.has(ppid)) children.set(ppid, []);
    children.get(ppid).push(Number(d));
  }
  const out = [];
  const stack = [root];
  while (stack.length) {
    for (const pid of children.get(stack.pop()) ?? []) {
      stack.push(pid);
      const cmdline = read(`/proc/${pid}/cmdline`) ?? '';
      const type = cmdline.includes('--utility-sub-type=network') ? 'network' : (cmdline.match(/--type=([\w-]+)/)?.[1] ?? 'browser');
      out.push({ pid, type });
    }
  }
  return out;
}

// [{ tid, name, ns }] for each thread of `pid` (name without its trailing number).
export function threadTimes(pid) {
  let tids;
  try {
    tids = fs.readdirSync(`/proc/${pid}/task`);
  } catch {
    return [];
  }
  const out = [];
  for (const tid of tids) {
    const sched = read(`/proc/${pid}/task/${tid}/schedstat`);
    const name = read(`/proc/${pid}/task/${tid}/comm`);
    if (sched && name) out.push({ tid: Number(tid), name: name.trim().replace(/\d+$/, ''), ns: Number(sched.split(' ')[0]) });
  }
  return out;
}

// A reader of the CPU time used so far by the browser's renderer processes (which run the pages,
// their WebRTC network threads and SCTP): { total, main } nanoseconds, all their threads and their
// main threads. The renderers are looked up on the first read, and again with `refresh` (after a
// page was reloaded or the browser relaunched).
export function rendererCpu(root = process.pid) {
  let pids = [];
  return (refresh = false) => {
    if (refresh || pids.length === 0) pids = processesOf(root).filter((p) => p.type === 'renderer').map((p) => p.pid);
    const snap = { total: 0, main: 0 };
    for (const pid of pids) {
      for (const t of threadTimes(pid)) {
        snap.total += t.ns;
        if (t.tid === pid) snap.main += t.ns;
      }
    }
    return snap;
  };
}

// The whole machine's CPU time so far (/proc/stat, all CPUs, in clock ticks): busy and in all.
export function machineCpu() {
  const f = fs.readFileSync('/proc/stat', 'utf8').split('\n')[0].split(/\s+/).slice(1).map(Number);
  return { busy: f[0] + f[1] + f[2] + f[5] + f[6], all: f.reduce((x, y) => x + y, 0) };  // user nice system irq softirq
}

// How many cores were busy on average between two machineCpu() readings.
export const coresBusy = (a, b) => (os.cpus().length * (b.busy - a.busy)) / (b.all - a.all);
