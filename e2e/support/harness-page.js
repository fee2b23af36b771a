// Opens the e2e harness page and waits until the library (WASM core included) has loaded.
// Returns the page's uncaught errors, plus any console error that reports a WASM trap
// (RuntimeError), collected from now on.
export async function openHarness(page) {
  const errors = [];
  page.on('pageerror', (e) => errors.push(e));
  page.on('console', (m) => {
    if (m.type() === 'error' && /RuntimeError/.test(m.text())) errors.push(new Error(`console: ${m.text()}`));
  });
  await page.goto('/e2e/pages/harness.html');
  await page.waitForFunction(() => window.harnessReady === true, null, { timeout: 15000 });
  return errors;
}
