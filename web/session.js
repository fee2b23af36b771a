// A Session binds one WebRTCPeerEnhanced to one PeerPanel: chat on 'reliable' (plain UTF-8, so a
// plain RTCPeerConnection peer could chat too), files with peer.sendFile (transfer.js), the live
// numbers and the event log. It only uses the public API and feature-detects what may not exist
// yet (getMetrics, getQuality, getQueuedBytes, the metrics / quality-change events).
import { FileTransfers } from './transfer.js';
import { formatBytes } from './ui.js';

const LOGGED_EVENTS = [
  'initialized', 'state-change', 'ice-candidate', 'ice-gathering-state', 'ice-connection-state',
  'channel-created', 'channel-open', 'channel-close', 'channel-error', 'message', 'error', 'closed',
  'message-queued', 'message-sent', 'backpressure', 'channel-ready', 'metrics', 'quality-change',
  'reconnect-scheduled', 'reconnect-attempt', 'reconnect-failed', 'renegotiation-needed',
  'transfer', 'transfer-progress', 'transfer-complete', 'transfer-failed',
];

const STATE_NOTES = {
  connecting: 'connecting…',
  connected: 'connected: chat and file transfer are enabled',
  disconnected: 'disconnected: the library is trying to reconnect',
  failed: 'the connection failed',
  closed: 'closed',
};

const decoder = new TextDecoder();

export class Session {
  peer;
  panel;
  files;
  #listeners = [];
  #timer;
  #metrics = null;    // the latest library metrics object, if the library has them
  #metricsRate = null; // { t, sent, received, up, down } derived from successive metrics samples
  #quality = null;
  #appBytes = { sent: 0, received: 0, lastSent: 0, lastReceived: 0, lastT: performance.now() };

  constructor(peer, panel) {
    this.peer = peer;
    this.panel = panel;
    this.files = new FileTransfers(peer, panel, (name, fn) => this.#on(name, fn));

    for (const name of LOGGED_EVENTS) this.#on(name, (p) => panel.logEvent(name, ...describe(name, p)));
    this.#on('state-change', ({ newState }) => {
      panel.setState(newState);
      if (STATE_NOTES[newState]) panel.setStatus(STATE_NOTES[newState]);
    });
    this.#on('message', (m) => this.#onMessage(m));
    this.#on('metrics', (p) => this.#feedMetrics(p?.metrics));
    this.#on('quality-change', (p) => (this.#quality = qualityName(p) ?? this.#quality));

    panel.setState(peer.getState());
    panel.onChat((text) => this.sendChat(text));
    panel.onFile((file) => this.files.send(file));
    this.#timer = setInterval(() => this.#tick(), 1000);
  }

  sendChat(text) {
    try {
      this.peer.send(text, 'reliable');
    } catch (error) {
      this.panel.addChat(`not sent (${error.message}): ${text}`, 'system');
      return false;
    }
    this.#appBytes.sent += new TextEncoder().encode(text).byteLength;
    this.panel.addChat(text, 'sent');
    return true;
  }

  /** Closes the peer and stops listening to it. */
  close() {
    clearInterval(this.#timer);
    this.peer.close();
    for (const [name, fn] of this.#listeners) this.peer.off(name, fn);
    this.#listeners = [];
  }

  #on(name, fn) {
    this.peer.on(name, fn);
    this.#listeners.push([name, fn]);
  }

  #onMessage({ type, data }) {
    this.#appBytes.received += data.byteLength;
    if (type === 'reliable') {
      this.panel.addChat(decoder.decode(data), 'received');
    }
    // The other channels carry nothing of this demo's own (transfers' chunks never come as
    // 'message': the library takes them).
  }

  // Rates between two successive metrics samples (the library's own byte counters).
  #feedMetrics(m) {
    if (!m || typeof m !== 'object') return;
    this.#metrics = m;
    const t = performance.now();
    const prev = this.#metricsRate;
    if (!Number.isFinite(m.bytesSent) || !Number.isFinite(m.bytesReceived)) return;
    if (prev && t - prev.t < 500) return; // too close to the last sample for a rate
    const dt = prev ? (t - prev.t) / 1000 : 0;
    this.#metricsRate = {
      t,
      sent: m.bytesSent,
      received: m.bytesReceived,
      up: prev ? Math.max(0, (m.bytesSent - prev.sent) / dt) : 0,
      down: prev ? Math.max(0, (m.bytesReceived - prev.received) / dt) : 0,
    };
  }

  #tick() {
    const peer = this.peer;
    if (typeof peer.getMetrics === 'function') {
      try {
        const m = peer.getMetrics();
        if (m && typeof m.then === 'function') m.then((v) => this.#feedMetrics(v), () => {});
        else this.#feedMetrics(m);
      } catch {
        // not available in this state
      }
    }
    if (typeof peer.getQuality === 'function') {
      try {
        this.#quality = qualityName(peer.getQuality()) ?? this.#quality;
      } catch {
        // not available in this state
      }
    }

    const now = performance.now();
    const app = this.#appBytes;
    const dt = Math.max(0.001, (now - app.lastT) / 1000);
    const appUp = (app.sent - app.lastSent) / dt;
    const appDown = (app.received - app.lastReceived) / dt;
    Object.assign(app, { lastSent: app.sent, lastReceived: app.received, lastT: now });

    const m = this.#metrics;
    const rate = this.#metricsRate;
    const fromLibrary = rate !== null;
    const rtt = m && Number.isFinite(m.roundTripTime) ? m.roundTripTime * 1000 : NaN;
    let quality = this.#quality;
    if (!quality && m && Number.isFinite(rtt)) quality = `${guideQuality(m)} (estimate)`;
    this.panel.updateLive({
      state: peer.getState(),
      queue: peer.getQueueSize(),
      queuedBytes: typeof peer.getQueuedBytes === 'function' ? peer.getQueuedBytes() : NaN,
      up: fromLibrary ? rate.up : appUp,
      down: fromLibrary ? rate.down : appDown,
      rttMs: rtt,
      quality,
      source: fromLibrary
        ? 'library metrics'
        : 'app counters: payload bytes (the library reports no metrics yet)',
    });
  }
}

