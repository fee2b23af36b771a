// Interoperability: a plain RTCPeerConnection that only knows the wire contract (four negotiated
// channels, ids 0-3, labels = types) talks to a library peer on every channel, both ways.
import { test, expect } from '@playwright/test';
import { openHarness } from './support/harness-page.js';

for (const plainOffers of [true, false]) {
  test(`a plain RTCPeerConnection ${plainOffers ? 'offering' : 'answering'} exchanges bytes on all four channels`, async ({ page }) => {
    await openHarness(page);
    const result = await page.evaluate(async (plainOffers) => {
      const { WebRTCPeerEnhanced } = window.wre;
      const { connected, receive, bytes, sameBytes } = window.harness;
      // A small queue bound: a replay store waiting for counts a plain peer never sends would fill it.
      const peer = new WebRTCPeerEnhanced({ peerId: 'lib', maxQueuedBytes: 64 * 1024 });
      const pc = new RTCPeerConnection();
      const specs = [['control', 0, {}], ['reliable', 1, {}], ['unreliable', 2, { ordered: false, maxRetransmits: 0 }], ['file', 3, {}]];
      const channels = {};
      const plainGot = [];
      for (const [label, id, extra] of specs) {
        const dc = pc.createDataChannel(label, { negotiated: true, id, ...extra });
        dc.binaryType = 'arraybuffer';
        dc.onmessage = (e) => plainGot.push({ label, data: new Uint8Array(e.data) });
        channels[label] = dc;
      }
      const streamsSeen = [];
      pc.ondatachannel = (e) => streamsSeen.push(e.channel.label);  // nothing else should ever appear
      pc.onicecandidate = (e) => e.candidate && peer.addIceCandidate(e.candidate.toJSON());
      peer.on('ice-candidate', ({ candidate }) => pc.addIceCandidate(candidate));
      if (plainOffers) {
        await pc.setLocalDescription(await pc.createOffer());
        const answer = await peer.createAnswer({ type: 'offer', sdp: pc.localDescription.sdp });
        await pc.setRemoteDescription(answer);
      } else {
        const offer = await peer.createOffer();
        await pc.setRemoteDescription(offer);
        await pc.setLocalDescription(await pc.createAnswer());
        await peer.setRemoteAnswer({ type: 'answer', sdp: pc.localDescription.sdp });
      }
      await connected(peer);
      await Promise.all(Object.values(channels).map((dc) => dc.readyState === 'open' ? null : new Promise((r) => { dc.onopen = r; })));
      const out = {};
      for (const [label, id] of specs) {
        const payload = bytes(2048, id);
        const atLib = receive(peer, label, 1);
        channels[label].send(payload);
        const [got] = await atLib;
        peer.send(bytes(512, id + 100), label);
        const deadline = performance.now() + 5000;
        while (!plainGot.some((m) => m.label === label) && performance.now() < deadline) await new Promise((r) => setTimeout(r, 20));
        const back = plainGot.find((m) => m.label === label);
        out[label] = { libGotIt: sameBytes(got, payload), plainGotIt: !!back && sameBytes(back.data, bytes(512, id + 100)) };
      }
      // Session resume keeps nothing for a plain peer: 256 KiB in one loop goes straight through.
      const before = plainGot.length;
      for (let i = 0; i < 256; i++) peer.send(bytes(1024, i), 'reliable');
      const deadline = performance.now() + 10000;
      while (plainGot.length < before + 256 && performance.now() < deadline) await new Promise((r) => setTimeout(r, 20));
      const bulk = plainGot.slice(before);
      out.bulk = bulk.length === 256 && bulk.every((m, i) => m.label === 'reliable' && sameBytes(m.data, bytes(1024, i)));
      await new Promise((r) => setTimeout(r, 300));
      peer.close();
      pc.close();
      return { out, extraMessages: plainGot.length - 4 - 256, streamsSeen };
    }, plainOffers);
    for (const label of ['control', 'reliable', 'unreliable', 'file']) {
      expect(result.out[label], label).toEqual({ libGotIt: true, plainGotIt: true });
    }
    expect(result.out.bulk, '256 × 1 KiB on reliable, every byte, in order').toBe(true);
    // The library's own traffic never reaches a plain peer.
    expect(result.extraMessages).toBe(0);
    expect(result.streamsSeen).toEqual([]);
  });
}
