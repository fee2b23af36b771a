// Entry point of the demo. Three modes:
//   /web/              "two tabs": open the page twice; the tabs find each other over a
//                      BroadcastChannel (signaling.js) and connect.
//   /web/?room=<name>  "room": two browsers (or machines) meet in a room of the demo server
//                      (room-signaling.js → toolchain/signal-rooms.js) and connect.
//                      /web/?mode=room shows only the form to pick a room.
//   /web/?mode=local   "one page": two peers side by side in this page, wired directly.
import { WebRTCPeerEnhanced } from '../dist/index.js';
import { RoomSignaling } from './room-signaling.js';
import { Session } from './session.js';
import { TabSignaling } from './signaling.js';
import { randomId } from './random-id.js';
import { PeerPanel } from './ui.js';

// Options for every peer in the demo. No ICE servers: both ends are on this machine, and the demo
// never contacts a public host. The channel buffer is kept small (the default is 16 MiB) so the
// library's own send queue and backpressure events show up with MiB-sized files.
const PEER_OPTIONS = {
  iceServers: [],
  maxBufferedAmount: 1024 * 1024,
  lowWaterMark: 256 * 1024,
  metricsInterval: 1000,
};

const params = new URLSearchParams(location.search);
const room = params.get('room');
const mode = params.get('mode') === 'local' ? 'local'
  : room !== null || params.get('mode') === 'room' ? 'room' : 'tabs';
const peersEl = document.getElementById('peers');
const intro = document.querySelector('[data-testid="intro"]');
const restartButton = document.querySelector('[data-testid="restart"]');
document.body.dataset.mode = mode;
document.querySelector(`nav a[data-mode="${mode}"]`).setAttribute('aria-current', 'page');

// Exposed for poking around in the console (the tests read the DOM, not this).
window.demo = { mode, sessions: [] };

function newPeer(peerId, panel) {
  try {
    return new WebRTCPeerEnhanced({ peerId, ...PEER_OPTIONS });
  } catch (error) {
    panel.setStatus(`could not create the peer: ${error.message}`);
    panel.logEvent('error', error.message);
    throw error;
  }
}

// Logs a failed promise in the panel instead of leaving it unhandled.
const report = (panel, what) => (error) => {
  panel.logEvent('app-error', `${what}: ${error?.message ?? error}`);
  panel.setStatus(`${what} failed: ${error?.message ?? error}`);
};

// ---- one page: two local peers ----

async function startLocal() {
  intro.textContent = 'Two peers in this page, signaling passed directly between them. ' +
    'Chat and send files from either side.';
  const panels = [
    new PeerPanel({ name: 'Alice', testid: 'panel-a' }),
    new PeerPanel({ name: 'Bob', testid: 'panel-b' }),
  ];
  peersEl.append(...panels.map((p) => p.root));
  let sessions = [];

  async function connect() {
    for (const s of sessions) s.close();
    const [pa, pb] = panels;
    const a = newPeer('alice', pa);
    const b = newPeer('bob', pb);
    pa.logEvent('app', 'new peer alice');
    pb.logEvent('app', 'new peer bob');
    sessions = [new Session(a, pa), new Session(b, pb)];
    window.demo.sessions = sessions;
    pa.setSubtitle('offerer');
    pb.setSubtitle('answerer');
    a.on('ice-candidate', ({ candidate }) => b.addIceCandidate(candidate).catch(report(pb, 'addIceCandidate')));
    b.on('ice-candidate', ({ candidate }) => a.addIceCandidate(candidate).catch(report(pa, 'addIceCandidate')));
    // An ICE restart (reconnection) is carried like the first offer.
    a.on('renegotiation-needed', ({ offer }) => {
      b.createAnswer(offer).then((answer) => a.setRemoteAnswer(answer)).catch(report(pa, 'renegotiation'));
    });
    for (const p of panels) p.setStatus('connecting…');
    const offer = await a.createOffer();
    const answer = await b.createAnswer(offer);
    await a.setRemoteAnswer(answer);
    for (const p of panels) p.setStatus('offer and answer exchanged');
  }

  restartButton.addEventListener('click', () => connect().catch(report(panels[0], 'connect')));
  addEventListener('pagehide', () => sessions.forEach((s) => s.close()));
  await connect().catch(report(panels[0], 'connect'));
}

// ---- two tabs or a room: one peer in this page, a partner found by a signaling object ----

/**
 * One peer, paired and signaled by `signaling` (TabSignaling or RoomSignaling: same interface).
 * `texts` says who the partner is in words: {name(id), peerId(), partner(remoteId), offerer,
 * looking (subtitle while alone), waiting (status while alone)}.
 */
