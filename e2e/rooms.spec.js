// The demo in room mode (web/?room=<name>): pages meet in a room of the demo server's WebSocket
// signaling (toolchain/signal-rooms.js) and connect. Each page has a browser context of its own,
// as two different browsers would (no BroadcastChannel, no shared storage). Chromium and Firefox,
// and one test with Chromium and Firefox in the same room (the project's browser joins first).
import { test, expect } from '@playwright/test';
import { startServer } from '../toolchain/serve.js';
import { launchOtherBrowser } from './support/cross-browser.js';
import { chat, collectErrors } from './support/demo-page.js';

const randomRoom = () => `e2e-${Math.random().toString(36).slice(2, 10)}`;

// One member: a page in a context of its own; `errors` collects what went wrong in it.
async function openMember(browser, url, label, contexts) {
  const context = await browser.newContext();
  contexts.push(context);
  const page = await context.newPage();
  const errors = collectErrors(page, label);
  if (url) await page.goto(url);
  return { page, panel: page.getByTestId('panel'), errors };
}

// The member's own id, once the server gave it one (the panel is named "<id> in room "<name>"").
async function joinedId(member, room) {
  const name = member.panel.getByTestId('peer-name');
  await expect(name).toContainText(`in room "${room}"`);
  return (await name.textContent()).split(' ')[0];
}

async function connected(...members) {
  for (const { panel } of members) await expect(panel.getByTestId('state')).toHaveText('connected', { timeout: 20_000 });
}

const closeAll = (contexts) => Promise.all(contexts.map((c) => c.close()));

test('room mode: two pages join through the form, connect and chat; a third is told the room is full', async ({ browser, baseURL }) => {
  const room = randomRoom();
  const contexts = [];
  try {
    // The first member comes in through the nav entry and the form.
    const a = await openMember(browser, new URL('/web/', baseURL).href, 'A', contexts);
    await a.page.getByTestId('mode-room').click();
    await expect(a.page.getByTestId('room-form')).toBeVisible();
    await expect(a.page.getByTestId('panel')).toHaveCount(0);
    await a.page.getByTestId('room-name').fill(room);
    await a.page.getByTestId('room-join').click();
    await expect(a.page).toHaveURL(new RegExp(`/web/\\?room=${room}$`));
    await expect(a.page.getByTestId('mode-room')).toHaveAttribute('aria-current', 'page');
    const idA = await joinedId(a, room);
    await expect(a.panel.getByTestId('status')).toHaveText(`waiting for another browser to join room "${room}"`);

    const url = new URL(`/web/?room=${room}`, baseURL).href;
    const b = await openMember(browser, url, 'B', contexts);
    const idB = await joinedId(b, room);
    await connected(a, b);
    // The member who was in the room first offers; each names the other.
    await expect(a.panel.getByTestId('peer-detail')).toHaveText(`paired with peer ${idB} · offerer (in the room first)`);
    await expect(b.panel.getByTestId('peer-detail')).toHaveText(`paired with peer ${idA} · answerer`);

    await chat(a.panel, b.panel, 'hello through the room');
    await chat(b.panel, a.panel, 'and back — from B ✓');

    const c = await openMember(browser, url, 'C', contexts);
    await expect(c.panel.getByTestId('status')).toHaveText(`room "${room}" already has two members`);
    await expect(c.panel.getByTestId('event-log').locator('li[data-event="signaling-error"]')).toContainText('room-full');
    await expect(c.panel.getByTestId('peer-detail')).toHaveText('not in the room · Reconnect tries again');
    await expect(c.panel.getByTestId('state')).toHaveText('new');
    // The two in the room did not notice.
    await chat(a.panel, b.panel, 'still here');
    expect([...a.errors, ...b.errors, ...c.errors]).toEqual([]);
  } finally {
    await closeAll(contexts);
  }
});

