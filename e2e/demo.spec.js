// The demo in web/: two tabs that find each other over a BroadcastChannel, and the one-page mode
// with two local peers (room mode: rooms.spec.js). Everything is driven and checked through the
// page, as a user would.
import { createHash } from 'node:crypto';
import fs from 'node:fs/promises';
import { test, expect } from '@playwright/test';
import { chat, collectErrors } from './support/demo-page.js';

const MiB = 1024 * 1024;

// Deterministic pseudo-random bytes (xorshift32), so a failure is reproducible.
function deterministicBytes(length, seed = 0x2545f491) {
  const out = Buffer.alloc(length);
  let x = seed >>> 0;
  for (let i = 0; i < length; i++) {
    x ^= x << 13;
    x >>>= 0;
    x ^= x >>> 17;
    x ^= x << 5;
    x >>>= 0;
    out[i] = x & 0xff;
  }
  return out;
}

const sha256 = (buffer) => createHash('sha256').update(buffer).digest('hex');

// The file behind a download link: { name, bytes }. Playwright 1.64 reports no `download` event
// for Firefox over WebDriver BiDi, so there the test reads the link's blob: URL in the page.
async function download(tab, link, browserName) {
  if (browserName === 'firefox') {
    const { name, data } = await link.evaluate(async (a) => ({
      name: a.download,
      data: [...new Uint8Array(await (await fetch(a.href)).arrayBuffer())],
    }));
    return { name, bytes: Buffer.from(data) };
  }
  const [event] = await Promise.all([tab.waitForEvent('download'), link.click()]);
  return { name: event.suggestedFilename(), bytes: await fs.readFile(await event.path()) };
}

async function attachScreenshot(page, testInfo, name) {
  const path = testInfo.outputPath(name);
  await page.screenshot({ path, fullPage: true });
  await testInfo.attach(name, { path, contentType: 'image/png' });
}

test('two tabs pair over BroadcastChannel, chat, and move a 1 MiB file with matching checksums', async ({ context, browserName }, testInfo) => {
  test.setTimeout(90_000);
  // Two pages of the same context: BroadcastChannel needs the same origin and browser profile.
  const tabA = await context.newPage();
  const tabB = await context.newPage();
  const errA = collectErrors(tabA, 'tab A');
  const errB = collectErrors(tabB, 'tab B');
  await tabA.goto('/web/');
  await tabB.goto('/web/');
  const a = tabA.getByTestId('panel');
  const b = tabB.getByTestId('panel');

  await expect(a.getByTestId('state')).toHaveText('connected', { timeout: 20_000 });
  await expect(b.getByTestId('state')).toHaveText('connected', { timeout: 20_000 });
  await expect(a.getByTestId('live-state')).toHaveText('connected');

  // Exactly one side made the offer (the one with the smaller id), and each names the other.
  const detailA = await a.getByTestId('peer-detail').textContent();
  const detailB = await b.getByTestId('peer-detail').textContent();
  expect([detailA, detailB].filter((d) => d.includes('offerer'))).toHaveLength(1);
  expect([detailA, detailB].filter((d) => d.includes('answerer'))).toHaveLength(1);
  const idA = (await a.getByTestId('peer-name').textContent()).replace('Tab ', '');
  const idB = (await b.getByTestId('peer-name').textContent()).replace('Tab ', '');
  expect(detailA).toContain(idB);
  expect(detailB).toContain(idA);
  expect(detailA.includes('offerer')).toBe(idA < idB);

  // Chat both ways, including non-ASCII text.
  await chat(a, b, 'hello from tab A');
  await chat(b, a, 'and hello back — from tab B ✓');

  // A 1 MiB file from A to B.
  const file = deterministicBytes(MiB);
  const expected = sha256(file);
  await a.getByTestId('file-input').setInputFiles({ name: 'deterministic-1MiB.bin', mimeType: 'application/octet-stream', buffer: file });

  const done = b.getByTestId('file-done');
  await expect(done).toBeVisible({ timeout: 30_000 });
  await expect(done).toContainText('deterministic-1MiB.bin');
  await expect(b.getByTestId('file-checksum')).toHaveText(expected);
  await expect(b.getByTestId('file-size')).toHaveAttribute('data-bytes', String(MiB));
  await expect(b.getByTestId('file-verified')).toHaveText('✓ matches sender');
  await expect(b.getByTestId('file-progress-recv')).toHaveJSProperty('value', MiB);
  // The sender hashed the same bytes, and its bar counts bytes the receiver confirmed.
  await expect(a.getByTestId('file-send-checksum')).toHaveText(expected);
  await expect(a.getByTestId('file-send-status')).toContainText('delivered ✓');
  await expect(a.getByTestId('file-progress-send')).toHaveJSProperty('value', MiB);

  // The download link hands over exactly the bytes that were sent.
  const downloaded = await download(tabB, done, browserName);
  expect(downloaded.name).toBe('deterministic-1MiB.bin');
  expect(downloaded.bytes.length).toBe(MiB);
  expect(sha256(downloaded.bytes)).toBe(expected);

  // The event log saw the transfer, and stays bounded.
  await expect(b.getByTestId('event-log').locator('li[data-event="message"]').first()).toBeVisible();
  expect(await b.getByTestId('event-log').locator('li').count()).toBeLessThanOrEqual(200);
  await expect(a.getByTestId('live-queue')).toHaveText(/^0\b/, { timeout: 5_000 });

  // Let the live charts collect a few samples before the picture.
  await tabA.waitForTimeout(2_500);
  await attachScreenshot(tabA, testInfo, 'demo.png');
  await attachScreenshot(tabB, testInfo, 'demo-tab-b.png');

  expect([...errA, ...errB]).toEqual([]);
});

