// What an Ollama server says about a model's context (POST /api/show), asked once per server
// and model and kept for a while: a batch asks once, a long-lived worker notices a re-pulled model.
import { Ollama } from 'ollama';
import { quietErrorFetch } from './ollama-fetch';
import { ModelContextFacts, contextLengthOf, parseModelfileNumCtx } from '../core/context-window';

const KEEP_MS = 10 * 60_000;
const known = new Map<string, { at: number; facts: Promise<ModelContextFacts> }>();

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
  const client = new Ollama({ host: url, fetch: quietErrorFetch((input, init) => fetch(input, { ...init, ...(signal ? { signal } : {}) })) });
  try {
    const show = await client.show({ model });
    const maxContext = contextLengthOf(show.model_info as unknown as Record<string, unknown> | undefined);
    const modelfileNumCtx = parseModelfileNumCtx(show.parameters);
    return { ...(maxContext !== undefined ? { maxContext } : {}), ...(modelfileNumCtx !== undefined ? { modelfileNumCtx } : {}) };
  } catch (e) {
    const status = (e as { status_code?: number }).status_code;
    // A missing model or an unreachable server is the caller's answer; any other refusal
    // (an Ollama-compatible server without /api/show) only means we do not know.
    if (status === 404 || status === undefined) throw e;
    return {};
  }
}

/** Forget what was learned (tests start servers with other models on reused ports). */
export function forgetModelFacts(): void {
  known.clear();
}