test('room mode: when a member leaves, the one who stays waits, pairs with the next as offerer, and connects', async ({ browser, baseURL }) => {
  const room = randomRoom();
  const url = new URL(`/web/?room=${room}`, baseURL).href;
  const contexts = [];
  try {
    const a = await openMember(browser, url, 'A', contexts);
    await joinedId(a, room);
    const b = await openMember(browser, url, 'B', contexts);
    const idB = await joinedId(b, room);
    await connected(a, b);

    await b.page.close();
    await expect(a.panel.getByTestId('chat-system').last()).toContainText(`disconnected from peer ${idB}`);
    await expect(a.panel.getByTestId('status')).toHaveText(`waiting for another browser to join room "${room}"`);

    const c = await openMember(browser, url, 'C', contexts);
    const idC = await joinedId(c, room);
    await connected(a, c);
    await expect(a.panel.getByTestId('peer-detail')).toHaveText(`paired with peer ${idC} · offerer (in the room first)`);
    await chat(c.panel, a.panel, 'the next member');
    expect([...a.errors, ...b.errors, ...c.errors]).toEqual([]);
  } finally {
    await closeAll(contexts);
  }
});

test('room mode: when the signaling server goes away the panel says so, the connection stays up, and the pages pair again once it is back', async ({ browser }) => {
  test.setTimeout(90_000);
  // A server of this test's own: the shared one must stay up for the other specs.
  let server = await startServer({ port: 0 });
  const { port } = server;
  const room = randomRoom();
  const url = `${server.url}web/?room=${room}`;
  const contexts = [];
  try {
    const a = await openMember(browser, url, 'A', contexts);
    await joinedId(a, room);
    const b = await openMember(browser, url, 'B', contexts);
    await joinedId(b, room);
    await connected(a, b);

    await server.close();
    server = null;
    for (const { panel } of [a, b]) {
      await expect(panel.getByTestId('status')).toContainText('the signaling server went away');
      await expect(panel.getByTestId('peer-name')).toHaveText(`Room "${room}"`); // no id until it joins again
      await expect(panel.getByTestId('chat-system').last()).toContainText('the signaling server went away; the connection to');
      await expect(panel.getByTestId('chat-system').last()).toContainText('stays up');
      await expect(panel.getByTestId('event-log').locator('li[data-event="signaling-error"]').first()).toContainText('trying again every 2 s');
      await expect(panel.getByTestId('event-log').locator('li[data-event="signaling"]', { hasText: 'next try in 2 s' }).first()).toBeVisible();
    }

    // The link between the pages does not need the server.
    await chat(a.panel, b.panel, 'during the outage');
    // Back on the same port: both retry, join as new members, and keep the link they have.
    server = await startServer({ port });
    for (const m of [a, b]) await joinedId(m, room);
    for (const { panel } of [a, b]) await expect(panel.getByTestId('status')).toHaveText('signaling is back; the connection stayed up');
    await connected(a, b);
    await chat(b.panel, a.panel, 'after the outage');
    expect([...a.errors, ...b.errors]).toEqual([]);
  } finally {
    await closeAll(contexts);
    await server?.close();
  }
});

test('room mode: a Chromium page and a Firefox page meet in a room and connect', async ({ page, baseURL, browserName }) => {
  const other = await launchOtherBrowser(browserName);
  const otherName = browserName === 'chromium' ? 'firefox' : 'chromium';
  try {
    const room = randomRoom();
    const url = new URL(`/web/?room=${room}`, baseURL).href;
    const a = { page, panel: page.getByTestId('panel'), errors: collectErrors(page, browserName) };
    await page.goto(url);
    const idA = await joinedId(a, room);
    const b = await openMember(other, url, otherName, []);
    await joinedId(b, room);
    await connected(a, b);
    await expect(b.panel.getByTestId('peer-detail')).toHaveText(`paired with peer ${idA} · answerer`);
    await chat(a.panel, b.panel, `hello ${otherName}, from ${browserName}`);
    await chat(b.panel, a.panel, `hello ${browserName}, ${otherName} here`);
    expect([...a.errors, ...b.errors]).toEqual([]);
  } finally {
    await other.close();
  }
});
