// Containment: should the WASM core ever trap, its one linear memory (shared by every peer on the
// page) can no longer be trusted. The library must then stop every peer cleanly, once, with an
// error that says what happened, instead of throwing random RuntimeErrors from then on. A real
// trap is provoked here: a raw export called with a wild pointer (a read far out of bounds).
import { test, expect } from '@playwright/test';
import { openHarness } from './support/harness-page.js';

// With `traffic`, user messages have flowed both ways before the trap (and keep flowing): the
// per-message entry points have been called; without it, only the library's own traffic has.
for (const traffic of [true, false]) {
test(`a trap in the WASM core ${traffic ? 'while messages flow' : 'before any user message'}: every live peer gets one fatal error and goes to failed; later calls say so; the browser's callbacks throw nothing`, async ({ page }) => {
  const pageErrors = await openHarness(page, { modules: true });
  const out = await page.evaluate(async (traffic) => {
    const { WebRTCPeerEnhanced, WebRTCConnectionPool } = window.wre;
    const { Core } = await import('/build/modules/core.js');
    const { connectPair, connectPeers, channelsOpen, sleep } = window.harness;
    // Live peers of every kind: a connected standalone pair, a connected pair inside one pool,
    // a pooled and a standalone peer that never connected.
    const config = { metricsInterval: 200 };
    const { a, b } = await connectPair(config, config);
    if (traffic) await channelsOpen(a, b, ['reliable']);
    const pool = new WebRTCConnectionPool(config);
    const p1 = pool.createPeer('p1');
    const p2 = pool.createPeer('p2');
    await connectPeers(p1, p2);
    const p3 = pool.createPeer('p3');
    const lone = new WebRTCPeerEnhanced({ peerId: 'lone' });
    const peers = { a, b, p1, p2, p3, lone };
    const seen = {};
    for (const [name, p] of Object.entries(peers)) {
      seen[name] = { errors: [], states: [], stateBefore: p.getState() };
      p.on('error', (e) => seen[name].errors.push({ type: e.type, errorType: e.error?.type, message: e.error?.message }));
      p.on('state-change', (e) => seen[name].states.push(`${e.oldState}->${e.newState}`));
    }
    const poolErrors = [];
    pool.on('error', (e) => poolErrors.push({ peerId: e.peerId, type: e.type }));
    // Traffic is flowing on the connected pair when it happens.
    const ticker = traffic && setInterval(() => {
      try {
        a.send(new Uint8Array(100), 'reliable');
        b.send(new Uint8Array(100), 'reliable');
      } catch { /* after the trap */ }
    }, 20);
    await sleep(300);

    // The trap: a wild pointer as the core's address.
    let call;
    try {
      call = { returned: String(Core._wre_accept_message(0xffffff00, 0, 1)) };
    } catch (error) {
      call = { threw: { name: error.name, type: error.type, message: error.message } };
    }
    await sleep(1000);  // the browser's own callbacks (messages, timers, stats) keep coming meanwhile
    clearInterval(ticker);

    const attempt = (fn) => {
      try {
        const r = fn();
        return r instanceof Promise ? r.then(() => ({ ok: true }), (e) => ({ rejected: e.type, message: e.message })) : { ok: true };
      } catch (error) {
        return { threw: error.type, message: error.message };
      }
    };
    const later = {
      send: attempt(() => a.send(new Uint8Array(1), 'reliable')),
      pooledSend: attempt(() => p1.send(new Uint8Array(1), 'reliable')),
      createOffer: await attempt(() => lone.createOffer()),
      pooledCreateOffer: await attempt(() => p3.createOffer()),
      newPeer: attempt(() => new WebRTCPeerEnhanced({ peerId: 'after' })),
      newPool: attempt(() => new WebRTCConnectionPool()),
    };
    const report = {};
    for (const [name, p] of Object.entries(peers)) report[name] = { ...seen[name], stateAfter: p.getState() };
    return { call, report, later, poolErrors };
  }, traffic);
  console.log(`the trapping call: ${JSON.stringify(out.call)}`);
  console.log(JSON.stringify(out.report.a));
  expect(pageErrors.map(String), 'uncaught errors in the page').toEqual([]);
  // The trapping call goes through js/core.js's guard, which contains the trap: it answers with
  // the fatal error, or (the shims' per-message entry point, which must not throw into the
  // browser's callbacks) quietly with nothing. Never with the raw RuntimeError.
  expect.soft(out.call.threw?.name, 'the trapping call threw').not.toBe('RuntimeError');
  if (out.call.threw) expect.soft(out.call.threw.message, 'the trapping call threw').toMatch(/the WASM core trapped/);
  const before = Object.fromEntries(Object.entries(out.report).map(([k, v]) => [k, v.stateBefore]));
  expect(before).toEqual({ a: 'connected', b: 'connected', p1: 'connected', p2: 'connected', p3: 'new', lone: 'new' });
  for (const [name, r] of Object.entries(out.report)) {
    expect(r.errors, `${name}: error events`).toHaveLength(1);
    expect(r.errors[0].type, `${name}: error type`).toBe('fatal');
    expect(r.errors[0].message, `${name}: error message`).toMatch(/the WASM core trapped/);
    expect(r.states, `${name}: state-changes after the trap`).toEqual([`${r.stateBefore}->failed`]);
    expect(r.stateAfter, `${name}: getState()`).toBe('failed');
  }
  // The pool re-emits its peers' fatal errors, once each.
  expect(out.poolErrors.filter((e) => e.type === 'fatal').map((e) => e.peerId).sort()).toEqual(['p1', 'p2', 'p3']);
  expect(out.later.send).toMatchObject({ threw: 'fatal' });
  expect(out.later.pooledSend).toMatchObject({ threw: 'fatal' });
  expect(out.later.createOffer).toMatchObject({ rejected: 'fatal' });
  expect(out.later.pooledCreateOffer).toMatchObject({ rejected: 'fatal' });
  expect(out.later.newPeer).toMatchObject({ threw: 'fatal' });
  expect(out.later.newPool).toMatchObject({ threw: 'fatal' });
  for (const r of Object.values(out.later)) expect(r.message).toMatch(/the WASM core trapped/);
});
}
