// Signaling through a room of the demo server (toolchain/signal-rooms.js) over a WebSocket, so
// two different browsers, or two machines, can pair. The same methods and events as TabSignaling
// (signaling.js), so app.js drives either; the server does the pairing and says who offers (the
// member who was in the room first).
//
// Events (on): 'paired' {remoteId, offerer}, 'unpaired' {remoteId, reason, serverGone}, 'signal' {kind, ...},
// 'trace' {text}, and only here: 'joined' {id, room, members}, 'error' {code, message} (the server
// refused something: room full, bad name, ...), 'server-gone' {message} (the socket closed without
// our asking; we try again every 2 s until it is back).

import { Listeners } from './listeners.js';

const RETRY_EVERY_MS = 2000;
// Close codes that follow a refusal (bad-room, room-full, too-many-rooms): trying again at once
// would only be refused again, so we wait for the user's Reconnect (restart()).
const REFUSALS = new Set([4400, 4409, 4503]);
const SIGNALS = new Set(['offer', 'answer', 'candidate']);

export class RoomSignaling extends Listeners {
  #url;
  #ws = null;
  #retryTimer = null;
  #opened = false; // the current socket got through, so a close means the server went away
  #gone = false; // 'server-gone' was said for this outage
  id = null; // given by the server on each join
  remoteId = null;

  /** @param {string} url ws(s)://host/rooms/<name> */
  constructor(url) {
    super();
    this.#url = url;
  }

  /** Connects and joins the room, unless already doing so. */
  start() {
    if (!this.#ws) this.#connect();
  }

  /** Sends offer / answer / candidate to the partner through the server. */
  signal(kind, payload) {
    if (!this.remoteId || this.#ws?.readyState !== WebSocket.OPEN) return false;
    this.#send({ kind, ...payload });
    return true;
  }

  /** Leaves the room (the partner hears why) and joins it again as a new member. */
  restart(reason) {
    this.#disconnect();
    this.#unpair(reason);
    this.start();
  }

  /** Leaves the room for good (call on pagehide). */
  leave() {
    this.#disconnect();
  }

  #connect() {
    clearTimeout(this.#retryTimer);
    this.#retryTimer = null;
    this.#opened = false;
    const ws = new WebSocket(this.#url);
    this.#ws = ws;
    // Every handler checks that its socket is still the current one: a socket we dropped may
    // still report its close after its successor exists.
    ws.onopen = () => {
      if (ws !== this.#ws) return;
      this.#opened = true;
      this.#trace(`connected to ${this.#url}`);
    };
    ws.onmessage = (e) => ws === this.#ws && this.#receive(e.data);
    ws.onclose = (e) => ws === this.#ws && this.#closed(e);
  }

  #disconnect() {
    clearTimeout(this.#retryTimer);
    this.#retryTimer = null;
    const ws = this.#ws;
    this.#ws = null;
    this.id = null;
    if (!ws) return;
    if (this.remoteId && ws.readyState === WebSocket.OPEN) this.#send({ kind: 'bye' }, ws);
    ws.close(1000);
  }

  #closed({ code }) {
    this.#ws = null;
    this.id = null;
    if (REFUSALS.has(code)) {
      this.#trace(`the server closed the connection (${code}); press Reconnect to try again`);
      return;
    }
    this.#unpair('the signaling server went away', { serverGone: true });
    if (!this.#gone) {
      this.#gone = true;
      const message = this.#opened
        ? `the signaling server went away (connection closed, code ${code}); trying again every ${RETRY_EVERY_MS / 1000} s`
        : `cannot reach the signaling server; trying again every ${RETRY_EVERY_MS / 1000} s`;
      this.emit('server-gone', { message });
    }
    // One timer at a time, for as long as it takes; the repeated trace line counts the tries.
    this.#trace(`no signaling server: next try in ${RETRY_EVERY_MS / 1000} s`);
    this.#retryTimer = setTimeout(() => this.#connect(), RETRY_EVERY_MS);
  }

  #send(msg, ws = this.#ws) {
    ws.send(JSON.stringify(msg));
    this.#trace(`→ ${msg.kind}${this.remoteId ? ` to ${this.remoteId}` : ''}`);
  }

  #trace(text) {
    this.emit('trace', { text });
  }

  // `serverGone`: the partner may still be there, only the server is not (a link between the two
  // can outlive it; the app decides).
  #unpair(reason, { serverGone = false } = {}) {
    const remoteId = this.remoteId;
    if (!remoteId) return;
    this.remoteId = null;
    this.emit('unpaired', { remoteId, reason, serverGone });
  }

  #receive(data) {
    let msg;
    try {
      msg = JSON.parse(data);
    } catch {
      return this.#trace('← a message that is not JSON (ignored)');
    }
    if (!msg || typeof msg !== 'object' || typeof msg.kind !== 'string') return;
    if ('from' in msg) return this.#relayed(msg); // only relayed messages carry `from`
    this.#trace(`← ${msg.kind}${msg.code ? ` ${msg.code}` : ''}`);
    switch (msg.kind) {
      case 'joined':
        this.id = msg.id;
        this.#gone = false;
        this.emit('joined', { id: msg.id, room: msg.room, members: msg.members });
        return;
      case 'paired':
        this.remoteId = msg.remoteId;
        this.emit('paired', { remoteId: msg.remoteId, offerer: msg.offerer === true });
        return;
      case 'peer-left':
        if (msg.remoteId === this.remoteId) this.#unpair('the other browser left the room');
        return;
      case 'error':
        this.emit('error', { code: String(msg.code), message: String(msg.message) });
        return;
      default:
    }
  }

  #relayed(msg) {
    if (msg.from !== this.remoteId) return; // a late message from a previous partner
    if (msg.kind !== 'candidate') this.#trace(`← ${msg.kind} from ${msg.from}`);
    if (SIGNALS.has(msg.kind)) this.emit('signal', msg);
    else if (msg.kind === 'bye') this.#unpair('the other browser left or restarted');
  }
}
