// What an Ollama server says about a model's context (POST /api/show), asked once per server
// and model and kept for a while: a batch asks once, a long-lived worker notices a re-pulled model.
// Asked with node:http rather than fetch: `preview` and `validate` ask it too, and fetch's first
// use costs a command ~50 ms of start-up (undici). Model calls use the official client.
import * as http from 'node:http';
import { ModelContextFacts, contextLengthOf, parseModelfileNumCtx } from '../core/context-window';

const KEEP_MS = 10 * 60_000;
const known = new Map<string, { at: number; facts: Promise<ModelContextFacts> }>();

/** An HTTP error answer, shaped like the Ollama client's ResponseError (`status_code`, `error`). */
export class OllamaHttpError extends Error {
  override name = 'OllamaHttpError';
  constructor(
    readonly status_code: number,
    readonly error: string,
  ) {
    super(error);
  }
}

/** The model's facts; {} when the server does not say. Rejects when the model does not exist
 * (status 404) or the server cannot be reached, like a model call would. */
export function modelContextFacts(url: string, model: string, signal?: AbortSignal): Promise<ModelContextFacts> {
  const key = `${url}\n${model}`;
  const hit = known.get(key);
  if (hit && Date.now() - hit.at < KEEP_MS) return hit.facts;
  const facts = fetchFacts(url, model, signal);
  known.set(key, { at: Date.now(), facts });
  facts.catch(() => known.delete(key));
  return facts;
}

async function fetchFacts(url: string, model: string, signal?: AbortSignal): Promise<ModelContextFacts> {
  let show: { model_info?: Record<string, unknown>; parameters?: string; capabilities?: unknown };
  try {
    show = (await postJson(url, '/api/show', { model }, signal)) as typeof show;
  } catch (e) {
    // A missing model or an unreachable server is the caller's answer; any other refusal
    // (an Ollama-compatible server without /api/show) only means we do not know.
    if (!(e instanceof OllamaHttpError) || e.status_code === 404) throw e;
    return {};
  }
  const maxContext = contextLengthOf(show?.model_info);
  const modelfileNumCtx = parseModelfileNumCtx(show?.parameters);
  const thinks = Array.isArray(show?.capabilities) && show.capabilities.includes('thinking');
  return { ...(maxContext !== undefined ? { maxContext } : {}), ...(modelfileNumCtx !== undefined ? { modelfileNumCtx } : {}), ...(thinks ? { thinks } : {}) };
}

/** POST a JSON body, read a JSON answer. A non-2xx answer rejects with OllamaHttpError carrying
 * Ollama's `error` text (or the body, for a server that is not an Ollama); a network failure
 * rejects with the socket's error as `cause` (its `code`, e.g. ECONNREFUSED). */
function postJson(base: string, route: string, body: unknown, signal?: AbortSignal): Promise<unknown> {
  return new Promise((resolve, reject) => {
    let target: URL;
    try {
      target = new URL(route, base.endsWith('/') ? base : `${base}/`);
    } catch {
      return reject(new Error(`invalid Ollama URL ${JSON.stringify(base)}`));
    }
    const data = Buffer.from(JSON.stringify(body));
    // https (and with it tls) loads only for an https URL: most Ollamas are plain http on loopback.
    const request = target.protocol === 'https:' ? (require('node:https') as typeof import('node:https')).request : http.request;
    const req = request(target, { method: 'POST', headers: { 'content-type': 'application/json', 'content-length': data.length }, signal }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('error', reject);
      res.on('end', () => {
        const text = Buffer.concat(chunks).toString('utf8');
        const status = res.statusCode ?? 0;
        let json: unknown;
        try {
          json = JSON.parse(text);
        } catch {
          json = undefined;
        }
        if (status < 200 || status >= 300) {
          const said = (json as { error?: unknown } | undefined)?.error;
          return reject(new OllamaHttpError(status, typeof said === 'string' ? said : text.trim() || `HTTP ${status}`));
        }
        if (json === undefined) return reject(new Error(`${target.href} answered something other than JSON`));
        resolve(json);
      });
    });
    req.on('error', (e) => reject(signal?.aborted ? e : Object.assign(new Error(`request to ${target.origin} failed: ${e.message}`), { cause: e })));
    req.end(data);
  });
}

/** Forget what was learned (tests start servers with other models on reused ports). */
export function forgetModelFacts(): void {
  known.clear();
}
