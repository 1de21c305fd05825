// The Web UI's front door and codec endpoint (issue 24): payloads are sealed with the project's
// key, so the Temporal Web UI shows them readable only through a codec endpoint
// (`temporal server start-dev --ui-codec-endpoint`) that holds the key. Any local user can load
// the UI (it listens on loopback) and the UI hands every visitor the endpoint's address (its
// /api/v1/settings), so the address cannot be the secret, and the UI's own request to it carries
// no credentials across origins. This process therefore serves the UI on its own loopback port,
// passing every request through to the dev server's UI, and answers the codec endpoint on the same
// origin, where the browser does send its cookies: only a browser that has visited
// /worksplit-login/<token> (the token is in .worksplit/ui.token, 0600; `worksplit ui` prints the
// address) holds the cookie the endpoint requires.
//
// Started detached beside the dev server (client/dev-server.ts) and ends with it:
//   node ui-front.js <project root> <port> <ui port> <server pid>
import { randomBytes, timingSafeEqual } from 'node:crypto';
import { constants, promises as fs } from 'node:fs';
import * as http from 'node:http';
import * as path from 'node:path';
import type { Payload } from '@temporalio/common';
import { AesGcmPayloadCodec } from '../worker/payload-codec';
import { CODEC_PATH } from './dev-server';
import { payloadKey } from './payload-key';

export const TOKEN_FILE = path.join('.worksplit', 'ui.token');
export const LOGIN_PATH = '/worksplit-login/';

/** The project's Web UI token: made on first use, 0600 in the 0700 .worksplit/. */
export async function uiToken(root: string): Promise<string> {
  const file = path.join(root, TOKEN_FILE);
  try {
    const h = await fs.open(file, constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL | (constants.O_NOFOLLOW ?? 0), 0o600);
    try {
      await h.writeFile(`${randomBytes(32).toString('hex')}\n`);
      await h.sync();
    } finally {
      await h.close();
    }
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
  }
  for (let i = 0; i < 50; i++) {
    const token = (await fs.readFile(file, 'utf8')).trim();
    if (/^[0-9a-f]{64}$/.test(token)) return token;
    await new Promise((r) => setTimeout(r, 20));
  }
  throw new Error(`${TOKEN_FILE} does not hold a token: remove it`);
}

/** The address that lets this browser read the project's payloads in the Web UI, then shows `to`. */
export function loginUrl(uiUrl: string, token: string, to = '/'): string {
  return `${uiUrl.replace(/\/$/, '')}${LOGIN_PATH}${token}?to=${encodeURIComponent(to)}`;
}

const cookieName = (keyId: string) => `worksplit-ui-${keyId}`;

function equal(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}

function cookies(req: http.IncomingMessage): Record<string, string> {
  const out: Record<string, string> = {};
  for (const part of (req.headers.cookie ?? '').split(';')) {
    const i = part.indexOf('=');
    if (i > 0) out[part.slice(0, i).trim()] = part.slice(i + 1).trim();
  }
  return out;
}

interface JsonPayload {
  metadata?: Record<string, string>;
  data?: string;
}

const fromJson = (p: JsonPayload): Payload => ({
  metadata: Object.fromEntries(Object.entries(p.metadata ?? {}).map(([k, v]) => [k, Buffer.from(v, 'base64')])),
  ...(p.data !== undefined ? { data: Buffer.from(p.data, 'base64') } : {}),
});

const toJson = (p: Payload): JsonPayload => ({
  metadata: Object.fromEntries(Object.entries(p.metadata ?? {}).map(([k, v]) => [k, Buffer.from(v ?? []).toString('base64')])),
  ...(p.data ? { data: Buffer.from(p.data).toString('base64') } : {}),
});

async function body(req: http.IncomingMessage, limit = 64 * 1024 * 1024): Promise<string> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const c of req) {
    size += (c as Buffer).length;
    if (size > limit) throw new Error('request too large');
    chunks.push(c as Buffer);
  }
  return Buffer.concat(chunks).toString('utf8');
}

export function createUiFront(opts: { codec: AesGcmPayloadCodec; token: string; uiPort: number }): http.Server {
  const { codec, token, uiPort } = opts;
  const cookie = cookieName(codec.keyId);
  return http.createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    if (url.pathname.startsWith(LOGIN_PATH)) {
      if (!equal(url.pathname.slice(LOGIN_PATH.length), token)) {
        res.writeHead(403, { 'content-type': 'text/plain' }).end('wrong token\n');
        return;
      }
      const to = url.searchParams.get('to') ?? '/';
      const safe = to.startsWith('/') && !to.startsWith('//') ? to : '/';
      res.writeHead(302, { location: safe, 'set-cookie': `${cookie}=${token}; HttpOnly; SameSite=Strict; Path=/`, 'cache-control': 'no-store' }).end();
      return;
    }
    if (url.pathname === `${CODEC_PATH}/decode` || url.pathname === `${CODEC_PATH}/encode`) {
      void (async () => {
        if (req.method !== 'POST') return res.writeHead(405).end();
        const given = cookies(req)[cookie];
        if (!given || !equal(given, token)) {
          res.writeHead(403, { 'content-type': 'text/plain' }).end("this codec endpoint reads the project's payloads only for its owner's browser: open the address `worksplit ui` prints\n");
          return;
        }
        try {
          const { payloads } = JSON.parse(await body(req)) as { payloads: JsonPayload[] };
          const list = payloads.map(fromJson);
          // Decoding shows what opens with the key; anything else (a stranger's payload, one from
          // before the key) is shown as it is.
          const out = url.pathname.endsWith('/decode') ? list.map((p) => codec.openOrKeep(p)) : await codec.encode(list);
          res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ payloads: out.map(toJson) }));
        } catch (e) {
          res.writeHead(400, { 'content-type': 'text/plain' }).end(`${(e as Error).message}\n`);
        }
      })();
      return;
    }
    // Everything else is the Temporal Web UI's.
    const upstream = http.request({ host: '127.0.0.1', port: uiPort, method: req.method, path: req.url, headers: { ...req.headers, host: `127.0.0.1:${uiPort}` } }, (up) => {
      res.writeHead(up.statusCode ?? 502, up.headers);
      up.pipe(res);
    });
    upstream.on('error', () => {
      if (!res.headersSent) res.writeHead(502, { 'content-type': 'text/plain' });
      res.end('the Temporal Web UI does not answer\n');
    });
    req.pipe(upstream);
  });
}

async function main(argv: string[]): Promise<void> {
  const [root, port, uiPort, serverPid] = [argv[0], Number(argv[1]), Number(argv[2]), Number(argv[3])];
  const key = await payloadKey(root, { create: true });
  const codec = new AesGcmPayloadCodec(key!, { onForged: 'throw' });
  const token = await uiToken(root);
  const server = createUiFront({ codec, token, uiPort });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () => resolve());
  });
  // Ends with the dev server it fronts.
  setInterval(() => {
    try {
      process.kill(serverPid, 0);
    } catch {
      process.exit(0);
    }
  }, 1000);
}

if (require.main === module) {
  main(process.argv.slice(2)).catch((e) => {
    process.stderr.write(`worksplit ui front: ${(e as Error).message}\n`);
    process.exit(1);
  });
}