// The guide's getConnectionQuality(), used only when the library has no quality of its own.
function guideQuality(m) {
  const rtt = m.roundTripTime * 1000;
  const lossRate = m.packetsLost / (m.packetsReceived || 1);
  if (rtt < 100 && lossRate < 0.01) return 'excellent';
  if (rtt < 200 && lossRate < 0.05) return 'good';
  if (rtt < 400 && lossRate < 0.1) return 'fair';
  return 'poor';
}

// getQuality() / quality-change may give a string or an object; take what looks like a grade.
function qualityName(q) {
  if (typeof q === 'string') return q;
  if (!q || typeof q !== 'object') return null;
  for (const key of ['quality', 'newQuality', 'grade', 'level', 'rating']) {
    if (typeof q[key] === 'string') return q[key];
    if (q[key] && typeof q[key] === 'object') return qualityName(q[key]);
  }
  return null;
}

// [detail, coalescing key] for the event log.
function describe(name, p = {}) {
  switch (name) {
    case 'state-change':
      return [`${p.oldState} → ${p.newState}`];
    case 'ice-candidate': {
      const c = p.candidate?.candidate ?? '';
      const typ = /\btyp (\w+)/.exec(c)?.[1] ?? '?';
      const proto = /^candidate:\S+ \d+ (\w+)/.exec(c)?.[1]?.toLowerCase() ?? '';
      return [`${typ} ${proto}`.trim(), `${name}|${typ}`];
    }
    case 'ice-gathering-state':
    case 'ice-connection-state':
      return [String(p.state)];
    case 'message':
      return [`${p.type}, ${formatBytes(p.data?.byteLength)}`, `${name}|${p.type}`];
    case 'message-queued':
    case 'message-sent':
      return [`${p.type}, ${formatBytes(p.size)}`, `${name}|${p.type}`];
    case 'backpressure':
      return [`${p.type}, ${formatBytes(p.bufferedAmount)} buffered`, `${name}|${p.type}`];
    case 'channel-created':
    case 'channel-open':
    case 'channel-close':
    case 'channel-ready':
      return [String(p.type)];
    case 'channel-error':
      return [`${p.type}: ${p.error?.message ?? p.error}`];
    case 'error':
      return [`${p.type}: ${p.error?.message ?? p.error}`];
    case 'metrics': {
      const m = p.metrics ?? {};
      const rtt = Number.isFinite(m.roundTripTime) ? `${(m.roundTripTime * 1000).toFixed(1)} ms` : 'n/a';
      return [`rtt ${rtt}, ↑ ${formatBytes(m.bytesSent)}, ↓ ${formatBytes(m.bytesReceived)}`, name];
    }
    case 'transfer':
      return [`${p.name} (${formatBytes(p.size ?? NaN)}) offered`];
    case 'transfer-progress':
      // One log line per transfer and direction, updated in place.
      return [`${p.direction} ${formatBytes(p.bytes)}${p.total === null ? '' : ` of ${formatBytes(p.total)}`}`, `${name}|${p.id}|${p.direction}`];
    case 'transfer-complete':
      return [`${p.direction} ${formatBytes(p.bytes)}, sha256 ${p.sha256}`];
    case 'transfer-failed':
      return [`${p.direction} ${p.reason}: ${p.error?.message ?? p.error}`];
    case 'initialized':
      return [String(p.peerId)];
    case 'closed':
      return [''];
    default:
      return [compact(p), name];
  }
}

function compact(value) {
  let text;
  try {
    text = JSON.stringify(value) ?? '';
  } catch {
    text = String(value);
  }
  return text.length > 120 ? `${text.slice(0, 117)}…` : text;
}
