// Helpers for the specs that drive the demo (web/) as a user would: e2e/demo.spec.js and
// e2e/rooms.spec.js.
import { expect } from '@playwright/test';

// A WebSocket that cannot connect (the demo retrying while the signaling server is down) is
// reported by the browser itself: by Firefox as a page error, by Chromium as a console error. It
// is no error of the page's code (the demo says so in its panel, which the tests check).
const BROWSER_NOTICE = /^Firefox can’t establish a connection to the server at ws:/;
const CHROMIUM_NOTICE = /^WebSocket connection to 'ws:\/\/[^']+' failed: Error in connection establishment: net::ERR_CONNECTION_REFUSED$/;

/** Uncaught page errors and console errors, so a broken demo cannot pass quietly. */
export function collectErrors(page, label) {
  const errors = [];
  page.on('pageerror', (e) => BROWSER_NOTICE.test(e.message) || errors.push(`${label}: ${e.message}`));
  page.on('console', (m) => {
    if (m.type() === 'error' && !CHROMIUM_NOTICE.test(m.text())) errors.push(`${label} console: ${m.text()}`);
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
