// Signaling between two tabs of the same browser over a BroadcastChannel (same origin, same
// browser profile). Every message is JSON-serialisable: { kind, from, to?, ...payload }.
//
// Pairing handshake (works when tabs open at the same time, and lets a third tab see "busy"):
//   A → all: hello            "I am looking for a partner"
//   B → A:   hello-ack        "I am free too"
//   A → B:   pair             "I take you" (A pairs on the ack, B pairs on the pair)
//   B → A:   busy             only if B meanwhile paired with someone else; A starts over
// Once paired, the tab with the smaller id makes the offer (a deterministic choice, no glare).
// Then offer / answer / candidate carry the WebRTC signaling, and bye says "this tab is leaving".

import { Listeners } from './listeners.js';
import { randomId } from './random-id.js';

const HELLO_EVERY_MS = 2000;

// Events (on): 'paired' {remoteId, offerer}, 'unpaired' {remoteId, reason}, 'signal' {kind, ...},
// 'trace' {text}.
export class TabSignaling extends Listeners {
  #channel;
  #helloTimer = null;
  id = randomId(4);
  remoteId = null;

  constructor(name = 'wre-demo') {
    super();
    this.#channel = new BroadcastChannel(name);
    this.#channel.onmessage = (e) => this.#receive(e.data);
  }

  /** Starts looking for a partner (again): hello now and every few seconds until paired. */
  start() {
    clearInterval(this.#helloTimer);
    this.#post({ kind: 'hello' });
    this.#helloTimer = setInterval(() => this.remoteId || this.#post({ kind: 'hello' }), HELLO_EVERY_MS);
  }

  /** Sends offer / answer / candidate to the partner. */
  signal(kind, payload) {
    if (!this.remoteId) return false;
    this.#post({ kind, to: this.remoteId, ...payload });
    return true;
  }

  /** Drops the partner (telling it so) and looks for a new one. */
  restart(reason) {
    if (this.remoteId) this.#post({ kind: 'bye', to: this.remoteId });
    this.#unpair(reason);
    this.start();
  }

  /** Tells the partner we are going away (call on pagehide). */
  leave() {
    clearInterval(this.#helloTimer);
    if (this.remoteId) this.#post({ kind: 'bye', to: this.remoteId });
    this.#channel.close();
  }

  #post(msg) {
    this.#channel.postMessage({ ...msg, from: this.id });
    this.emit('trace', { text: `→ ${msg.kind}${msg.to ? ` to ${msg.to}` : ''}` });
  }

  #pair(remoteId) {
    this.remoteId = remoteId;
    this.emit('paired', { remoteId, offerer: this.id < remoteId });
  }

  #unpair(reason) {
    const remoteId = this.remoteId;
    if (!remoteId) return;
    this.remoteId = null;
    this.emit('unpaired', { remoteId, reason });
  }

  #receive(msg) {
    if (!msg || typeof msg !== 'object' || msg.from === this.id) return;
    if (msg.to && msg.to !== this.id) return; // addressed to another tab
    if (msg.kind !== 'candidate') this.emit('trace', { text: `← ${msg.kind} from ${msg.from}` });
    const fromPartner = msg.from === this.remoteId;
    switch (msg.kind) {
      case 'hello':
        if (!this.remoteId) this.#post({ kind: 'hello-ack', to: msg.from });
        return;
      case 'hello-ack':
        if (this.remoteId) return; // someone else was quicker; they will hear nothing from us
        this.#post({ kind: 'pair', to: msg.from });
        this.#pair(msg.from);
        return;
      case 'pair':
        if (fromPartner) return;
        if (this.remoteId) this.#post({ kind: 'busy', to: msg.from });
        else this.#pair(msg.from);
        return;
      case 'busy':
      case 'bye':
        if (!fromPartner) return;
        this.#unpair(msg.kind === 'busy' ? 'the other tab is already paired' : 'the other tab left or restarted');
        this.start();
        return;
      case 'offer':
      case 'answer':
      case 'candidate':
        if (fromPartner) this.emit('signal', msg);
        return;
      default:
    }
  }
}
