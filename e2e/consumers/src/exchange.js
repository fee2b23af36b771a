// Two peers in one page, signaling handed over in-page (through JSON, as a real signaling channel
// would carry it): connect, send a message each way, close. Resolves to what happened; used by
// every consumer app of e2e/package.spec.js.
export async function exchange(WebRTCPeerEnhanced, mode, { timeout = 15000 } = {}) {
  const started = performance.now();
  const wire = (value) => JSON.parse(JSON.stringify(value));
  const a = new WebRTCPeerEnhanced({ peerId: `${mode}-a` });
  const b = new WebRTCPeerEnhanced({ peerId: `${mode}-b` });
  const states = [a.getState()];
  a.on('state-change', ({ newState }) => states.push(newState));
  a.on('ice-candidate', ({ candidate }) => b.addIceCandidate(wire(candidate)));
  b.on('ice-candidate', ({ candidate }) => a.addIceCandidate(wire(candidate)));

  const connected = (peer) =>
    new Promise((resolve) => {
      if (peer.getState() === 'connected') resolve();
      peer.on('state-change', ({ newState }) => newState === 'connected' && resolve());
    });
  const nextMessage = (peer) =>
    new Promise((resolve) =>
      peer.once('message', ({ peerId, type, data }) =>
        resolve({ peerId, type, text: new TextDecoder().decode(data) })));

  let timer;
  const deadline = new Promise((_, reject) => {
    timer = setTimeout(() => reject(new Error(`no exchange within ${timeout} ms (states: ${states.join(' -> ')})`)), timeout);
  });
  try {
    return await Promise.race([deadline, (async () => {
      const offer = await a.createOffer();
      const answer = await b.createAnswer(wire(offer));
      await a.setRemoteAnswer(wire(answer));
      await Promise.all([connected(a), connected(b)]);

      const atB = nextMessage(b);
      a.send(`hello from ${mode}`);
      const received = await atB;
      const atA = nextMessage(a);
      b.send(new TextEncoder().encode(`reply from ${mode}`), 'control');
      const reply = await atA;
      a.close();
      b.close();
      return { received, reply, states, ms: Math.round(performance.now() - started) };
    })()]);
  } finally {
    clearTimeout(timer);
  }
}

// Publishes the outcome for the test (window.consumerResult) and for a person (the page text).
export function report(promise) {
  const out = document.getElementById('result');
  return promise.then(
    (result) => {
      window.consumerResult = result;
      out.textContent = `${result.received.text} / ${result.reply.text} (${result.ms} ms)`;
    },
    (error) => {
      window.consumerResult = { error: String(error?.stack ?? error) };
      out.textContent = `failed: ${error?.message ?? error}`;
    },
  );
}
