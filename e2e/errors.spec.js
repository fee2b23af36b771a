// Every error type of the guide, produced by a real bad input and observed as an `error` event
// and a rejected/thrown call; the peer stays usable afterwards.
import { test, expect } from '@playwright/test';
import { openHarness } from './support/harness-page.js';

test.beforeEach(async ({ page }) => {
  await openHarness(page);
});

test('initialization: bad config throws before any browser object, naming field and value', async ({ page }) => {
  const result = await page.evaluate(() => {
    const made = [];
    const Original = globalThis.RTCPeerConnection;
    globalThis.RTCPeerConnection = class extends Original {
      constructor(...args) { super(...args); made.push(this); }
    };
    const attempt = (config) => {
      try {
        new window.wre.WebRTCPeerEnhanced(config);
        return 'no error';
      } catch (e) {
        return { type: e.type, message: e.message, isError: e instanceof Error };
      }
    };
    const out = {
      negativeTimeout: attempt({ peerId: 'x', connectionTimeout: -5 }),
      wrongType: attempt({ peerId: 'x', metricsEnabled: 'yes' }),
      policy: attempt({ peerId: 'x', iceTransportPolicy: 'nohost' }),
      url: attempt({ peerId: 'x', iceServers: [{ urls: 'stun://127.0.0.1:3478' }] }),
      turnNoCreds: attempt({ peerId: 'x', iceServers: [{ urls: 'turn:127.0.0.1:3478' }] }),
      noPeerId: attempt({}),
      notObject: attempt('peer-1'),
    };
    globalThis.RTCPeerConnection = Original;
    return { out, made: made.length };
  });
  const { out } = result;
  for (const r of Object.values(out)) {
    expect(r.type).toBe('initialization');
    expect(r.isError).toBe(true);
  }
  expect(out.negativeTimeout.message).toContain('connectionTimeout');
  expect(out.negativeTimeout.message).toContain('-5');
  expect(out.wrongType.message).toContain("metricsEnabled must be a boolean, got string ('yes')");
  expect(out.policy.message).toContain("'nohost'");
  expect(out.url.message).toContain('stun://127.0.0.1:3478');
  expect(out.turnNoCreds.message).toContain('username');
  expect(out.noPeerId.message).toContain('peerId');
  expect(out.notObject.message).toContain('config must be an object');
  expect(result.made).toBe(0);
});

test('offer-creation, answer-creation, answer-set: rejected calls and error events, peer still usable', async ({ page }) => {
  const result = await page.evaluate(async () => {
    const { WebRTCPeerEnhanced } = window.wre;
    const { connected } = window.harness;
    const a = new WebRTCPeerEnhanced({ peerId: 'a' });
    const b = new WebRTCPeerEnhanced({ peerId: 'b' });
    const errors = [];
    a.on('error', (e) => errors.push(['a', e.type, e.error.message]));
    b.on('error', (e) => errors.push(['b', e.type, e.error.message]));
    const rejection = (p) => p.then(() => 'resolved', (e) => ({ type: e.type, message: e.message }));
    const early = await rejection(a.setRemoteAnswer({ type: 'answer', sdp: 'v=0\r\n' }));
    const offer = await a.createOffer();
    const twice = await rejection(a.createOffer());
    // SDP the browser cannot parse: the core passes it on, the browser refuses, the peer survives.
    const garbage = await rejection(b.createAnswer({ type: 'offer', sdp: 'v=0\r\nthis is not sdp\r\n' }));
    const wrongType = await rejection(b.createAnswer({ type: 'answer', sdp: offer.sdp }));
    a.on('ice-candidate', ({ candidate }) => b.addIceCandidate(candidate));
    b.on('ice-candidate', ({ candidate }) => a.addIceCandidate(candidate));
    const answer = await b.createAnswer(offer);
    const badAnswer = await rejection(a.setRemoteAnswer({ type: 'answer', sdp: 'v=0\r\nnope\r\n' }));
    await a.setRemoteAnswer(answer);
    await Promise.all([connected(a), connected(b)]);
    const states = [a.getState(), b.getState()];
    a.close();
    b.close();
    return { early, twice, garbage, wrongType, badAnswer, errors, states };
  });
  expect(result.early).toEqual({ type: 'answer-set', message: 'setRemoteAnswer() called before createOffer()' });
  expect(result.twice.type).toBe('offer-creation');
  expect(result.garbage.type).toBe('answer-creation');
  expect(result.garbage.message).toContain('createAnswer() could not apply the offer');
  expect(result.wrongType.type).toBe('answer-creation');
  expect(result.wrongType.message).toContain("type 'offer'");
  expect(result.badAnswer.type).toBe('answer-set');
  expect(result.states).toEqual(['connected', 'connected']);
  // Each failure was also an `error` event with the same type.
  expect(result.errors.map(([who, type]) => `${who}:${type}`)).toEqual(
    ['a:answer-set', 'a:offer-creation', 'b:answer-creation', 'b:answer-creation', 'a:answer-set']);
});

