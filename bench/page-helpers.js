// What both benchmark pages use (bench/bench.js, bench/transfer-bench.js): the fair buffer bounds,
// timing helpers, a raw RTCDataChannel pair, and the raw sender and byte counter they compare with.
export const HIGH = 1024 * 1024;
export const LOW = 256 * 1024;

export const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));
export const once = (target, name) => new Promise((resolve) => target.addEventListener(name, resolve, { once: true }));
// A named point in the run (bench/run.js may sample the browser's CPU there).
export const mark = (label) => (typeof globalThis.benchMark === 'function' ? globalThis.benchMark(label) : Promise.resolve());

// `who` names the page in the error ('bench', 'transfer bench').
export function withTimeout(promise, ms, what, who = 'bench') {
  let timer;
  return Promise.race([
    promise,
    new Promise((_, reject) => {
      timer = setTimeout(() => reject(new Error(`${who}: timed out after ${ms} ms: ${what}`)), ms);
    }),
  ]).finally(() => clearTimeout(timer));
}

export async function rawPair(labels) {
  const a = new RTCPeerConnection();
  const b = new RTCPeerConnection();
  a.onicecandidate = (e) => e.candidate && b.addIceCandidate(e.candidate);
  b.onicecandidate = (e) => e.candidate && a.addIceCandidate(e.candidate);
  const make = (pc) => labels.map((label, id) => {
    const dc = pc.createDataChannel(label, { negotiated: true, id });
    dc.binaryType = 'arraybuffer';
    dc.bufferedAmountLowThreshold = LOW;
    return dc;
  });
  const tx = make(a);
  const rx = make(b);
  const opened = [...tx, ...rx].map((dc) => (dc.readyState === 'open' ? null : once(dc, 'open')));
  await a.setLocalDescription();
  await b.setRemoteDescription(a.localDescription);
  await b.setLocalDescription();
  await a.setRemoteDescription(b.localDescription);
  await withTimeout(Promise.all(opened), 15000, 'raw channels to open');
  return { tx, rx, close: () => { a.close(); b.close(); } };
}

export function connectedPromise(peer) {
  if (peer.getState() === 'connected') return Promise.resolve();
  return new Promise((resolve) => {
    const listener = (e) => {
      if (e.newState !== 'connected') return;
      peer.off('state-change', listener);
      resolve();
    };
    peer.on('state-change', listener);
  });
}

export async function pumpRaw(dc, msg, count, progress = { bytes: 0 }) {
  const size = msg.byteLength;
  for (let i = 0; i < count; i++) {
    if (dc.bufferedAmount + size > HIGH) await once(dc, 'bufferedamountlow');
    dc.send(msg);
    progress.bytes += size;
  }
}

export function byteCounter(total) {
  let got = 0;
  let finish;
  const done = new Promise((resolve) => { finish = resolve; });
  return {
    add(n) {
      got += n;
      if (got >= total && finish) {
        finish(performance.now());
        finish = null;
      }
    },
    get bytes() { return got; },
    done,
  };
}
