// In-page steps of e2e/nat.spec.js, shared with e2e/support/nat-in-netns.js (which runs them in a
// browser inside the NAT lab).

// In the page: records every RTCPeerConnection made from now on (its config and the object), so a
// test can check which servers were used and that nothing was left open. `inject` adds candidate
// events with these strings (malformed input) to the second connection made: detectNATType()'s
// first gatherer, the one asking only the first server (the first is the peer's own).
export function watchPeerConnections(page, inject = []) {
  return page.evaluate((inject) => {
    const Native = window.__nativePC ?? globalThis.RTCPeerConnection;
    window.__nativePC = Native;
    window.__pcs = [];
    globalThis.RTCPeerConnection = function RTCPeerConnection(config) {
      const pc = new Native(config);
      window.__pcs.push({ config: JSON.parse(JSON.stringify(config ?? {})), pc });
      if (inject.length && window.__pcs.length === 2) {
        const native = Object.getOwnPropertyDescriptor(Native.prototype, 'onicecandidate');
        Object.defineProperty(pc, 'onicecandidate', {
          configurable: true,
          get: () => native.get.call(pc),
          set(fn) {
            native.set.call(pc, fn); // real candidates still arrive
            if (!fn) return;
            const url = config.iceServers[0].urls[0];
            for (const candidate of inject) fn({ candidate: { candidate, url }, url });
          },
        });
      }
      return pc;
    };
    globalThis.RTCPeerConnection.prototype = Native.prototype;
  }, inject);
}

export const connections = (page) =>
  page.evaluate(() =>
    window.__pcs.map(({ config, pc }) => ({
      urls: (config.iceServers ?? []).flatMap((s) => [s.urls].flat()),
      closed: pc.signalingState === 'closed',
    })),
  );

// detectNATType() on a peer whose config lists `servers`; the time is measured in the page.
export function detect(page, servers, options) {
  return page.evaluate(
    async ([servers, options]) => {
      const peer = new window.wre.WebRTCPeerEnhanced({
        peerId: 'nat',
        iceServers: servers.map((urls) => (typeof urls === 'string' ? { urls } : urls)),
      });
      const t0 = performance.now();
      try {
        const result = await peer.detectNATType(options);
        return { result, ms: Math.round(performance.now() - t0) };
      } catch (e) {
        return { error: { name: e.name, message: e.message }, ms: Math.round(performance.now() - t0) };
      } finally {
        peer.close();
      }
    },
    [servers, options],
  );
}
