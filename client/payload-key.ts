// The project's payload key (worker/payload-codec.ts): 32 random bytes, base64 in
// .worksplit/payload.key (0600 in a 0700 folder), made on first use. An LLM worker on another
// machine is handed it explicitly: `worksplit worker --llm-only --key-file FILE`, or the key's
// base64 text in WORKSPLIT_PAYLOAD_KEY (docs/workers.md).
import { randomBytes } from 'node:crypto';
import { constants, promises as fs } from 'node:fs';
import * as path from 'node:path';
import { AesGcmPayloadCodec, KEY_BYTES, type CodecOptions } from '../worker/payload-codec';
import { STATE_DIR_MODE, STATE_FILE_MODE, secureStateDir } from './dev-server';
import { UsageError } from './output';

export const KEY_FILE = path.join('.worksplit', 'payload.key');
export const KEY_ENV = 'WORKSPLIT_PAYLOAD_KEY';

export interface KeySource {
  /** --key-file: a file holding the key (as .worksplit/payload.key does). */
  keyFile?: string;
  env?: NodeJS.ProcessEnv;
}

function parseKey(text: string, from: string): Buffer {
  const t = text.trim();
  const key = /^[A-Za-z0-9+/]+={0,2}$/.test(t) ? Buffer.from(t, 'base64') : Buffer.alloc(0);
  if (key.length !== KEY_BYTES) throw new UsageError(`${from} does not hold a payload key (${KEY_BYTES} bytes in base64, as .worksplit/payload.key has it)`);
  return key;
}

/** The key this process seals payloads with: --key-file, else WORKSPLIT_PAYLOAD_KEY, else the
 * project's own file (made when `create` and there is none). Undefined only without `create` when
 * no key is anywhere. */
export async function payloadKey(root: string, opts: KeySource & { create: boolean }): Promise<Buffer | undefined> {
  if (opts.keyFile) {
    const text = await fs.readFile(opts.keyFile, 'utf8').catch((e: NodeJS.ErrnoException) => {
      throw new UsageError(`--key-file ${opts.keyFile}: ${e.code === 'ENOENT' ? 'no such file' : e.message}`);
    });
    return parseKey(text, `--key-file ${opts.keyFile}`);
  }
  const env = (opts.env ?? process.env)[KEY_ENV];
  if (env) return parseKey(env, KEY_ENV);
  const file = path.join(root, KEY_FILE);
  const existing = await readOwnKey(file);
  if (existing || !opts.create) return existing;
  await secureStateDir(root);
  const key = randomBytes(KEY_BYTES);
  try {
    // O_EXCL: two processes starting at once agree on the first one's key.
    const h = await fs.open(file, constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL | (constants.O_NOFOLLOW ?? 0), STATE_FILE_MODE);
    try {
      await h.chmod(STATE_FILE_MODE);
      await h.writeFile(`${key.toString('base64')}\n`);
      await h.sync();
    } finally {
      await h.close();
    }
    return key;
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
    // The other process may still be writing it.
    for (let i = 0; i < 50; i++) {
      const k = await readOwnKey(file).catch(() => undefined);
      if (k) return k;
      await new Promise((r) => setTimeout(r, 20));
    }
    return (await readOwnKey(file))!;
  }
}

async function readOwnKey(file: string): Promise<Buffer | undefined> {
  const st = await fs.lstat(file).catch(() => undefined);
  if (!st) return undefined;
  if (!st.isFile()) throw new UsageError(`${KEY_FILE} is not a regular file; the payload key must be this project's own: remove it`);
  // Narrowed like the rest of .worksplit/ (a copy may have come with wider permissions).
  if ((st.mode & 0o077) !== 0) await fs.chmod(file, STATE_FILE_MODE);
  const dir = path.dirname(file);
  const d = await fs.stat(dir);
  if ((d.mode & 0o777) !== STATE_DIR_MODE) await fs.chmod(dir, STATE_DIR_MODE);
  return parseKey(await fs.readFile(file, 'utf8'), KEY_FILE);
}

export async function payloadCodec(root: string, opts: KeySource & CodecOptions): Promise<AesGcmPayloadCodec> {
  return new AesGcmPayloadCodec((await payloadKey(root, { ...opts, create: true }))!, { onForged: opts.onForged });
}
