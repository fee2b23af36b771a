// Shims over the browser's WebRTC objects, without policy. Each connection is a plain record
// { id, pc, channels, host, closed } that the C++ driver holds (registered by id in records.js for
// the per-message calls, hot_calls.js). Every browser callback re-enters the core through
// `host.core._onX(...)` (a message on an app channel: `host.accept`; on the library's own:
// `host.library`), and nothing arrives once `closed` is set. Nothing here throws into C++: an
// exception thrown through WASM frames would skip the core's own bookkeeping on its way out.
import { alive, liveConnections, message, register, unregister } from './records.js';
import { flattenStats } from './stats_flatten.js';

const encoder = new TextEncoder();

// A record the core may still ask for work: the core never does after close, but a call on a
// closed record must not throw into C++.
function usable(conn) {
  return conn !== undefined && conn !== null && !conn.closed;
}

function describe(conn, id) {
  const d = conn.pc.localDescription;
  if (alive(conn)) conn.host.core._onDescription(id, d.type, d.sdp);
}

function failed(conn, id) {
  return (error) => {
    if (alive(conn)) conn.host.core._onRequestFailed(id, message(error));
  };
}

export const shims = {
  // Returns the connection record, a string (the browser's reason for refusing the config), or
  // null: this browser has no RTCPeerConnection at all.
  createPeerConnection(host, config) {
    if (typeof globalThis.RTCPeerConnection !== 'function') return null;
    let pc;
    try {
      pc = new globalThis.RTCPeerConnection(config);
    } catch (error) {
      return message(error);
    }
    const conn = { id: -1, pc, channels: [], host, closed: false };
    register(conn);
    // The end of gathering (no candidate) is the driver's empty candidate: the core decides.
    pc.onicecandidate = (e) => alive(conn) && host.core._onIceCandidate(e.candidate ? e.candidate.toJSON() : { candidate: '' });
    pc.onicegatheringstatechange = () => alive(conn) && host.core._onIceGatheringState(pc.iceGatheringState);
    pc.oniceconnectionstatechange = () => alive(conn) && host.core._onIceConnectionState(pc.iceConnectionState);
    pc.onconnectionstatechange = () => alive(conn) && host.core._onConnectionState(pc.connectionState);
    // Network hints: back online, or a different network (mobile ↔ Wi-Fi).
    conn.onNetworkChange = () => alive(conn) && host.core._onNetworkChange();
    globalThis.addEventListener?.('online', conn.onNetworkChange);
    globalThis.navigator?.connection?.addEventListener?.('change', conn.onNetworkChange);
    return conn;
  },

  // `user`: the app's channel (the core counts a message, then the app gets it as it came) or the
  // library's own (its bytes are copied into the core to be read).
  createChannel(conn, id, label, ordered, maxRetransmits, priority, lowThreshold, user) {
    const init = { negotiated: true, id, ordered, priority };
    if (maxRetransmits >= 0) init.maxRetransmits = maxRetransmits;
    const dc = conn.pc.createDataChannel(label, init);
    dc.binaryType = 'arraybuffer';
    dc.bufferedAmountLowThreshold = lowThreshold;
    dc.onopen = () => alive(conn) && conn.host.core._onChannelOpen(id);
    dc.onclose = () => alive(conn) && conn.host.core._onChannelClose(id);
    dc.onerror = (e) => alive(conn) && conn.host.core._onChannelError(id, message(e.error || 'channel error'));
    dc.onbufferedamountlow = () => alive(conn) && conn.host.core._onBufferedAmountLow(id);
    dc.onmessage = (e) => {
      if (!alive(conn)) return;
      // The far end's bytes for the library go in as they came: the core checks them first.
      if (!user) return conn.host.library(id, e.data);
      const data = typeof e.data === 'string' ? encoder.encode(e.data) : new Uint8Array(e.data);
      const arrival = conn.host.accept(id, data.byteLength);
      if (arrival === 1) conn.host.deliver(id, data);
      else if (arrival === 2) conn.host.keep(data);  // the core delivers it once classified
    };
    conn.channels[id] = dc;
    return dc;
  },

  createOffer(conn, id, iceRestart) {
    if (!usable(conn)) return;
    conn.pc.createOffer({ iceRestart })
      .then((d) => conn.pc.setLocalDescription(d))
      .then(() => describe(conn, id), failed(conn, id));
  },

  createAnswer(conn, id) {
    if (!usable(conn)) return;
    conn.pc.createAnswer()
      .then((d) => conn.pc.setLocalDescription(d))
      .then(() => describe(conn, id), failed(conn, id));
  },

  setRemoteDescription(conn, id, type, sdp) {
    if (!usable(conn)) return;
    conn.pc.setRemoteDescription({ type, sdp })
      .then(() => alive(conn) && conn.host.core._onRequestDone(id), failed(conn, id));
  },

  addIceCandidate(conn, id, candidate) {
    if (!usable(conn)) return;
    conn.pc.addIceCandidate(candidate)
      .then(() => alive(conn) && conn.host.core._onRequestDone(id), failed(conn, id));
  },

  // getStats() flattened (stats_flatten.js) into two values for the core.
  getStats(conn, id, fields) {
    if (!usable(conn)) return;
    conn.pc.getStats().then((report) => {
      if (!alive(conn)) return;
      const { values, strings } = flattenStats(report, fields);
      conn.host.core._onStats(id, values, strings);
    }, failed(conn, id));
  },

  // Detaches every handler first so no late browser event reaches freed C++.
  close(conn) {
    if (!usable(conn)) return;
    conn.closed = true;
    unregister(conn);
    globalThis.removeEventListener?.('online', conn.onNetworkChange);
    globalThis.navigator?.connection?.removeEventListener?.('change', conn.onNetworkChange);
    for (const dc of conn.channels) {
      if (!dc) continue;
      dc.onopen = dc.onclose = dc.onerror = dc.onbufferedamountlow = dc.onmessage = null;
      dc.close();
    }
    const pc = conn.pc;
    pc.onicecandidate = pc.onicegatheringstatechange = pc.oniceconnectionstatechange = null;
    pc.onconnectionstatechange = null;
    pc.close();
    conn.channels = [];
  },

  // Every connection, without the core (js/core.js, after a trap).
  closeAll() {
    for (const conn of liveConnections()) shims.close(conn);
  },
};
