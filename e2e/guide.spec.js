// The guide's examples, run as written (only the ICE server URLs point at a local coturn instead of
// public hosts: tests never leave 127.0.0.1).
import { test, expect } from '@playwright/test';
import { openHarness } from './support/harness-page.js';
import { startTurn } from './support/turn.js';

let turn;
test.beforeAll(async () => { turn = await startTurn({ user: 'user', pass: 'pass' }); });
test.afterAll(async () => { await turn?.stop(); });

test('the guide lifecycle: configuration, initialization, offer/answer, trickle ICE, state, channels', async ({ page }) => {
  await openHarness(page);
  const logs = [];
  page.on('console', (m) => logs.push(m.text()));
  const result = await page.evaluate(async ({ turnPort }) => {
    const { WebRTCPeerEnhanced } = window.wre;
    // --- "Basic Configuration" ---
    const config = {
      peerId: 'peer-1',
      iceServers: [
        { urls: `stun:127.0.0.1:${turnPort}` },
        { urls: `turn:127.0.0.1:${turnPort}`, username: 'user', credential: 'pass', credentialType: 'password' },
      ],
      connectionTimeout: 30000,
      reconnectMaxAttempts: 5,
      reconnectBaseDelay: 1000,
      reconnectMaxDelay: 30000,
      maxBufferedAmount: 16 * 1024 * 1024, // 16MB
      lowWaterMark: 1024 * 1024,           // 1MB
      metricsEnabled: true,
      metricsInterval: 5000,
    };
    const peer1 = new WebRTCPeerEnhanced(config);
    // --- "Advanced Configuration" ---
    const peer2 = new WebRTCPeerEnhanced({
      peerId: 'peer-2',
      iceTransportPolicy: 'all',
      bundlePolicy: 'max-bundle',
      rtcpMuxPolicy: 'require',
      iceCandidatePoolSize: 10,
    });
    // --- "1. Initialization" ---
    for (const peer of [peer1, peer2]) {
      peer.on('initialized', (data) => { console.log('Peer initialized:', data.peerId); });
      peer.on('channel-created', (data) => { console.log('Channel created:', data.type, data.label); });
    }
    // --- "3. ICE Candidate Exchange (Trickle ICE)", with the signaling in this page ---
    const signaling = new EventTarget();
    const sendToRemotePeer = (from) => (msg) => signaling.dispatchEvent(new CustomEvent(from === peer1 ? 'to-2' : 'to-1', { detail: msg }));
    for (const [peer, inbox] of [[peer1, 'to-1'], [peer2, 'to-2']]) {
      peer.on('ice-candidate', (data) => {
        sendToRemotePeer(peer)({ type: 'ice-candidate', candidate: data.candidate });
      });
      signaling.addEventListener(inbox, async (e) => { await peer.addIceCandidate(e.detail.candidate); });
    }
    // --- "4. Connection State Monitoring" ---
    const seen = [];
    peer1.on('state-change', (data) => {
      console.log(`State: ${data.oldState} -> ${data.newState}`);
      switch (data.newState) {
        case 'connecting': seen.push('Show connecting UI'); break;
        case 'connected': seen.push('Enable messaging'); break;
        case 'disconnected': seen.push('Show reconnecting UI'); break;
        case 'failed': seen.push('Show error'); break;
        case 'closed': seen.push('Clean up'); break;
      }
    });
    // --- "2. Offer/Answer Exchange" ---
    const offer = await peer1.createOffer();
    const answer = await peer2.createAnswer(offer);
    await peer1.setRemoteAnswer(answer);
    await Promise.all([window.harness.connected(peer1), window.harness.connected(peer2)]);
    // --- "Using Channels" ---
    const received = [];
    peer2.on('message', (data) => received.push([data.type, data.data.length]));
    const message = new TextEncoder().encode('Hello!');
    peer1.send(message, 'reliable');
    const voiceData = new Uint8Array(1024);
    peer1.send(voiceData, 'unreliable');
    const fileChunk = new Uint8Array(16384);
    peer1.send(fileChunk, 'file');
    const deadline = performance.now() + 5000;
    while (received.length < 3 && performance.now() < deadline) await new Promise((r) => setTimeout(r, 20));
    // --- "Check queue size" ---
    const queueSize = peer1.getQueueSize();
    // --- "2. Clean Up Resources" ---
    let closedSeen = false;
    peer1.on('closed', () => { closedSeen = true; });
    peer1.close();
    peer2.close();
    return { seen, received: received.sort(), queueSize, closedSeen, states: [peer1.getState(), peer2.getState()] };
  }, { turnPort: turn.port });
  expect(result.seen).toEqual(['Show connecting UI', 'Enable messaging', 'Clean up']);
  expect(result.received).toEqual([['file', 16384], ['reliable', 6], ['unreliable', 1024]]);
  expect(result.queueSize).toBe(0);
  expect(result.closedSeen).toBe(true);
  expect(result.states).toEqual(['closed', 'closed']);
  expect(logs).toContain('Peer initialized: peer-1');
  expect(logs).toContain('Channel created: file file');
  expect(logs).toContain('State: new -> connecting');
  expect(logs).toContain('State: connecting -> connected');
});
