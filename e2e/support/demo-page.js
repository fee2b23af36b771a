// Helpers for the specs that drive the demo (web/) as a user would: e2e/demo.spec.js and
// e2e/rooms.spec.js.
import { expect } from '@playwright/test';

// Firefox reports a WebSocket that cannot connect (the demo retrying while the signaling server
// is down) as a page error of its own; it is no error of the page's code.
const BROWSER_NOTICE = /^Firefox can’t establish a connection to the server at ws:/;

/** Uncaught page errors and console errors, so a broken demo cannot pass quietly. */
export function collectErrors(page, label) {
  const errors = [];
  page.on('pageerror', (e) => BROWSER_NOTICE.test(e.message) || errors.push(`${label}: ${e.message}`));
  page.on('console', (m) => {
    if (m.type() === 'error') errors.push(`${label} console: ${m.text()}`);
  });
  return errors;
}

/** Sends `text` from one panel and checks that the other panel received exactly it. */
export async function chat(from, to, text) {
  await from.getByTestId('chat-input').fill(text);
  await from.getByTestId('chat-send').click();
  await expect(from.getByTestId('chat-sent').last().locator('.text')).toHaveText(text);
  await expect(to.getByTestId('chat-received').last().locator('.text')).toHaveText(text);
}
