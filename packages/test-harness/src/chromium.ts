/**
 * How tests and the bench launch Debian's Chromium through playwright-core (which cannot download a
 * browser here): headless, and without the background traffic that a machine with no internet
 * access refuses, many connections at a time. `CHROMIUM_BIN` points at another binary.
 */
export const chromiumLaunchOptions = () => ({
  executablePath: process.env.CHROMIUM_BIN ?? '/usr/bin/chromium',
  headless: true,
  args: [
    '--no-sandbox',
    '--disable-gpu',
    '--disable-background-networking',
    '--disable-component-update',
    '--disable-sync',
    '--no-first-run',
  ],
});
