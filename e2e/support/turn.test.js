// node --test e2e/support/ : the coturn helper starts, answers, stops, and restarts on its ports.
import assert from 'node:assert/strict';
import { after, test } from 'node:test';
import { startTurn, stunBinding, turnAllocate } from './turn.js';

const servers = [];
after(async () => {
  for (const s of servers) await s.stop();
});

test('STUN answers, credentials allocate, stop cuts it, restart brings it back', async () => {
  const turn = await startTurn();
  servers.push(turn);

  assert.equal(turn.urls, `turn:127.0.0.1:${turn.port}?transport=udp`);
  assert.equal(turn.stunUrl, `stun:127.0.0.1:${turn.port}`);
  assert.deepEqual(turn.iceServer, { urls: turn.urls, username: 'u', credential: 'p' });
  assert.ok(turn.running);

  const mapped = await stunBinding(turn.port);
  assert.equal(mapped?.address, '127.0.0.1');
  assert.ok(mapped.port > 0);

  const alloc = await turnAllocate(turn.port, { username: 'u', credential: 'p' });
  assert.equal(alloc?.relayed?.address, '127.0.0.1');
  assert.ok(alloc.relayed.port >= turn.minPort && alloc.relayed.port <= turn.maxPort);
  const denied = await turnAllocate(turn.port, { username: 'u', credential: 'wrong' });
  assert.equal(denied?.error, 401);

  const pid = turn.pid;
  await turn.stop();
  assert.equal(turn.running, false);
  assert.throws(() => process.kill(pid, 0), { code: 'ESRCH' });
  assert.equal(await stunBinding(turn.port, { timeout: 300 }), null);
  await turn.stop(); // twice is fine

  await turn.restart();
  assert.ok(turn.running);
  assert.notEqual(turn.pid, pid);
  assert.equal((await stunBinding(turn.port))?.address, '127.0.0.1');
  const again = await turnAllocate(turn.port, { username: 'u', credential: 'p' });
  assert.ok(again?.relayed, `allocate after restart: ${JSON.stringify(again)}`);

  await turn.restart(); // while running: stop + start, same port
  assert.ok(await stunBinding(turn.port));
  await turn.stop();
});

test('two servers at once get different ports and custom credentials', async () => {
  const [a, b] = await Promise.all([
    startTurn({ user: 'alice', pass: 'secret1' }),
    startTurn({ user: 'bob', pass: 'secret2' }),
  ]);
  servers.push(a, b);
  assert.notEqual(a.port, b.port);
  assert.ok(a.maxPort < b.port || b.maxPort < a.port, 'relay ranges must not overlap');
  assert.ok((await turnAllocate(a.port, { username: 'alice', credential: 'secret1' }))?.relayed);
  assert.ok((await turnAllocate(b.port, { username: 'bob', credential: 'secret2' }))?.relayed);
  const crossed = await turnAllocate(a.port, { username: 'bob', credential: 'secret2' });
  assert.equal(crossed?.error, 401);
  await Promise.all([a.stop(), b.stop()]);
});
