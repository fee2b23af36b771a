// detectNATType(): the guide's NAT type detection over the C++ core's NatDetector. This file only
// checks argument types and turns the core's single report into a Promise; reading the ICE servers,
// which of them count, how long to wait and what the evidence means are the core's.
import { Core } from './core.js';
import { natShims } from './nat_shims.js';
import { failureOf, show } from './errors.js';

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
    host.core = new Core.CoreNatDetector(host);
    const refused = failureOf(host.core.start(iceServers, timeout));
    if (refused) {
      release();
      reject(new RangeError(refused.message));
    }
  });
}
