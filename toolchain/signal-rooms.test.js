// The signaling rooms (signal-rooms.js) through toolchain/serve.js, with real ws clients:
//   node --test toolchain/signal-rooms.test.js
import assert from 'node:assert/strict';
import http from 'node:http';
import { after, before, test } from 'node:test';
import WebSocket from 'ws';
import { startServer } from './serve.js';
import { attachRooms } from './signal-rooms.js';

const WAIT_MS = 5000;
let server;
let roomSeq = 0;
const freshRoom = () => `room-${process.pid}-${++roomSeq}`;

before(async () => {
  server = await startServer({ port: 0 });
});
after(async () => {
  await server.close();
});

// A client that queues what it receives, so a test can await messages in order.
function client(url, options) {
  const ws = new WebSocket(url, options);
  const inbox = [];
  const waiters = [];
  ws.on('message', (data, isBinary) => {
    const msg = isBinary ? { binary: data } : JSON.parse(data.toString());
    const waiter = waiters.shift();
    if (waiter) waiter(msg);
    else inbox.push(msg);
  });
  const closed = new Promise((resolve) => ws.on('close', (code, reason) => resolve({ code, reason: reason.toString() })));
  ws.on('error', () => {}); // 'close' follows
  const opened = new Promise((resolve, reject) => {
    ws.once('open', resolve);
    ws.once('unexpected-response', (_req, res) => reject(new Error(`HTTP ${res.statusCode}`)));
  });
  opened.catch(() => {}); // only the 404 test awaits it
  return {
    ws,
    opened,
    closed,
    send: (msg) => ws.send(typeof msg === 'string' ? msg : JSON.stringify(msg)),
    next: () =>
      inbox.length
        ? Promise.resolve(inbox.shift())
        : withTimeout(new Promise((resolve) => waiters.push(resolve)), 'next message'),
    /** Resolves when nothing arrives for `ms` (to show that something was not sent). */
    quiet: (ms = 200) => new Promise((resolve) => setTimeout(() => resolve(inbox.length === 0), ms)),
  };
}

function withTimeout(promise, what) {
  let timer;
  return Promise.race([
    promise,
    new Promise((_, reject) => { timer = setTimeout(() => reject(new Error(`timed out waiting for ${what}`)), WAIT_MS); }),
  ]).finally(() => clearTimeout(timer));
}

const roomUrl = (name, base = server.roomsUrl) => base + name;

// A bare http server with its own rooms, for options startServer does not pass.
async function ownRooms(options) {
  const httpServer = http.createServer();
  await new Promise((resolve) => httpServer.listen(0, '127.0.0.1', resolve));
  const rooms = attachRooms(httpServer, options);
  return {
    base: `ws://127.0.0.1:${httpServer.address().port}/rooms/`,
    close: async () => {
      rooms.close();
      await new Promise((resolve) => httpServer.close(resolve));
    },
  };
}

// Two members of a fresh room, both past 'paired'.
async function pair(name = freshRoom()) {
  const a = client(roomUrl(name));
  const joinedA = await a.next();
  const b = client(roomUrl(name));
  const joinedB = await b.next();
  const pairedA = await a.next();
  const pairedB = await b.next();
  return { name, a, b, joinedA, joinedB, pairedA, pairedB };
}

test('join, pair: ids, member counts, the member who came first is the offerer', async () => {
  const { name, a, b, joinedA, joinedB, pairedA, pairedB } = await pair();
  assert.equal(joinedA.kind, 'joined');
  assert.equal(joinedA.room, name);
  assert.equal(joinedA.members, 1);
  assert.match(joinedA.id, /^[0-9a-f]{8}$/);
  assert.deepEqual({ ...joinedB, id: undefined }, { kind: 'joined', id: undefined, room: name, members: 2 });
  assert.notEqual(joinedA.id, joinedB.id);
  assert.deepEqual(pairedA, { kind: 'paired', remoteId: joinedB.id, offerer: true });
  assert.deepEqual(pairedB, { kind: 'paired', remoteId: joinedA.id, offerer: false });
  a.ws.close();
  b.ws.close();
});

