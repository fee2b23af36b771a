// Opens the e2e harness page and waits until the library (WASM core included) has loaded.
export async function openHarness(page) {
  const errors = [];
  page.on('pageerror', (e) => errors.push(e));
  await page.goto('/e2e/pages/harness.html');
  await page.waitForFunction(() => window.harnessReady === true, null, { timeout: 15000 });
  return errors;
}
