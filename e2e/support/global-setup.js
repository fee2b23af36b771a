// Playwright globalSetup: serves the repository root for the e2e specs on the port that
// playwright.config.js picked (WRE_PORT) and publishes the URL as WRE_BASE_URL (also the
// config's baseURL, so specs can simply `page.goto('/web/')`). Returns the teardown.
import { startServer } from '../../toolchain/serve.js';

export default async function globalSetup() {
  if (process.env.WRE_BASE_URL) return undefined; // a server the caller started
  const { url, close } = await startServer({ port: Number(process.env.WRE_PORT) || 0 });
  process.env.WRE_BASE_URL = url;
  return async () => {
    await close();
  };
}
