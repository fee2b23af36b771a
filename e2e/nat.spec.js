// detectNATType() in each project's browser (Debian's Chromium, Firefox ESR): first on loopback
// against two real coturn STUN servers, then behind real NATs built from Linux network namespaces
// (e2e/support/netns-lab.js): no NAT, MASQUERADE (endpoint-independent mapping) and MASQUERADE
// --random (symmetric). The lab's own STUN probe (one UDP socket, both servers) gives the ground
// truth each verdict is checked against.
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { test, expect } from '@playwright/test';
import { openHarness } from './support/harness-page.js';
import { createLab, labSupport, PRIVATE_ADDRESS, ROUTER_PUBLIC_ADDRESS } from './support/netns-lab.js';
import { connections, detect, watchPeerConnections } from './support/nat-page.js';
import { freePortBlock } from './support/ports.js';
import { startTurn } from './support/turn.js';

const IN_NETNS = path.join(path.dirname(fileURLToPath(import.meta.url)), 'support', 'nat-in-netns.js');

// This machine's addresses: on loopback a STUN server may see an interface address (Firefox binds
// each socket to one, so a 127.0.0.1 server sees e.g. 192.0.2.2).
const localAddresses = new Set(Object.values(os.networkInterfaces()).flat().map((i) => i.address));

// detectNATType()'s connections: one per server asking only it, one asking them all (the same URLs
// as the peer's own connection), and maybe the self-reach test's, which asks none.
function expectGatherers(pcs, servers) {
  const asked = pcs.map((p) => [...p.urls].sort().join(' '));
  for (const s of servers) expect(asked.filter((u) => u === s)).toHaveLength(1);
  expect(asked.filter((u) => u === [...servers].sort().join(' '))).toHaveLength(2);
  for (const p of pcs) expect(p.urls.every((u) => servers.includes(u))).toBe(true);
  expect(pcs.length).toBeLessThanOrEqual(servers.length + 3);
}

function expectShape(result) {
  expect(Object.keys(result).sort()).toEqual(
    ['evidence', 'filtering', 'mapping', 'reason', 'requiresRelay', 'supportsDirectConnection', 'type'],
  );
  expect(result.filtering).toBe('unknown'); // a browser cannot measure it
  expect(typeof result.reason).toBe('string');
  expect(Array.isArray(result.evidence)).toBe(true);
}

function note(testInfo, text) {
  testInfo.annotations.push({ type: 'measured', description: text });
  console.log(`      ${testInfo.title}: ${text}`);
}