test('relay: the partner gets the message with "from" (a forged "from" is overwritten)', async () => {
  const { a, b, joinedA, joinedB } = await pair();
  a.send({ kind: 'offer', offer: { type: 'offer', sdp: 'v=0…' }, from: 'forged' });
  assert.deepEqual(await b.next(), { kind: 'offer', offer: { type: 'offer', sdp: 'v=0…' }, from: joinedA.id });
  b.send({ kind: 'answer', answer: { type: 'answer', sdp: 'v=0' } });
  assert.deepEqual(await a.next(), { kind: 'answer', answer: { type: 'answer', sdp: 'v=0' }, from: joinedB.id });
  assert.equal(await a.quiet(), true, 'the sender gets no copy');
  a.ws.close();
  b.ws.close();
});

test('a third member: room-full naming the room, then close 4409; the two stay paired', async () => {
  const { name, a, b, joinedA } = await pair();
  const c = client(roomUrl(name));
  assert.deepEqual(await c.next(), {
    kind: 'error',
    code: 'room-full',
    message: `room "${name}" already has two members`,
  });
  assert.equal((await withTimeout(c.closed, 'close')).code, 4409);
  a.send({ kind: 'candidate', candidate: null });
  assert.deepEqual(await b.next(), { kind: 'candidate', candidate: null, from: joinedA.id });
  a.ws.close();
  b.ws.close();
});

test('bad room names: error bad-room naming the rule, close 4400', async () => {
  for (const name of ['', 'has space', 'a/b', 'x'.repeat(65), 'caf%C3%A9', 'a.b']) {
    const c = client(roomUrl(name));
    const msg = await c.next();
    assert.equal(msg.kind, 'error', name);
    assert.equal(msg.code, 'bad-room', name);
    assert.match(msg.message, /letters, digits/);
    assert.equal((await withTimeout(c.closed, 'close')).code, 4400, name);
  }
  const ok = client(roomUrl('x'.repeat(64)));
  assert.equal((await ok.next()).kind, 'joined');
  ok.ws.close();
});

test('upgrades outside /rooms get a 404', async () => {
  const c = client(server.url.replace(/^http/, 'ws') + 'web/');
  await assert.rejects(c.opened, /HTTP 404/);
});

test('bad-message for non-JSON, non-objects, a missing kind and binary frames; the socket stays open', async () => {
  const { a, b, joinedA } = await pair();
  for (const bad of ['not json', '[1,2]', '"offer"', 'null', '{"kind":5}', '{"type":"offer"}']) {
    a.send(bad);
    const msg = await a.next();
    assert.equal(msg.code, 'bad-message', bad);
    assert.equal(msg.kind, 'error');
  }
  a.ws.send(Buffer.from('{"kind":"offer"}'), { binary: true });
  assert.equal((await a.next()).code, 'bad-message');
  assert.equal(await b.quiet(), true, 'nothing bad was relayed');
  a.send({ kind: 'bye' });
  assert.deepEqual(await b.next(), { kind: 'bye', from: joinedA.id });
  a.ws.close();
  b.ws.close();
});

test('no-partner when alone in the room', async () => {
  const a = client(roomUrl(freshRoom()));
  await a.next();
  a.send({ kind: 'offer' });
  assert.deepEqual(await a.next(), { kind: 'error', code: 'no-partner', message: 'nobody else is in the room' });
  assert.equal(a.ws.readyState, WebSocket.OPEN);
  a.ws.close();
});

test('a frame over maxPayload: ws closes it with 1009, and the partner gets peer-left', async () => {
  const { a, b, joinedA } = await pair();
  a.send({ kind: 'offer', pad: 'x'.repeat(64 * 1024) });
  assert.equal((await withTimeout(a.closed, 'close')).code, 1009);
  assert.deepEqual(await b.next(), { kind: 'peer-left', remoteId: joinedA.id });
  b.ws.close();
});

