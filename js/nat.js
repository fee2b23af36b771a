// detectNATType(): the guide's NAT type detection over the C++ core's NatDetector. This file only
// checks argument types, collects the configured URLs and turns the core's single report into a
// Promise; which servers count, how long to wait and what the evidence means are the core's.
import { Core } from './core.js';
import { natShims } from './nat_shims.js';
import { failureOf } from './errors.js';

/**
 * Every URL of a list of RTCIceServer-like entries ({ urls }, legacy { url }, or plain strings),
 * as a new array: a snapshot, so later changes to the caller's objects change nothing.
 */
export function iceServerUrls(iceServers) {
  const out = [];
  if (!Array.isArray(iceServers)) return out;
  for (const server of iceServers) {
    const urls = typeof server === 'string' ? server : server?.urls ?? server?.url;
    for (const url of Array.isArray(urls) ? urls : [urls]) if (typeof url === 'string') out.push(url);
  }
  return out;
}

/**
 * Detects the NAT type with the STUN servers among `iceServers` (never any other server).
 * Resolves { type, supportsDirectConnection, requiresRelay, mapping, filtering, reason,
 * evidence: [{ server, address, port, error? }] } within `timeout` ms (default 5000).
 */
export function detectNATType(iceServers, options = {}) {
  if (options === null || typeof options !== 'object') {
    return Promise.reject(new TypeError(`detectNATType(): options must be an object, got ${show(options)}`));
  }
  const { timeout } = options;
  if (timeout !== undefined && typeof timeout !== 'number') {
    return Promise.reject(new TypeError(`detectNATType(): timeout must be a number of milliseconds, got ${show(timeout)}`));
  }
  const urls = iceServerUrls(iceServers);
  return new Promise((resolve, reject) => {
    const host = {
      shims: natShims,
      core: null,
      done(result) {
        resolve(result);
        release();
      },
    };
    // Deleted after the call that reported has returned into C++.
    const release = () =>
      queueMicrotask(() => {
        const core = host.core;
        host.core = null;
        core?.delete();
      });
    host.core = new Core.NatProbe(host);
    const refused = failureOf(host.core.start(urls, timeout));
    if (refused) {
      release();
      reject(new RangeError(refused.message));
    }
  });
}

function show(value) {
  if (typeof value === 'string') return `'${value.length > 40 ? `${value.slice(0, 37)}...` : value}'`;
  if (value === null) return 'null';
  return typeof value === 'object' ? (value.constructor?.name ?? 'object') : `${typeof value} ${String(value)}`;
}