test.describe('detectNATType on loopback (no namespaces)', () => {
  let a;
  let b;
  let deadPort;
  test.beforeAll(async () => {
    [a, b] = await Promise.all([startTurn(), startTurn()]);
    deadPort = await freePortBlock(1); // nothing listens there
  });
  test.afterAll(async () => {
    await Promise.all([a?.stop(), b?.stop()]);
  });

  test('two STUN servers: one mapping, and it is this machine\'s own address: open', async ({ page }, testInfo) => {
    await openHarness(page);
    await watchPeerConnections(page);
    const { result, ms, error } = await detect(page, [a.stunUrl, { urls: [b.stunUrl] }]);
    expect(error).toBeUndefined();
    note(testInfo, `${result.type} in ${ms} ms`);
    expectShape(result);
    // Loopback has no NAT: either the reflexive address is a visible local address, or the
    // self-reach test (ICE checks from another local connection to the reflexive address) proves
    // it is the shared gathering socket itself (mDNS hides the local addresses).
    expect(result.type, result.reason).toBe('open');
    expect(result.mapping).toBe('endpoint-independent');
    expect(result.supportsDirectConnection).toBe(true);
    expect(result.requiresRelay).toBe(false);
    expect(result.reason).toContain('no NAT on this path');
    // Each server's own connection: its own socket, so its own port, and a local address.
    expect([...new Set(result.evidence.map((e) => e.server))].sort()).toEqual([a.stunUrl, b.stunUrl].sort());
    for (const e of result.evidence) expect(localAddresses.has(e.address), e.address).toBe(true);
    expect(ms).toBeLessThan(2000);
    // Only the configured STUN servers were asked, and every connection it made is closed.
    const pcs = await connections(page);
    expectGatherers(pcs, [a.stunUrl, b.stunUrl]);
    expect(pcs.every((p) => p.closed)).toBe(true);
  });

  test('one STUN server: unknown at once, nothing gathered', async ({ page }, testInfo) => {
    await openHarness(page);
    await watchPeerConnections(page);
    const { result, ms } = await detect(page, [a.stunUrl, { urls: b.urls, username: 'u', credential: 'p' }]);
    note(testInfo, `${result.type} in ${ms} ms`);
    expectShape(result);
    expect(result.type).toBe('unknown');
    expect(result.requiresRelay).toBe(false);
    expect(result.supportsDirectConnection).toBe(false);
    expect(result.reason).toContain(`Only one STUN server is configured (${a.stunUrl})`);
    expect(result.reason).toContain('TURN servers are not used');
    expect(result.evidence).toEqual([{ server: a.stunUrl, address: null, port: null, error: 'not contacted' }]);
    expect(ms).toBeLessThan(50);
    expect(await connections(page)).toHaveLength(1); // only the peer's own connection
  });

  test('no STUN server configured: unknown at once', async ({ page }) => {
    await openHarness(page);
    const { result, ms } = await detect(page, []);
    expect(result.type).toBe('unknown');
    expect(result.reason).toContain('No STUN servers are configured');
    expect(ms).toBeLessThan(50);
  });

  test('a dead STUN server port: unknown within the time limit, no relay claimed', async ({ page }, testInfo) => {
    await openHarness(page);
    await watchPeerConnections(page);
    const dead = `stun:127.0.0.1:${deadPort}`;
    const { result, ms } = await detect(page, [a.stunUrl, dead], { timeout: 1500 });
    note(testInfo, `${result.type} in ${ms} ms (timeout 1500 ms)`);
    expectShape(result);
    expect(result.type).toBe('unknown');
    expect(result.requiresRelay).toBe(false); // a.stunUrl did answer: UDP works
    expect(result.reason).toContain(`${dead} did not answer before the time limit`);
    expect(result.evidence).toHaveLength(2);
    expect(result.evidence[0].server).toBe(a.stunUrl);
    expect(localAddresses.has(result.evidence[0].address), result.evidence[0].address).toBe(true);
    expect(result.evidence[1]).toEqual({ server: dead, address: null, port: null, error: 'no answer before the time limit' });
    expect(ms).toBeGreaterThanOrEqual(1450);
    expect(ms).toBeLessThan(2000);
    const pcs = await connections(page);
    expectGatherers(pcs, [a.stunUrl, dead]);
    expect(pcs.every((p) => p.closed)).toBe(true);
  });

  test('every STUN server dead: unknown, relay required, within the time limit', async ({ page }, testInfo) => {
    await openHarness(page);
    const dead = [`stun:127.0.0.1:${deadPort}`, `stun:127.0.0.2:${deadPort}`];
    const { result, ms } = await detect(page, dead, { timeout: 1000 });
    note(testInfo, `${result.type} in ${ms} ms (timeout 1000 ms)`);
    expect(result.type).toBe('unknown');
    expect(result.requiresRelay).toBe(true);
    expect(result.supportsDirectConnection).toBe(false);
    expect(result.reason).toContain('No STUN server produced a reflexive candidate');
    expect(result.evidence.map((e) => e.error)).toEqual(['no answer before the time limit', 'no answer before the time limit']);
    expect(ms).toBeGreaterThanOrEqual(950);
    expect(ms).toBeLessThan(1500);
  });

  test('malformed candidate strings from the browser are refused cleanly', async ({ page }) => {
    await openHarness(page);
    const garbage = [
      '',
      'candidate:',
      'candidate:1 1 udp 1 127.0.0.1 99999 typ srflx raddr 0.0.0.0 rport 0',
      'candidate:1 1 udp 1 127.0.0.1 5000 typ srflx raddr',
      'candidate:1 1 udp 1 1.2.3 5000 typ srflx',
      `candidate:1 1 udp 1 127.0.0.1 5000 typ srflx ${'x '.repeat(2000)}`,
      'candidate:1 1 udp 1 127.0.0.1 5000 typ srflx\u0000raddr 0.0.0.0',
      'candidate:1 1 udp 1 127.0.0.1 5000 typ bogus',
    ];
    await watchPeerConnections(page, garbage);
    const errors = [];
    page.on('pageerror', (e) => errors.push(e));
    const { result, error } = await detect(page, [a.stunUrl, b.stunUrl]);
    expect(error).toBeUndefined();
    expect(errors).toEqual([]);
    expect(result.type, result.reason).toBe('open'); // the real candidates still decide
    // '' is not delivered (the shim skips empty candidates); the rest are parsed and refused.
    expect(result.reason).toContain(`${garbage.length - 1} malformed candidates from the browser were ignored`);
  });

  test('bad options are refused with a clear error', async ({ page }) => {
    await openHarness(page);
    const notNumber = await detect(page, [a.stunUrl, b.stunUrl], { timeout: '5s' });
    expect(notNumber.error).toEqual({ name: 'TypeError', message: "detectNATType(): timeout must be a number of milliseconds, got '5s'" });
    const tooShort = await detect(page, [a.stunUrl, b.stunUrl], { timeout: 5 });
    expect(tooShort.error).toEqual({ name: 'RangeError', message: 'detectNATType(): timeout must be between 100 and 60000 ms, got 5' });
    const notObject = await detect(page, [a.stunUrl, b.stunUrl], 5000);
    expect(notObject.error.name).toBe('TypeError');
  });
});

