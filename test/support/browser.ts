// The Web UI test's browser comes from npm: @sparticuz/chromium ships a headless Chromium for
// Linux (x64 and arm64) inside its package, so `npm install && npm test` needs no apt and no
// download. On other systems (macOS) its binary cannot run: set WORKSPLIT_CHROMIUM to a Chrome or
// Chromium, or the test uses Google Chrome from its standard macOS place.
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { chromium, Browser } from 'playwright-core';

const MACOS_CHROME = '/Applications/Google Chrome.app/Contents/MacOS/Google Chrome';

/** @sparticuz/chromium is ESM-only and jest runs CommonJS, so a child node asks it for the path
 * (it unpacks the binary into the temp folder on first use) and the flags it needs. */
function npmChromium(): { executablePath: string; args: string[] } {
  const script = "import c from '@sparticuz/chromium'; process.stdout.write(JSON.stringify({ executablePath: await c.executablePath(), args: c.args }));";
  return JSON.parse(execFileSync(process.execPath, ['--input-type=module', '-e', script], { cwd: __dirname, encoding: 'utf8' }));
}

function otherChromium(): { executablePath: string; args: string[] } {
  const executablePath = process.env.WORKSPLIT_CHROMIUM || (process.platform === 'darwin' && existsSync(MACOS_CHROME) ? MACOS_CHROME : '');
  if (!executablePath) {
    throw new Error(`@sparticuz/chromium ships a Linux binary only; on ${process.platform} set WORKSPLIT_CHROMIUM to a Chrome or Chromium executable`);
  }
  return { executablePath, args: ['--no-first-run', '--disable-background-networking', '--disable-sync'] };
}

export async function launchChromium(): Promise<Browser> {
  const { executablePath, args } = process.env.WORKSPLIT_CHROMIUM || process.platform !== 'linux' ? otherChromium() : npmChromium();
  return chromium.launch({ executablePath, args, headless: true });
}