test('one-page mode: two local peers connect side by side and chat both ways', async ({ page }, testInfo) => {
  const errors = collectErrors(page, 'page');
  await page.goto('/web/?mode=local');
  const alice = page.getByTestId('panel-a');
  const bob = page.getByTestId('panel-b');
  await expect(alice.getByTestId('peer-name')).toHaveText('Alice');
  await expect(bob.getByTestId('peer-name')).toHaveText('Bob');
  await expect(alice.getByTestId('state')).toHaveText('connected', { timeout: 20_000 });
  await expect(bob.getByTestId('state')).toHaveText('connected', { timeout: 20_000 });

  await chat(alice, bob, 'hi Bob, this is Alice');
  await chat(bob, alice, 'hi Alice — Bob here');
  await chat(alice, bob, 'third line');
  await expect(bob.getByTestId('chat-received').locator('.text')).toHaveText(['hi Bob, this is Alice', 'third line']);
  await expect(alice.getByTestId('chat-received').locator('.text')).toHaveText(['hi Alice — Bob here']);
  // A side never receives its own lines.
  await expect(alice.getByTestId('chat-sent').locator('.text')).toHaveText(['hi Bob, this is Alice', 'third line']);

  // Each side's event log recorded the state change to connected.
  await expect(alice.getByTestId('event-log').locator('li[data-event="state-change"]', { hasText: '→ connected' })).toHaveCount(1);
  await expect(bob.getByTestId('event-log').locator('li[data-event="state-change"]', { hasText: '→ connected' })).toHaveCount(1);

  await page.waitForTimeout(1_500);
  await attachScreenshot(page, testInfo, 'demo-local.png');
  expect(errors).toEqual([]);
});

test('two tabs: when one tab reloads, the other pairs with the new page and they connect again', async ({ context }) => {
  const tabA = await context.newPage();
  const tabB = await context.newPage();
  const errors = [...collectErrors(tabA, 'tab A'), ...collectErrors(tabB, 'tab B')];
  await tabA.goto('/web/');
  await tabB.goto('/web/');
  const a = tabA.getByTestId('panel');
  const b = tabB.getByTestId('panel');
  await expect(a.getByTestId('state')).toHaveText('connected', { timeout: 20_000 });
  await expect(b.getByTestId('state')).toHaveText('connected', { timeout: 20_000 });
  const oldIdB = (await b.getByTestId('peer-name').textContent()).replace('Tab ', '');

  await tabB.reload();
  const newIdB = (await b.getByTestId('peer-name').textContent()).replace('Tab ', '');
  expect(newIdB).not.toBe(oldIdB);
  await expect(a.getByTestId('chat-system').last()).toContainText(`disconnected from tab ${oldIdB}`);
  await expect(a.getByTestId('peer-detail')).toContainText(`paired with tab ${newIdB}`, { timeout: 20_000 });
  await expect(a.getByTestId('state')).toHaveText('connected', { timeout: 20_000 });
  await expect(b.getByTestId('state')).toHaveText('connected', { timeout: 20_000 });
  await chat(b, a, 'back after a reload');
  expect(errors).toEqual([]);
});

test('one-page mode: an 8 MiB file goes through the library send queue and arrives intact', async ({ page }) => {
  test.setTimeout(90_000);
  const errors = collectErrors(page, 'page');
  await page.goto('/web/?mode=local');
  const alice = page.getByTestId('panel-a');
  const bob = page.getByTestId('panel-b');
  await expect(alice.getByTestId('state')).toHaveText('connected', { timeout: 20_000 });
  await expect(bob.getByTestId('state')).toHaveText('connected', { timeout: 20_000 });

  // The demo caps the channel buffer at 1 MiB, so 8 MiB cannot all go straight to the browser:
  // the library has to queue chunks, and the demo has to respect that.
  const file = deterministicBytes(8 * MiB, 7);
  const expected = sha256(file);
  await bob.getByTestId('file-input').setInputFiles({ name: 'eight.bin', mimeType: 'application/octet-stream', buffer: file });
  await expect(alice.getByTestId('file-done')).toBeVisible({ timeout: 60_000 });
  await expect(alice.getByTestId('file-checksum')).toHaveText(expected);
  await expect(alice.getByTestId('file-verified')).toHaveText('✓ matches sender');
  await expect(bob.getByTestId('file-send-checksum')).toHaveText(expected);
  await expect(bob.getByTestId('file-send-status')).toContainText('delivered ✓');
  await expect(bob.getByTestId('event-log').locator('li[data-event="message-queued"]').first()).toBeVisible();
  await expect(bob.getByTestId('event-log').locator('li[data-event="message-sent"]').first()).toBeVisible();
  await expect(bob.getByTestId('live-queue')).toHaveText(/^0\b/, { timeout: 5_000 });
  // Nothing went the wrong way.
  await expect(bob.getByTestId('file-list').locator('li')).toHaveCount(0);
  expect(errors).toEqual([]);
});
