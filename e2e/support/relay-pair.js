// A relay-only pair of library peers in the harness page (window.a offers, window.b answers), with
// renegotiation (the app's job) wired through the page, and every liveness and reconnection event
// of both logged in window.log as { t, peer, ev, state, attempt }.
export async function relayPair(page, iceServer, extra = {}) {
  await page.evaluate(async ({ iceServer, extra }) => {
    const config = { iceServers: [iceServer], iceTransportPolicy: 'relay', ...extra };
    const { a, b } = await window.harness.connectPair(config, config);
    window.a = a;
    window.b = b;
    window.log = [];
    for (const [name, peer] of [['a', a], ['b', b]]) {
      for (const ev of ['state-change', 'reconnect-scheduled', 'reconnect-attempt', 'reconnect-failed', 'renegotiation-needed']) {
        peer.on(ev, (p) => window.log.push({ t: performance.now(), peer: name, ev, state: p?.newState, attempt: p?.attempt ?? p?.attempts }));
      }
    }
    a.on('renegotiation-needed', async ({ offer }) => {
      try {
        const answer = await b.createAnswer(JSON.parse(JSON.stringify(offer)));
        await a.setRemoteAnswer(answer);
      } catch (e) {
        window.log.push({ t: performance.now(), peer: 'signaling', ev: `error: ${e.message}` });
      }
    });
  }, { iceServer, extra });
}
