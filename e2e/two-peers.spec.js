// Two library peers in one page: the walking skeleton end to end.
import { test, expect } from '@playwright/test';
import { openHarness } from './support/harness-page.js';

test('two peers connect and exchange bytes on all four channels, byte for byte', async ({ page }) => {
  await openHarness(page);
  const result = await page.evaluate(async () => {
    const { connectPair, record, receive, bytes, sameBytes } = window.harness;
    const { a, b } = await connectPair();
    const types = ['control', 'reliable', 'unreliable', 'file'];
    const checks = {};
    for (const [i, type] of types.entries()) {
      const sent = [bytes(1, i), bytes(1000, i + 7), bytes(16384, i + 13)];
      const arriving = receive(b, type, sent.length);
      for (const s of sent) a.send(s, type);
      const got = await arriving;
      // The unreliable channel is unordered: compare as a set of lengths + contents.
      const matched = sent.every((s) => got.some((g) => g instanceof Uint8Array && sameBytes(g, s)));
      checks[type] = { count: got.length, matched, peerIds: [...new Set(got.map(() => 'a'))] };
    }
    // And back the other way, with a string.
    const back = receive(a, 'reliable', 1);
    b.send('hello from b', 'reliable');
    const [reply] = await back;
    const log = record(a, ['state-change', 'closed']);
    a.close();
    b.close();
    return { checks, reply: new TextDecoder().decode(reply), log, state: a.getState() };
  });
  for (const type of ['control', 'reliable', 'unreliable', 'file']) {
    expect(result.checks[type].count, type).toBe(3);
    expect(result.checks[type].matched, type).toBe(true);
  }
  expect(result.reply).toBe('hello from b');
  expect(result.log.map(([name, p]) => (name === 'state-change' ? `${p.oldState}->${p.newState}` : name)))
    .toEqual(['connected->closed', 'closed']);
  expect(result.state).toBe('closed');
});

test('state goes new -> connecting -> connected, and the message payload is {peerId, type, data}', async ({ page }) => {
  await openHarness(page);
  const result = await page.evaluate(async () => {
    const { WebRTCPeerEnhanced } = window.wre;
    const { connected, receive } = window.harness;
    const a = new WebRTCPeerEnhanced({ peerId: 'alice' });
    const b = new WebRTCPeerEnhanced({ peerId: 'bob' });
    const states = [a.getState()];
    a.on('state-change', (e) => states.push(e.newState));
    a.on('ice-candidate', ({ candidate }) => b.addIceCandidate(JSON.parse(JSON.stringify(candidate))));
    b.on('ice-candidate', ({ candidate }) => a.addIceCandidate(JSON.parse(JSON.stringify(candidate))));
    const offer = await a.createOffer();
    const answer = await b.createAnswer(JSON.parse(JSON.stringify(offer)));
    await a.setRemoteAnswer(answer);
    await Promise.all([connected(a), connected(b)]);
    const arriving = receive(b, 'reliable', 1);
    a.send(new Uint8Array([1, 2, 3]));  // default channel: reliable
    await arriving;
    const payload = await new Promise((resolve) => {
      b.once('message', (m) => resolve({ keys: Object.keys(m).sort(), peerId: m.peerId, type: m.type, isU8: m.data instanceof Uint8Array, data: [...m.data] }));
      a.send(new Uint8Array([9, 8]), 'file');
    });
    a.close();
    b.close();
    return { states, offerType: offer.type, answerType: answer.type, payload };
  });
  expect(result.states).toEqual(['new', 'connecting', 'connected', 'closed']);
  expect(result.offerType).toBe('offer');
  expect(result.answerType).toBe('answer');
  expect(result.payload).toEqual({ keys: ['data', 'peerId', 'type'], peerId: 'bob', type: 'file', isU8: true, data: [9, 8] });
});
