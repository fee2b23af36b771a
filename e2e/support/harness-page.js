// Opens the e2e harness page and waits until the library (WASM core included) has loaded: the
// package as shipped, or with `{ modules: true }` its readable modules (build/modules/), whose
// internals a test may then import (`/build/modules/core.js`: the same instance).
// Returns the page's uncaught errors, plus any console error that reports a WASM trap
// (RuntimeError), collected from now on.
export async function openHarness(page, { modules = false } = {}) {
  const errors = [];
  page.on('pageerror', (e) => errors.push(e));
  page.on('console', (m) => {
    if (m.type() === 'error' && /RuntimeError/.test(m.text())) errors.push(new Error(`console: ${m.text()}`));
  });
  await page.goto(modules ? '/e2e/pages/harness.html?modules' : '/e2e/pages/harness.html');
  await page.waitForFunction(() => window.harnessReady === true, null, { timeout: 15000 });
  return errors;
}

// Returns collect(): one garbage collection in `page`. Chromium collects on request through the
// DevTools protocol; Firefox offers a test no such call, so there collect() makes enough
// short-lived garbage that it collects by itself.
export async function garbageCollector(page, browserName) {
  if (browserName === 'chromium') {
    const cdp = await page.context().newCDPSession(page);
    return () => cdp.send('HeapProfiler.collectGarbage');
  }
  return () => page.evaluate(() => {
    let made = 0;
    for (let i = 0; i < 200; i++) made += new Array(100_000).fill(i).length;
    return made;
  });
}
