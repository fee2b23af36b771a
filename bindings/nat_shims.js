// Shims for NAT type detection (bindings/nat_embind.cpp). They keep no state of their own: all
// of it is in a record { host, pcs, reach, timers, closed } that the C++ driver holds; every
// browser callback re-enters the core through `host.core._onX(connection, ...)` with the number the
// core gave that connection, and nothing arrives once `closed` is set. No policy here: the core
// decides which connections ask which servers, how long, what the evidence and the self-reach
// test's ICE states mean, and what the descriptions of that test may carry.
import { alive, message } from './records.js';

const LABEL = 'wre-nat';

function detach(pc) {
  if (!pc) return;
  pc.onicecandidate = pc.onicecandidateerror = pc.onicegatheringstatechange = null;
  pc.oniceconnectionstatechange = null;
  pc.close();
}

export const natShims = {
  open(host) {
    return { host, pcs: new Map(), reach: null, timers: new Map(), closed: false };
  },

  // Connection `n` with `urls` as its only ICE servers. Returns undefined, or the browser's reason
  // for refusing the configuration.
  gather(rec, n, urls) {
    let pc;
    try {
      pc = new globalThis.RTCPeerConnection({ iceServers: [{ urls }], iceCandidatePoolSize: 0 });
    } catch (error) {
      return message(error);
    }
    rec.pcs.set(n, pc);
    pc.onicecandidate = (e) => {
      const c = e.candidate;
      if (!c || !c.candidate || !alive(rec)) return;
      rec.host.core._onCandidate(n, String(c.candidate));
    };
    pc.onicecandidateerror = (e) => {
      if (!alive(rec)) return;
      rec.host.core._onCandidateError(n, String(e.url || ''), Number(e.errorCode) | 0, String(e.errorText || ''));
    };
    pc.onicegatheringstatechange = () => {
      if (pc.iceGatheringState === 'complete' && alive(rec)) rec.host.core._onGatheringComplete(n);
    };
    // A negotiated channel gives the offer an m-section, so the browser gathers.
    pc.createDataChannel(LABEL, { negotiated: true, id: 0 });
    pc.createOffer()
      .then((d) => pc.setLocalDescription(d))
      .catch((error) => alive(rec) && rec.host.core._onGatherFailed(n, message(error)));
    return undefined;
  },

  // One more connection that knows only `candidate`: do its ICE checks reach connection `n`? The
  // core reads the two connections' ICE states (a probe that cannot be set up reports `failed`),
  // and gives the descriptions they exchange without candidates.
  probeReach(rec, n, candidate) {
    const state = (probe, s) => alive(rec) && rec.host.core._onReachState(probe, s);
    const bare = (sdp) => {
      if (!alive(rec)) throw new Error('detection finished');
      return rec.host.core._withoutCandidates(sdp);
    };
    const a = rec.pcs.get(n);
    let b;
    try {
      b = a && new globalThis.RTCPeerConnection({ iceServers: [] });
    } catch {
      b = undefined;
    }
    if (!b) {
      state(true, 'failed');
      return;
    }
    rec.reach = b;
    b.createDataChannel(LABEL, { negotiated: true, id: 0 });
    a.oniceconnectionstatechange = () => state(false, a.iceConnectionState);
    b.oniceconnectionstatechange = () => state(true, b.iceConnectionState);
    Promise.resolve()  // nothing here throws into C++, not even `bare`
      .then(() => b.setRemoteDescription({ type: 'offer', sdp: bare(a.localDescription.sdp) }))
      .then(() => b.createAnswer())
      .then((d) => b.setLocalDescription(d))
      .then(() => a.setRemoteDescription({ type: 'answer', sdp: bare(b.localDescription.sdp) }))
      .then(() => b.addIceCandidate({ candidate, sdpMLineIndex: 0 }))
      .catch(() => state(true, 'failed'));
  },

  setTimer(rec, id, delayMs) {
    clearTimeout(rec.timers.get(id));
    rec.timers.set(id, setTimeout(() => {
      rec.timers.delete(id);
      if (alive(rec)) rec.host.core._onTimer(id);
    }, delayMs));
  },

  cancelTimer(rec, id) {
    clearTimeout(rec.timers.get(id));
    rec.timers.delete(id);
  },

  now() {
    return performance.now();
  },

  // Detaches every handler first so no late browser event reaches freed C++.
  close(rec) {
    rec.closed = true;
    for (const t of rec.timers.values()) clearTimeout(t);
    rec.timers.clear();
    detach(rec.reach);
    rec.reach = null;
    for (const pc of rec.pcs.values()) detach(pc);
    rec.pcs.clear();
  },
};
