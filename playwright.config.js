// Playwright runs every e2e spec twice: in Debian's Chromium (/usr/bin/chromium) and in Debian's
// Firefox ESR (WebDriver BiDi); no browser download. Specs that pair the two browsers launch the
// other one themselves (e2e/support/cross-browser.js). Playwright is pinned to 1.64.1: 1.65 calls
// a BiDi command Firefox ESR 153 lacks (emulation.setMediaFeaturesOverride) and cannot open a
// context there.
//
// The static server (toolchain/serve.js) is started in-process by e2e/support/global-setup.js on
// a port picked here, at config load. The port goes into process.env.WRE_PORT so the worker
// processes, which load this file again and inherit the environment, compute the same baseURL.
// Set WRE_BASE_URL to test against a server you started yourself.
import { defineConfig } from '@playwright/test';
import { freeTcpPort } from './e2e/support/ports.js';

process.env.WRE_PORT ||= String(await freeTcpPort());
const baseURL = process.env.WRE_BASE_URL || `http://127.0.0.1:${process.env.WRE_PORT}/`;

export const chromiumLaunch = {
  executablePath: '/usr/bin/chromium',
  args: [
    '--no-sandbox',
    '--disable-gpu',
    '--disable-quic',
    '--no-first-run',
    '--disable-background-networking',
    '--disable-component-update',
    '--disable-sync',
  ],
};
// Firefox drops loopback ICE candidates unless told otherwise (all tests run on 127.0.0.1).
export const firefoxUse = {
  browserName: 'firefox',
  channel: 'moz-firefox',
  launchOptions: {
    executablePath: '/usr/bin/firefox-esr',
    firefoxUserPrefs: { 'media.peerconnection.ice.loopback': true },
  },
};

export default defineConfig({
  testDir: 'e2e',
  testMatch: '**/*.spec.js',
  outputDir: 'test-results',
  globalSetup: './e2e/support/global-setup.js',
  workers: 1, // 2-core machine: one browser at a time keeps WebRTC timings honest
  fullyParallel: false,
  timeout: 60_000,
  expect: { timeout: 10_000 },
  forbidOnly: !!process.env.CI,
  retries: process.env.CI ? 1 : 0,
  reporter: 'list',
  use: {
    browserName: 'chromium',
    baseURL,
    launchOptions: chromiumLaunch,
    trace: 'retain-on-failure',
    screenshot: 'only-on-failure',
  },
  projects: [
    { name: 'chromium' },
    { name: 'firefox', use: { ...firefoxUse } },
  ],
});
