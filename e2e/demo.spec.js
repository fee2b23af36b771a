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
    // As base64: an array of a million numbers takes tens of seconds over BiDi.
    const { name, data } = await link.evaluate(async (a) => {
      const blob = await (await fetch(a.href)).blob();
      const url = await new Promise((resolve) => {
        const reader = new FileReader();
        reader.onload = () => resolve(reader.result);
        reader.readAsDataURL(blob);
      });
      return { name: a.download, data: url.slice(url.indexOf(',') + 1) };
    });
    return { name, bytes: Buffer.from(data, 'base64') };
  }
  const [event] = await Promise.all([tab.waitForEvent('download'), link.click()]);
  return { name: event.suggestedFilename(), bytes: await fs.readFile(await event.path()) };
}

// A transfer row (sending or receiving) that ended verified: the SHA-256 it shows is the source's,
// and its progress bar, driven by transfer-progress events, reached the whole size.
async function expectVerified(row, expected, size, timeout = 30_000) {
  await expect(row.getByTestId('file-checksum')).toHaveText(expected, { timeout });
  await expect(row.getByTestId('file-status')).toContainText('SHA-256 verified on both sides ✓');
  await expect(row.getByTestId('file-progress')).toHaveJSProperty('max', size);
  await expect(row.getByTestId('file-progress')).toHaveJSProperty('value', size);
  await expect(row.getByTestId('file-cancel')).toHaveCount(0); // no Cancel once it is over
}

async function connectLocal(page) {
  await page.goto('/web/?mode=local');
  const alice = page.getByTestId('panel-a');
  const bob = page.getByTestId('panel-b');
  await expect(alice.getByTestId('state')).toHaveText('connected', { timeout: 20_000 });
  await expect(bob.getByTestId('state')).toHaveText('connected', { timeout: 20_000 });
  return { alice, bob };
}

// Stands in for the save dialog (a user-gesture dialog Playwright cannot drive): hands back a file
// in the origin-private file system, which can be written like a picked one.
function stubSaveFilePicker() {
  window.showSaveFilePicker = async ({ suggestedName } = {}) => {
    const dir = await navigator.storage.getDirectory();
    window.pickedName = `picked-${suggestedName}`;
    return dir.getFileHandle(window.pickedName, { create: true });
  };
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

  // Both sides show the digest the library verified, equal to the source's, and full bars.
  const received = b.getByTestId('transfer-in');
  const done = received.getByTestId('file-done');
  await expect(done).toBeVisible({ timeout: 30_000 });
  await expect(done).toContainText('deterministic-1MiB.bin');
  await expectVerified(received, expected, MiB);
  await expectVerified(a.getByTestId('transfer-out'), expected, MiB);
  await expect(a.getByTestId('chat-system').last()).toContainText('sent deterministic-1MiB.bin (1.00 MiB), verified by the receiver');
  await expect(b.getByTestId('chat-system').last()).toContainText('received deterministic-1MiB.bin (1.00 MiB), SHA-256 verified');

  // The download link hands over exactly the bytes that were sent.
  const downloaded = await download(tabB, done, browserName);
  expect(downloaded.name).toBe('deterministic-1MiB.bin');
  expect(downloaded.bytes.length).toBe(MiB);
  expect(sha256(downloaded.bytes)).toBe(expected);

  // The event log saw the chat and the transfer, and stays bounded.
  await expect(b.getByTestId('event-log').locator('li[data-event="message"]').first()).toBeVisible();
  await expect(b.getByTestId('event-log').locator('li[data-event="transfer-complete"]')).toContainText(`receive 1.00 MiB, sha256 ${expected}`);
  expect(await b.getByTestId('event-log').locator('li').count()).toBeLessThanOrEqual(200);
  await expect(a.getByTestId('live-queue')).toHaveText(/^0\b/, { timeout: 5_000 });

  // Let the live charts collect a few samples before the picture.
  await tabA.waitForTimeout(2_500);
  await attachScreenshot(tabA, testInfo, 'demo.png');
  await attachScreenshot(tabB, testInfo, 'demo-tab-b.png');

  expect([...errA, ...errB]).toEqual([]);
});