function startPaired(signaling, texts) {
  const panel = new PeerPanel({ name: texts.name(signaling.id), testid: 'panel' });
  peersEl.append(panel.root);
  let session = null;

  function freshPeer() {
    session?.close();
    const peer = newPeer(texts.peerId(), panel);
    panel.logEvent('app', `new peer ${peer.peerId}`);
    session = new Session(peer, panel);
    window.demo.sessions = [session];
    window.demo.signaling = signaling;
    peer.on('ice-candidate', ({ candidate }) => signaling.signal('candidate', { candidate }));
    peer.on('renegotiation-needed', ({ offer }) => signaling.signal('offer', { offer }));
    // Reconnection gave up: look for a partner again.
    peer.on('reconnect-failed', () => signaling.restart('reconnection failed'));
    return peer;
  }

  function alone() {
    panel.setSubtitle(texts.looking);
    panel.setStatus(texts.waiting);
  }

  signaling.on('trace', ({ text }) => panel.logEvent('signaling', text, `signaling|${text}`));

  signaling.on('paired', async ({ remoteId, offerer }) => {
    // Paired again after the signaling server came back, over a link that outlived it: keep it.
    if (session.peer.getState() === 'connected') {
      panel.setSubtitle(`paired with ${texts.partner(remoteId)} · the connection stayed up`);
      panel.setStatus('signaling is back; the connection stayed up');
      return;
    }
    const peer = session.peer.getState() === 'new' ? session.peer : freshPeer();
    panel.setSubtitle(`paired with ${texts.partner(remoteId)} · ${offerer ? texts.offerer : 'answerer'}`);
    panel.setStatus(offerer ? 'paired: sending the offer…' : 'paired: waiting for the offer…');
    if (!offerer) return;
    try {
      const offer = await peer.createOffer();
      if (session.peer === peer && signaling.remoteId === remoteId) signaling.signal('offer', { offer });
    } catch (error) {
      report(panel, 'createOffer')(error);
    }
  });

  signaling.on('signal', async (msg) => {
    const peer = session.peer;
    try {
      if (msg.kind === 'offer') {
        const answer = await peer.createAnswer(msg.offer);
        if (session.peer === peer) signaling.signal('answer', { answer });
        panel.setStatus('offer received, answer sent');
      } else if (msg.kind === 'answer') {
        await peer.setRemoteAnswer(msg.answer);
        panel.setStatus('answer applied');
      } else if (msg.kind === 'candidate') {
        await peer.addIceCandidate(msg.candidate);
      }
    } catch (error) {
      report(panel, msg.kind)(error);
    }
  });

  signaling.on('unpaired', ({ remoteId, reason, serverGone }) => {
    // The signaling server went away, not the partner: a connected link carries on without it
    // (only a reconnection needs signaling).
    if (serverGone && session.peer.getState() === 'connected') {
      panel.addChat(`${reason}; the connection to ${texts.partner(remoteId)} stays up`, 'system');
      return;
    }
    panel.addChat(`disconnected from ${texts.partner(remoteId)}: ${reason}`, 'system');
    freshPeer();
    alone();
  });

  // Only RoomSignaling says these: the server gave us an id, refused us, or went away.
  signaling.on('joined', ({ id, members }) => {
    panel.setName(texts.name(id));
    if (members === 1) alone();
  });
  signaling.on('error', ({ code, message }) => {
    panel.logEvent('signaling-error', `${code}: ${message}`);
    panel.setStatus(message);
    // An error before joining is a refusal (room full, bad name): the server closes on us.
    if (signaling.id === null) panel.setSubtitle('not in the room · Reconnect tries again');
  });
  signaling.on('server-gone', ({ message }) => {
    panel.logEvent('signaling-error', message);
    panel.setName(texts.name(null)); // the id was the server's; the next join brings a new one
    panel.setSubtitle('no signaling server');
    panel.setStatus(message);
  });

  restartButton.addEventListener('click', () => {
    if (!signaling.remoteId) freshPeer(); // otherwise 'unpaired' makes the fresh peer
    signaling.restart('you pressed Reconnect');
  });
  addEventListener('pagehide', () => {
    signaling.leave();
    session?.close();
  });
  // Back/forward cache: the signaling and the peer were closed on pagehide, so start over.
  addEventListener('pageshow', (e) => e.persisted && location.reload());

  freshPeer();
  alone();
  signaling.start();
}

function startTabs() {
  const signaling = new TabSignaling('wre-demo');
  intro.innerHTML = '';
  intro.append(
    'Open this page in a second tab of the same browser (',
    Object.assign(document.createElement('a'), { href: location.href, target: '_blank', textContent: 'open another tab' }),
    '); the two tabs find each other over a BroadcastChannel and connect.',
  );
  startPaired(signaling, {
    name: (id) => `Tab ${id}`,
    peerId: () => `tab-${signaling.id}`,
    partner: (remoteId) => `tab ${remoteId}`,
    offerer: 'offerer (smaller id)',
    looking: 'looking for another tab…',
    waiting: 'waiting for another tab',
  });
}

// ---- room: WebSocket signaling through the demo server ----

function startRoom() {
  const form = document.querySelector('[data-testid="room-form"]');
  const input = document.querySelector('[data-testid="room-name"]');
  form.hidden = false;
  restartButton.hidden = room === null;
  input.value = room ?? `room-${randomId(3)}`;
  if (room === null) {
    intro.textContent = 'Pick a room name and press Join, then open the same room in another ' +
      'browser or on another machine: the two members of a room connect.';
    return;
  }
  const scheme = location.protocol === 'https:' ? 'wss' : 'ws';
  const signaling = new RoomSignaling(`${scheme}://${location.host}/rooms/${encodeURIComponent(room)}`);
  intro.innerHTML = '';
  intro.append(
    `Open this page in another browser (Chromium ↔ Firefox) or on another machine (`,
    Object.assign(document.createElement('a'), { href: location.href, target: '_blank', textContent: location.href }),
    `); the two members of room "${room}" are paired by this server and connect. A room holds two.`,
  );
  startPaired(signaling, {
    name: (id) => (id ? `${id} in room "${room}"` : `Room "${room}"`),
    peerId: () => `room-${randomId(4)}`,
    partner: (remoteId) => `peer ${remoteId}`,
    offerer: 'offerer (in the room first)',
    looking: `waiting in room "${room}"…`,
    waiting: `waiting for another browser to join room "${room}"`,
  });
}

if (mode === 'local') startLocal();
else if (mode === 'room') startRoom();
else startTabs();