test('ice-candidate: malformed candidates are refused, good ones still connect', async ({ page }) => {
  const result = await page.evaluate(async () => {
    const { WebRTCPeerEnhanced } = window.wre;
    const { connected } = window.harness;
    const a = new WebRTCPeerEnhanced({ peerId: 'a' });
    const b = new WebRTCPeerEnhanced({ peerId: 'b' });
    const errors = [];
    b.on('error', (e) => errors.push(e.type));
    const rejection = (p) => p.then(() => 'resolved', (e) => ({ type: e.type, message: e.message }));
    a.on('ice-candidate', ({ candidate }) => b.addIceCandidate(candidate));
    b.on('ice-candidate', ({ candidate }) => a.addIceCandidate(candidate));
    const notObject = await rejection(b.addIceCandidate('candidate:1 1 udp 1 127.0.0.1 9 typ host'));
    const offer = await a.createOffer();
    const answer = await b.createAnswer(offer);
    const malformed = await rejection(b.addIceCandidate({ candidate: 'candidate:garbage', sdpMid: '0', sdpMLineIndex: 0 }));
    await a.setRemoteAnswer(answer);
    await Promise.all([connected(a), connected(b)]);
    const states = [a.getState(), b.getState()];
    a.close();
    b.close();
    return { notObject, malformed, errors, states };
  });
  expect(result.notObject.type).toBe('ice-candidate');
  expect(result.notObject.message).toContain('RTCIceCandidateInit');
  expect(result.malformed.type).toBe('ice-candidate');
  expect(result.errors).toEqual(['ice-candidate', 'ice-candidate']);
  expect(result.states).toEqual(['connected', 'connected']);
});

test('send: unknown channel type and bad data throw TypeError and emit error; send after close fails', async ({ page }) => {
  const result = await page.evaluate(async () => {
    const peer = new window.wre.WebRTCPeerEnhanced({ peerId: 'a' });
    await new Promise((r) => setTimeout(r, 0));  // past the construction backlog
    const errors = [];
    peer.on('error', (e) => errors.push([e.type, e.error.message]));
    const attempt = (...args) => {
      try { peer.send(...args); return 'sent'; } catch (e) { return { name: e.name, type: e.type, message: e.message }; }
    };
    const unknownType = attempt(new Uint8Array(1), 'video');
    const badData = attempt({ hello: 1 }, 'reliable');
    const queued = attempt('fine before open', 'reliable');
    const queueSize = peer.getQueueSize();
    peer.close();
    const afterClose = attempt('late', 'reliable');
    return { unknownType, badData, queued, queueSize, afterClose, errors };
  });
  expect(result.unknownType).toMatchObject({ name: 'TypeError', type: 'send' });
  expect(result.unknownType.message).toContain("'video'");
  expect(result.badData).toMatchObject({ name: 'TypeError', type: 'send' });
  expect(result.queued).toBe('sent');
  expect(result.queueSize).toBe(1);
  expect(result.afterClose.type).toBe('send');
  expect(result.afterClose.message).toContain('after close()');
  expect(result.errors.map(([t]) => t)).toEqual(['send', 'send', 'send', 'send']);
  expect(result.errors[2][1]).toContain('discarded 1 queued');
});

test('message-handling: a throwing listener is reported and does not stop other listeners', async ({ page }) => {
  const result = await page.evaluate(async () => {
    const { connectPair, receive } = window.harness;
    const { a, b } = await connectPair();
    const errors = [];
    b.on('error', (e) => errors.push([e.type, e.error.message]));
    b.on('message', () => { throw new Error('app bug'); });
    const arriving = receive(b, 'reliable', 2);
    a.send('one');
    a.send('two');
    const got = await arriving;
    a.close();
    b.close();
    return { errors, got: got.length };
  });
  expect(result.got).toBe(2);
  expect(result.errors).toHaveLength(2);
  expect(result.errors[0][0]).toBe('message-handling');
  expect(result.errors[0][1]).toContain('app bug');
});

test('connectionTimeout: a peer not connected in time goes to failed with an error', async ({ page }) => {
  const result = await page.evaluate(async () => {
    const peer = new window.wre.WebRTCPeerEnhanced({ peerId: 'lonely', connectionTimeout: 300 });
    const events = [];
    peer.on('error', (e) => events.push(`error:${e.type}`));
    peer.on('state-change', (e) => events.push(`state:${e.newState}`));
    const started = performance.now();
    await peer.createOffer();  // nobody answers
    await window.harness.waitFor(peer, 'state-change', (e) => e.newState === 'failed', 5000);
    const elapsed = performance.now() - started;
    peer.close();
    return { events, elapsed };
  });
  expect(result.events).toEqual(['state:connecting', 'error:connection-timeout', 'state:failed', 'state:closed']);
  expect(result.elapsed).toBeGreaterThanOrEqual(290);
  expect(result.elapsed).toBeLessThan(2000);
});

test('listeners added right after construction get initialized and channel-created; once/off work', async ({ page }) => {
  const result = await page.evaluate(async () => {
    const peer = new window.wre.WebRTCPeerEnhanced({ peerId: 'p1' });
    const seen = [];
    peer.on('initialized', (e) => seen.push(`initialized:${e.peerId}`));
    peer.on('channel-created', (e) => seen.push(`created:${e.type}:${e.label}`));
    let onceCount = 0;
    peer.once('state-change', () => onceCount++);
    const removed = () => seen.push('removed listener ran');
    peer.on('state-change', removed);
    peer.off('state-change', removed);
    await new Promise((r) => setTimeout(r, 0));
    await peer.createOffer();
    peer.close();
    return { seen, onceCount, peerId: peer.peerId };
  });
  expect(result.seen).toEqual(['initialized:p1', 'created:control:control', 'created:reliable:reliable',
    'created:unreliable:unreliable', 'created:file:file']);
  expect(result.onceCount).toBe(1);
  expect(result.peerId).toBe('p1');
});