test('one-page mode: two local peers connect side by side and chat both ways', async ({ page, browserName }, testInfo) => {
  const errors = collectErrors(page, 'page');
  const { alice, bob } = await connectLocal(page);
  await expect(alice.getByTestId('peer-name')).toHaveText('Alice');
  await expect(bob.getByTestId('peer-name')).toHaveText('Bob');
  // "Save to a file I pick" needs showSaveFilePicker: Chromium has it (127.0.0.1 is a secure
  // context), Firefox does not, and the panel says so.
  if (browserName === 'chromium') {
    await expect(alice.getByTestId('file-save-pick')).toBeEnabled();
  } else {
    await expect(alice.getByTestId('file-save-pick')).toBeDisabled();
    await expect(alice.getByTestId('file-save-note')).toContainText('no showSaveFilePicker');
  }

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

test('one-page mode: an 8 MiB file goes through sendFile and arrives intact and verified', async ({ page }) => {
  test.setTimeout(90_000);
  const errors = collectErrors(page, 'page');
  const { alice, bob } = await connectLocal(page);

  // The demo caps the channel buffer at 1 MiB, so 8 MiB cannot all go straight to the browser:
  // the library paces the chunks (its 'file' window) and reports progress on both sides.
  const file = deterministicBytes(8 * MiB, 7);
  const expected = sha256(file);
  await bob.getByTestId('file-input').setInputFiles({ name: 'eight.bin', mimeType: 'application/octet-stream', buffer: file });
  const received = alice.getByTestId('transfer-in');
  await expect(received.getByTestId('file-done')).toBeVisible({ timeout: 60_000 });
  await expectVerified(received, expected, 8 * MiB);
  await expectVerified(bob.getByTestId('transfer-out'), expected, 8 * MiB);
  await expect(bob.getByTestId('event-log').locator('li[data-event="transfer-progress"]').first()).toContainText('send 8.00 MiB of 8.00 MiB');
  await expect(alice.getByTestId('event-log').locator('li[data-event="transfer-progress"]').first()).toContainText('receive 8.00 MiB of 8.00 MiB');
  await expect(bob.getByTestId('live-queue')).toHaveText(/^0\b/, { timeout: 5_000 });
  // The link's Blob holds the source's bytes (hashed in the page: 8 MiB over BiDi is too slow).
  expect(await received.getByTestId('file-done').evaluate(async (a) => {
    const digest = new Uint8Array(await crypto.subtle.digest('SHA-256', await (await fetch(a.href)).arrayBuffer()));
    return [...digest].map((b) => b.toString(16).padStart(2, '0')).join('');
  })).toBe(expected);
  // Nothing went the wrong way.
  await expect(bob.getByTestId('transfer-in')).toHaveCount(0);
  await expect(alice.getByTestId('transfer-out')).toHaveCount(0);
  expect(errors).toEqual([]);
});

test('one-page mode: "save to a file I pick" writes the file into the picked file, verified', async ({ page }) => {
  test.setTimeout(90_000);
  const errors = collectErrors(page, 'page');
  await page.addInitScript(stubSaveFilePicker);
  const { alice, bob } = await connectLocal(page);
  await alice.getByTestId('file-save-pick').check();

  const file = deterministicBytes(3 * MiB + 12345, 11);
  const expected = sha256(file);
  await bob.getByTestId('file-input').setInputFiles({ name: 'picked.bin', mimeType: 'application/octet-stream', buffer: file });
  // The offer waits for the user: the save dialog may only open on a click.
  const received = alice.getByTestId('transfer-in');
  await expect(received.getByTestId('file-status')).toHaveText('offered: pick where to save it');
  await expect(bob.getByTestId('transfer-out').getByTestId('file-status')).toHaveText('offered, waiting for the receiver to accept');
  await received.getByTestId('file-save').click();

  await expectVerified(received, expected, file.length);
  await expectVerified(bob.getByTestId('transfer-out'), expected, file.length);
  await expect(received.getByTestId('file-status')).toContainText('saved to picked-picked.bin');
  await expect(received.getByTestId('file-done')).toHaveCount(0); // not kept in memory
  // The picked file holds exactly the source's bytes.
  const saved = await page.evaluate(async () => {
    const dir = await navigator.storage.getDirectory();
    const blob = await (await dir.getFileHandle(window.pickedName)).getFile();
    const digest = new Uint8Array(await crypto.subtle.digest('SHA-256', await blob.arrayBuffer()));
    return { size: blob.size, sha256: [...digest].map((b) => b.toString(16).padStart(2, '0')).join('') };
  });
  expect(saved).toEqual({ size: file.length, sha256: expected });
  expect(errors).toEqual([]);
});

test('one-page mode: the sender cancels (before and during), the receiver declines; both sides show why', async ({ page }) => {
  const errors = collectErrors(page, 'page');
  // With "save to a file I pick" on, an offer waits for the receiver's click: time to cancel it.
  await page.addInitScript(stubSaveFilePicker);
  const { alice, bob } = await connectLocal(page);
  await alice.getByTestId('file-save-pick').check();

  await bob.getByTestId('file-input').setInputFiles({ name: 'cancelled.bin', mimeType: 'application/octet-stream', buffer: deterministicBytes(MiB, 3) });
  await expect(alice.getByTestId('transfer-in').getByTestId('file-save')).toBeVisible();
  await bob.getByTestId('transfer-out').getByTestId('file-cancel').click();
  for (const [panel, direction] of [[bob, 'out'], [alice, 'in']]) {
    const status = panel.getByTestId(`transfer-${direction}`).getByTestId('file-status');
    await expect(status).toContainText('cancelled.bin failed (cancelled)');
    await expect(status).toContainText('cancelled by the sender');
    await expect(panel.getByTestId('chat-system').last()).toContainText('cancelled.bin failed (cancelled)');
  }
  await expect(alice.getByTestId('transfer-in').getByTestId('file-save')).toHaveCount(0);

  await bob.getByTestId('file-input').setInputFiles({ name: 'declined.bin', mimeType: 'application/octet-stream', buffer: deterministicBytes(MiB, 4) });
  const offer = alice.getByTestId('transfer-in').first();
  await expect(offer).toContainText('declined.bin');
  await offer.getByTestId('file-decline').click();
  for (const [panel, direction] of [[bob, 'out'], [alice, 'in']]) {
    const status = panel.getByTestId(`transfer-${direction}`).first().getByTestId('file-status');
    await expect(status).toContainText('declined.bin failed (rejected)');
    await expect(status).toContainText('rejected by the receiver: declined');
    await expect(panel.getByTestId('chat-system').last()).toContainText('declined.bin failed (rejected)');
  }

  // Cancel in the middle: a slow "picked file" (100 ms a write) paces the sender, so the transfer
  // is still running when the sender presses Cancel.
  await page.evaluate(() => {
    window.showSaveFilePicker = async () => ({
      name: 'slow-disk',
      createWritable: async () => new WritableStream({ write: () => new Promise((resolve) => setTimeout(resolve, 100)) }),
    });
  });
  const size = 4 * MiB;
  await bob.getByTestId('file-input').setInputFiles({ name: 'midway.bin', mimeType: 'application/octet-stream', buffer: deterministicBytes(size, 5) });
  const incoming = alice.getByTestId('transfer-in').first();
  await incoming.getByTestId('file-save').click();
  const outgoing = bob.getByTestId('transfer-out').first();
  await expect(outgoing.getByTestId('file-status')).toContainText('handed to the browser');
  await expect(incoming.getByTestId('file-status')).toContainText('written');
  await outgoing.getByTestId('file-cancel').click();
  for (const row of [outgoing, incoming]) {
    await expect(row.getByTestId('file-status')).toContainText('midway.bin failed (cancelled)');
    expect(await row.getByTestId('file-progress').evaluate((bar) => bar.value)).toBeLessThan(size);
  }
  expect(errors).toEqual([]);
});