test('leave: peer-left to the partner, who waits and pairs with the next member as offerer', async () => {
  const { name, a, b, joinedA, joinedB } = await pair();
  b.ws.close();
  assert.deepEqual(await a.next(), { kind: 'peer-left', remoteId: joinedB.id });
  a.send({ kind: 'offer' });
  assert.equal((await a.next()).code, 'no-partner');

  const c = client(roomUrl(name));
  const joinedC = await c.next();
  assert.equal(joinedC.members, 2);
  assert.deepEqual(await a.next(), { kind: 'paired', remoteId: joinedC.id, offerer: true });
  assert.deepEqual(await c.next(), { kind: 'paired', remoteId: joinedA.id, offerer: false });
  c.send({ kind: 'answer' });
  assert.deepEqual(await a.next(), { kind: 'answer', from: joinedC.id });

  // When the offerer leaves, the one who stays becomes the offerer for the next member.
  a.ws.terminate();
  assert.deepEqual(await c.next(), { kind: 'peer-left', remoteId: joinedA.id });
  const d = client(roomUrl(name));
  const joinedD = await d.next();
  assert.deepEqual(await c.next(), { kind: 'paired', remoteId: joinedD.id, offerer: true });
  assert.deepEqual(await d.next(), { kind: 'paired', remoteId: joinedC.id, offerer: false });
  c.ws.close();
  d.ws.close();
});

test('an emptied room is deleted: its name counts against maxRooms no more', async () => {
  const { base, close } = await ownRooms({ maxRooms: 2 });
  try {
    const one = client(base + 'one');
    const two = client(base + 'two');
    await one.next();
    await two.next();
    const three = client(base + 'three');
    const refused = await three.next();
    assert.equal(refused.code, 'too-many-rooms');
    assert.match(refused.message, /at most 2 rooms/);
    assert.equal((await withTimeout(three.closed, 'close')).code, 4503);
    // A second member of an existing room is still welcome.
    const onePlus = client(base + 'one');
    assert.equal((await onePlus.next()).members, 2);
    two.ws.close();
    await two.closed;
    // The server may see the close a moment after the client does: try again a few times.
    let again;
    for (let attempt = 0; ; attempt++) {
      again = client(base + 'three');
      const msg = await again.next();
      if (msg.kind === 'joined') break;
      assert.ok(attempt < 20, 'room "two" was never deleted');
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    for (const c of [one, onePlus, again]) c.ws.close();
  } finally {
    await close();
  }
});

test('a client that does not answer pings is cut off; its partner gets peer-left', async () => {
  const own = await ownRooms({ pingEveryMs: 100 });
  try {
    const a = client(own.base + 'ping', { autoPong: false }); // a never answers a ping
    const joinedA = await a.next();
    const b = client(own.base + 'ping');
    await b.next();
    await a.next();
    await b.next();
    assert.deepEqual(await b.next(), { kind: 'peer-left', remoteId: joinedA.id });
    assert.equal((await withTimeout(a.closed, 'close')).code, 1006);
    assert.equal(b.ws.readyState, WebSocket.OPEN, 'the one who answers stays');
    b.ws.close();
  } finally {
    await own.close();
  }
});

test('a client that does not read (send buffer over 1 MiB) is cut off; its partner gets peer-left', async () => {
  const { a, b, joinedB } = await pair();
  b.ws.pause(); // b stops reading its socket: the server's buffer towards b grows
  const chunk = JSON.stringify({ kind: 'candidate', pad: 'x'.repeat(60 * 1024) });
  let sent = 0;
  let gone = null;
  a.next().then((msg) => { gone = msg; }, () => {});
  // Loopback kernel buffers take a few MiB before the server's own buffer grows: bounded at 64 MiB.
  while (!gone && sent < 1100) {
    await new Promise((resolve) => a.ws.send(chunk, resolve));
    sent++;
    if (sent % 50 === 0) await new Promise((resolve) => setTimeout(resolve, 20));
  }
  assert.deepEqual(gone, { kind: 'peer-left', remoteId: joinedB.id }, `after ${sent} messages of 60 KiB`);
  a.ws.close();
  b.ws.terminate();
});

test('close() of the server ends every room socket, and resolves', async () => {
  const own = await startServer({ port: 0 });
  const name = freshRoom();
  const a = client(own.roomsUrl + name);
  await a.next();
  const b = client(own.roomsUrl + name);
  await b.next();
  await withTimeout(own.close(), 'server close');
  const [ca, cb] = await withTimeout(Promise.all([a.closed, b.closed]), 'clients closed');
  assert.equal(ca.code, 1006); // terminated, no close frame
  assert.equal(cb.code, 1006);
});
