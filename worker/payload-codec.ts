// Payloads are private and authenticated with the project's key (issue 24): every payload a
// worker or client of the project sends (workflow inputs, prompts, answers, results, heartbeat
// details, failure messages, memos, summaries) is sealed with AES-256-GCM before it reaches the
// Temporal server, as Temporal deployments protect data with a payload codec. The server, its
// database, the Web UI and any other worker see only ciphertext; a worker without the key reads
// nothing, and nothing it returns opens with the key (the GCM tag authenticates every payload).
//
// The codec runs outside the workflow sandbox (the worker's and client's data converter); workflow
// code sees decoded values, and a payload the key does not open as a marked value
// (core/payload-marks.ts), on which it calls again.
import { createCipheriv, createDecipheriv, createHash, randomBytes } from 'node:crypto';
import type { Payload, PayloadCodec } from '@temporalio/common';
import { FORGED_FIELD, FORGED_MARK } from '../core/payload-marks';

export const ENCRYPTED_ENCODING = 'binary/encrypted';
export const KEY_ID_METADATA = 'encryption-key-id';
export const KEY_BYTES = 32;
const IV_BYTES = 12;
const TAG_BYTES = 16;

const text = (s: string) => new TextEncoder().encode(s);
const str = (b: Uint8Array | null | undefined) => (b ? Buffer.from(b).toString('utf8') : '');

/** The key's public name, in every payload's metadata: which key a payload needs (a wrong key is
 * named as such), without saying anything about the key. */
export function keyId(key: Uint8Array): string {
  return createHash('sha256').update('worksplit payload key id\0').update(key).digest('hex').slice(0, 16);
}

export class PayloadNotAuthentic extends Error {
  constructor(readonly reason: string) {
    super(`a payload not sealed with this project's key (${reason}): it was not made by this project's workers or client`);
    this.name = 'PayloadNotAuthentic';
  }
}

export interface CodecOptions {
  /** What a payload the key does not open becomes. 'mark' (workers): a marked value workflow code
   * recognises, since a workflow activation that fails to decode is retried for ever. 'throw'
   * (clients): an error naming it, except that a client reads a payload that is not encrypted at
   * all as it is, so `status` and `cancel all` still reach a batch an older version started
   * (`run` refuses to take part in one: client/sealed-batch.ts). */
  onForged: 'mark' | 'throw';
}

export class AesGcmPayloadCodec implements PayloadCodec {
  readonly keyId: string;
  private readonly aad: Uint8Array;

  constructor(private readonly key: Uint8Array, private readonly opts: CodecOptions) {
    if (key.length !== KEY_BYTES) throw new Error(`a payload key is ${KEY_BYTES} bytes (got ${key.length})`);
    this.keyId = keyId(key);
    this.aad = text(`worksplit payload ${this.keyId}`);
  }

  async encode(payloads: Payload[]): Promise<Payload[]> {
    return payloads.map((p) => this.seal(p));
  }

  async decode(payloads: Payload[]): Promise<Payload[]> {
    return payloads.map((p) => this.open(p));
  }

  seal(p: Payload): Payload {
    const iv = randomBytes(IV_BYTES);
    const cipher = createCipheriv('aes-256-gcm', this.key, iv);
    cipher.setAAD(this.aad);
    const body = cipher.update(serialize(p));
    const rest = cipher.final();
    return {
      metadata: { encoding: text(ENCRYPTED_ENCODING), [KEY_ID_METADATA]: text(this.keyId) },
      data: Buffer.concat([iv, body, rest, cipher.getAuthTag()]),
    };
  }

  open(p: Payload): Payload {
    if (this.opts.onForged === 'throw' && str(p.metadata?.encoding) !== ENCRYPTED_ENCODING) return p;
    const why = this.problem(p);
    if (why !== undefined) return this.forged(why);
    try {
      return this.decrypt(p);
    } catch {
      return this.forged("its authentication tag does not match this project's key");
    }
  }

  /** The payload opened, or as it is when the key does not open it (for display: the Web UI's
   * codec endpoint, client/ui-front.ts). */
  openOrKeep(p: Payload): Payload {
    if (this.problem(p) !== undefined) return p;
    try {
      return this.decrypt(p);
    } catch {
      return p;
    }
  }

  private decrypt(p: Payload): Payload {
    const data = Buffer.from(p.data!);
    const decipher = createDecipheriv('aes-256-gcm', this.key, data.subarray(0, IV_BYTES));
    decipher.setAAD(this.aad);
    decipher.setAuthTag(data.subarray(data.length - TAG_BYTES));
    return deserialize(Buffer.concat([decipher.update(data.subarray(IV_BYTES, data.length - TAG_BYTES)), decipher.final()]));
  }

  private problem(p: Payload): string | undefined {
    const encoding = str(p.metadata?.encoding);
    if (encoding !== ENCRYPTED_ENCODING) return `not encrypted (encoding ${JSON.stringify(encoding.slice(0, 40))})`;
    const id = str(p.metadata?.[KEY_ID_METADATA]);
    if (id !== this.keyId) return `sealed with another key (${id.slice(0, 40) || 'none named'}; this project's is ${this.keyId})`;
    if (!p.data || p.data.length < IV_BYTES + TAG_BYTES) return 'too short to be sealed';
    return undefined;
  }

  private forged(reason: string): Payload {
    if (this.opts.onForged === 'throw') throw new PayloadNotAuthentic(reason);
    return { metadata: { encoding: text('json/plain'), [FORGED_MARK]: text('1') }, data: text(JSON.stringify({ [FORGED_FIELD]: reason })) };
  }
}

// A payload as bytes: its metadata and data, in JSON (both are bytes, so base64).
function serialize(p: Payload): Buffer {
  const m: Record<string, string> = {};
  for (const [k, v] of Object.entries(p.metadata ?? {})) if (v) m[k] = Buffer.from(v).toString('base64');
  return Buffer.from(JSON.stringify({ m, d: p.data ? Buffer.from(p.data).toString('base64') : null }), 'utf8');
}

function deserialize(b: Buffer): Payload {
  const { m, d } = JSON.parse(b.toString('utf8')) as { m: Record<string, string>; d: string | null };
  const metadata: Record<string, Uint8Array> = {};
  for (const [k, v] of Object.entries(m)) metadata[k] = Buffer.from(v, 'base64');
  return { metadata, ...(d !== null ? { data: Buffer.from(d, 'base64') } : {}) };
}

export const FAILURE_CONVERTER_PATH = require.resolve('../core/failure-converter');

/** The data converter of every worker and client of the project; 'plain' (tests of workflow logic,
 * benchmarks) keeps payloads as they are but failures shaped the same way. */
export function sealedDataConverter(codec: PayloadCodec | 'plain') {
  return { ...(codec === 'plain' ? {} : { payloadCodecs: [codec] }), failureConverterPath: FAILURE_CONVERTER_PATH };
}
