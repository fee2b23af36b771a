// A browser without WebRTC (Debian's WebKitGTK is built so; privacy settings and extensions can
// remove it too): the package still imports, and creating a peer throws a clear `initialization`
// error naming what is missing. Simulated by deleting the globals before any page script runs.
import { test, expect } from '@playwright/test';
import { openHarness } from './support/harness-page.js';

test('no RTCPeerConnection: the package loads; new peer and pool.createPeer throw initialization naming it', async ({ page }) => {
  await page.addInitScript(() => {
    for (const name of ['RTCPeerConnection', 'webkitRTCPeerConnection', 'RTCDataChannel', 'RTCSessionDescription', 'RTCIceCandidate']) {
      delete globalThis[name];
    }
  });
  const errors = await openHarness(page);
  const r = await page.evaluate(async () => {
    const { WebRTCPeerEnhanced, WebRTCConnectionPool, WebRTCEnhancedError } = window.wre;
    const attempt = (make) => {
      try {
        make();
        return 'no error';
      } catch (e) {
        return { type: e.type, message: e.message, isLibraryError: e instanceof WebRTCEnhancedError };
      }
    };
    const pool = new WebRTCConnectionPool();
    const out = {
      hasRtc: typeof globalThis.RTCPeerConnection,
      peer: attempt(() => new WebRTCPeerEnhanced({ peerId: 'x' })),
      poolPeer: attempt(() => pool.createPeer('y')),
      poolSize: pool.getStats().totalPeers,
    };
    // The page is not broken: a bad config is still named as before.
    out.badConfig = attempt(() => new WebRTCPeerEnhanced({ peerId: 'x', connectionTimeout: -1 }));
    pool.closeAll();
    return out;
  });
  expect(r.hasRtc).toBe('undefined');
  for (const made of [r.peer, r.poolPeer]) {
    expect(made.type).toBe('initialization');
    expect(made.isLibraryError).toBe(true);
    expect(made.message).toContain('this browser has no WebRTC: RTCPeerConnection is not defined');
  }
  expect(r.poolSize).toBe(0);
  expect(r.badConfig.type).toBe('initialization');
  expect(r.badConfig.message).toContain('connectionTimeout');
  expect(errors).toEqual([]);
});
