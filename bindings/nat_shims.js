// Stateless shims for NAT type detection (bindings/nat_bindings.cpp). All state is in a record
// { host, pcs, reach, timers, closed } that the C++ driver holds; every browser callback re-enters
// the core through `host.core._onX(connection, ...)` with the number the core gave that connection,
// and nothing arrives once `closed` is set. No policy here: the core decides which connections
// ask which servers, how long, and what the evidence means.

const LABEL = 'wre-nat';

function message(error) {
  return String(error && error.message ? error.message : error);
}

function alive(rec) {
  return !rec.closed && rec.host.core;
}

// SDP without candidates: the self-reach test must not give either side a host address.
function withoutCandidates(sdp) {
  return sdp
    .split('\r\n')
    .filter((line) => !line.startsWith('a=candidate:') && !line.startsWith('a=end-of-candidates'))
    .join('\r\n');
}

function detach(pc) {
  if (!pc) return;
  pc.onicecandidate = pc.onicecandidateerror = pc.onicegatheringstatechange = null;
  pc.oniceconnectionstatechange = null;
  pc.close();
}

export const natShims = {
  open(host) {
    return { host, pcs: new Map(), reach: null, timers: new Map(), closed: false, reachReported: false };
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

  // One more connection that knows only `candidate`: do its ICE checks reach connection `n`?
  probeReach(rec, n, candidate) {
    const report = (reached) => {
      if (rec.reachReported || !alive(rec)) return;
      rec.reachReported = true;
      rec.host.core._onReachResult(reached);
    };
    const a = rec.pcs.get(n);
    if (!a) {
      report(false);
      return;
    }
    let b;
    try {
      b = new globalThis.RTCPeerConnection({ iceServers: [] });
    } catch {
      report(false);
      return;
    }
    rec.reach = b;
    b.createDataChannel(LABEL, { negotiated: true, id: 0 });
    const watch = (pc) => () => {
      const s = pc.iceConnectionState;
      if (s === 'connected' || s === 'completed') report(true);
      else if (pc === b && s === 'failed') report(false);
    };
    a.oniceconnectionstatechange = watch(a);
    b.oniceconnectionstatechange = watch(b);
    b.setRemoteDescription({ type: 'offer', sdp: withoutCandidates(a.localDescription.sdp) })
      .then(() => b.createAnswer())
      .then((d) => b.setLocalDescription(d))
      .then(() => a.setRemoteDescription({ type: 'answer', sdp: withoutCandidates(b.localDescription.sdp) }))
      .then(() => b.addIceCandidate({ candidate, sdpMLineIndex: 0 }))
      .catch(() => report(false));
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
