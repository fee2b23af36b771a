// WebSocket signaling rooms for the demo: two browsers (or two machines) that open the same room
// get paired, and the server relays their JSON messages. Attached to toolchain/serve.js's server.
//
//   ws://HOST:PORT/rooms/<name>      name: /^[A-Za-z0-9_-]{1,64}$/, two members per room
//
// Server → client (JSON text frames):
//   {kind:'joined', id, room, members}          on join (members: 1 or 2)
//   {kind:'paired', remoteId, offerer}          to both when the second member joins; the member
//                                               who was there first is the offerer
//   {kind:'peer-left', remoteId}                the partner closed or failed; wait for the next one
//   {kind:'error', code, message}               bad-room (then close 4400), room-full (4409),
//                                               too-many-rooms (4503), bad-message, no-partner
// Client → server: any JSON object with a string `kind`; relayed to the partner with
// `from: <sender id>` added (server messages never carry `from`, so clients can tell them apart).
//
// Memory is bounded: at most maxRooms rooms of two, frames of at most maxPayload bytes (ws closes
// with 1009 past that), a client that does not read (send buffer > 1 MiB) or does not answer a
// ping within 15 s is cut off.
import { randomBytes } from 'node:crypto';
import { WebSocket, WebSocketServer } from 'ws';

const ROOM_NAME = /^[A-Za-z0-9_-]{1,64}$/;
const PING_EVERY_MS = 15_000;
const MAX_BUFFERED_BYTES = 1024 * 1024;

/**
 * Serves rooms on `httpServer`'s upgrade requests under `path`.
 * @param {import('node:http').Server} httpServer
 * @param {{ path?: string, maxPayload?: number, maxRooms?: number, pingEveryMs?: number }} [options]
 *   pingEveryMs is there for the tests (a silent client is dropped after one to two rounds).
 * @returns {{ close: () => void }} close() terminates every socket and detaches from the server.
 */
export function attachRooms(
  httpServer,
  { path = '/rooms', maxPayload = 64 * 1024, maxRooms = 256, pingEveryMs = PING_EVERY_MS } = {},
) {
  const wss = new WebSocketServer({ noServer: true, maxPayload });
  /** @type {Map<string, Member[]>} room name → its members, oldest first */
  const rooms = new Map();

  function onUpgrade(req, socket, head) {
    let pathname;
    try {
      ({ pathname } = new URL(req.url, 'http://localhost'));
    } catch {
      pathname = '';
    }
    if (pathname !== path && !pathname.startsWith(`${path}/`)) {
      socket.once('finish', () => socket.destroy());
      socket.end('HTTP/1.1 404 Not Found\r\nConnection: close\r\nContent-Length: 0\r\n\r\n');
      return;
    }
    // The name is checked after the upgrade, so the client gets a reason it can show.
    wss.handleUpgrade(req, socket, head, (ws) => join(ws, pathname.slice(path.length + 1)));
  }
  httpServer.on('upgrade', onUpgrade);

  function join(ws, name) {
    ws.on('error', () => {}); // 'close' follows every error; leaving happens there
    if (!ROOM_NAME.test(name)) {
      return refuse(ws, 'bad-room', 4400,
        'room names are 1 to 64 letters, digits, "_" or "-" (/^[A-Za-z0-9_-]{1,64}$/)');
    }
    let room = rooms.get(name);
    if (room && room.length >= 2) {
      return refuse(ws, 'room-full', 4409, `room ${JSON.stringify(name)} already has two members`);
    }
    if (!room && rooms.size >= maxRooms) {
      return refuse(ws, 'too-many-rooms', 4503, `the server holds at most ${maxRooms} rooms; try later`);
    }
    if (!room) rooms.set(name, (room = []));

    const member = { id: newId(room), ws, room: name, alive: true };
    room.push(member);
    ws.on('pong', () => { member.alive = true; });
    ws.on('message', (data, isBinary) => relay(member, data, isBinary));
    ws.on('close', () => leave(member));
    send(member, { kind: 'joined', id: member.id, room: name, members: room.length });
    if (room.length === 2) {
      const [first, second] = room;
      send(first, { kind: 'paired', remoteId: second.id, offerer: true });
      send(second, { kind: 'paired', remoteId: first.id, offerer: false });
    }
  }

  function relay(member, data, isBinary) {
    let msg = null;
    if (!isBinary) {
      try {
        msg = JSON.parse(data.toString('utf8'));
      } catch {
        msg = null;
      }
    }
    if (!msg || typeof msg !== 'object' || Array.isArray(msg) || typeof msg.kind !== 'string') {
      return send(member, error('bad-message', 'send JSON text: an object with a string "kind"'));
    }
    const partner = rooms.get(member.room)?.find((m) => m !== member);
    if (!partner) return send(member, error('no-partner', 'nobody else is in the room'));
    send(partner, { ...msg, from: member.id });
  }

  function leave(member) {
    const room = rooms.get(member.room);
    const index = room ? room.indexOf(member) : -1;
    if (index < 0) return; // already gone (close after error, or close() of the whole server)
    room.splice(index, 1);
    if (room.length === 0) rooms.delete(member.room);
    else send(room[0], { kind: 'peer-left', remoteId: member.id });
  }

  // One timer for all clients: whoever did not pong since the last round is gone; whoever does
  // not read what we send is cut off before its buffer grows without bound.
  const pinger = setInterval(() => {
    for (const room of rooms.values()) {
      for (const member of [...room]) {
        if (!member.alive) {
          member.ws.terminate();
          continue;
        }
        member.alive = false;
        member.ws.ping();
        if (member.ws.bufferedAmount > MAX_BUFFERED_BYTES) member.ws.terminate();
      }
    }
  }, pingEveryMs);
  pinger.unref();

  return {
    close() {
      clearInterval(pinger);
      httpServer.off('upgrade', onUpgrade);
      rooms.clear(); // no peer-left: everyone is going
      for (const ws of wss.clients) ws.terminate();
      wss.close();
    },
  };
}

/** @typedef {{ id: string, ws: WebSocket, room: string, alive: boolean }} Member */

function send(member, msg) {
  const { ws } = member;
  if (ws.readyState !== WebSocket.OPEN) return;
  ws.send(JSON.stringify(msg));
  if (ws.bufferedAmount > MAX_BUFFERED_BYTES) ws.terminate(); // it does not read: 'close' → leave
}

const error = (code, message) => ({ kind: 'error', code, message });

function refuse(ws, code, closeCode, message) {
  ws.send(JSON.stringify(error(code, message)));
  ws.close(closeCode, code);
}

// 8 hex digits, unique within the room (a clash is 1 in 4 billion, but then relaying breaks).
function newId(room) {
  for (;;) {
    const id = randomBytes(4).toString('hex');
    if (!room.some((m) => m.id === id)) return id;
  }
}