test.describe('detectNATType behind real NATs (network namespaces)', () => {
  let support;
  test.beforeAll(async () => {
    support = await labSupport();
    if (!support.ok) {
      const bar = '!'.repeat(100);
      console.error(`\n${bar}\n!! NAT LAB NOT RUN: ${support.reason}\n!! detectNATType() is NOT tested behind real NATs on this machine (unit tests and loopback tests still ran).\n${bar}\n`);
    }
  });

  const cases = [
    { nat: 'none', type: 'open', title: 'no NAT: the reflexive address is the browser\'s own: open' },
    { nat: 'masquerade', type: 'port-restricted', title: 'MASQUERADE (endpoint-independent mapping): port-restricted' },
    { nat: 'random', type: 'symmetric', title: 'MASQUERADE --random (a mapping per destination): symmetric' },
  ];

  for (const c of cases) {
    test(c.title, async ({ browserName: _ }, testInfo) => {
      if (!support.ok) {
        testInfo.annotations.push({ type: 'NAT lab unavailable', description: support.reason });
        // WRE_REQUIRE_NETNS=1 (e.g. on CI machines known to allow namespaces) turns this into a failure.
        if (process.env.WRE_REQUIRE_NETNS) throw new Error(`NAT lab unavailable: ${support.reason}`);
        test.skip(true, `NAT lab unavailable: ${support.reason}`);
      }
      const lab = await createLab({ nat: c.nat });
      try {
        const truth = await lab.probe();
        const [m1, m2] = truth.mapped;
        // This project's browser, launched as every other test launches it (playwright.config.js),
        // by a Playwright client inside the private namespace (see nat-in-netns.js).
        const { browserName, channel, launchOptions } = testInfo.project.use;
        const job = { use: { browserName, channel, launchOptions }, url: `${lab.baseURL}e2e/pages/harness.html`, servers: lab.stunUrls };
        const out = await lab.node([IN_NETNS, JSON.stringify(job)], 45_000);
        const { result, ms, error, pcs, pageErrors } = JSON.parse(out.trim().split('\n').pop());
        expect(error).toBeUndefined();
        expect(pageErrors).toEqual([]);
        note(testInfo, `${result.type} in ${ms} ms; lab probe saw ${JSON.stringify(truth.mapped)} from local port ${truth.local}`);
        expectShape(result);
        expect(result.type, result.reason).toBe(c.type);
        const servers = result.evidence.map((e) => e.server).sort();
        expect(servers).toEqual([...lab.stunUrls].sort());

        if (c.nat === 'none') {
          expect(m1).toEqual({ address: PRIVATE_ADDRESS, port: truth.local }); // ground truth: no translation
          expect(m2).toEqual(m1);
          expect(result.mapping).toBe('endpoint-independent');
          expect(result.supportsDirectConnection).toBe(true);
          expect(result.requiresRelay).toBe(false);
          expect(result.evidence.every((e) => e.address === PRIVATE_ADDRESS)).toBe(true);
          expect(result.reason).toContain('no NAT on this path');
        } else if (c.nat === 'masquerade') {
          expect(m1).toEqual({ address: ROUTER_PUBLIC_ADDRESS, port: truth.local }); // translated, port kept
          expect(m2).toEqual(m1);
          expect(result.mapping).toBe('endpoint-independent');
          expect(result.supportsDirectConnection).toBe(true);
          expect(result.requiresRelay).toBe(false);
          expect(result.evidence.every((e) => e.address === ROUTER_PUBLIC_ADDRESS)).toBe(true);
          // Each server's own connection has its own socket and so its own mapping; the shared
          // socket that asked both got one.
          expect(result.reason).toContain('got one mapping');
          // The same port as the local socket, so only the self-reach test tells it from no NAT.
          expect(result.reason).toContain('did not come back');
        } else {
          expect(m1.address).toBe(ROUTER_PUBLIC_ADDRESS);
          expect(m2.address).toBe(ROUTER_PUBLIC_ADDRESS);
          expect(m1.port).not.toBe(m2.port); // ground truth: one mapping per destination
          expect(result.mapping).toBe('dependent');
          expect(result.supportsDirectConnection).toBe(false);
          expect(result.requiresRelay).toBe(true);
          expect(result.evidence.every((e) => e.address === ROUTER_PUBLIC_ADDRESS)).toBe(true);
          expect(new Set(result.evidence.map((e) => e.port)).size).toBe(2);
          expect(result.reason).toContain('One local socket asked');
        }
        expect(ms).toBeLessThan(5000); // the default time limit
        expectGatherers(pcs, lab.stunUrls);
        expect(pcs.every((p) => p.closed)).toBe(true);
      } finally {
        await lab.close();
      }
    });
  }
});
