// The health check before a run (SPEC §6): is Ollama there, and is the model pulled?
import { Ollama } from 'ollama';
import { quietErrorFetch } from '../ollama-api/error-fetch';
import { shownUrl, shownValue } from '../core/shown';

export type Health = { ok: true } | { ok: false; message: string };

export async function checkOllama(host: string, wantedModel: string, timeoutMs = 5000): Promise<Health> {
  // As shown in messages: no credentials, no escape codes.
  const [url, model] = [shownUrl(host), shownValue(wantedModel)];
  const client = new Ollama({ host, fetch: quietErrorFetch((input, init) => fetch(input, { ...init, signal: AbortSignal.timeout(timeoutMs) })) });
  let names: string[];
  try {
    names = (await client.list()).models.map((m) => m.name);
  } catch (e) {
    const status = (e as { status_code?: number }).status_code;
    if (status !== undefined) return { ok: false, message: `${url} answered HTTP ${status} (${shownValue((e as Error).message)}) where Ollama answers its model list; check [ollama] url / --url` };
    return { ok: false, message: `Ollama is not reachable at ${url} (${shownValue((e as Error).message)}); start it with "ollama serve", or set [ollama] url / --url` };
  }
  const wanted = wantedModel.includes(':') ? wantedModel : `${wantedModel}:latest`;
  if (!names.some((n) => n === wantedModel || n === wanted)) {
    return { ok: false, message: `model "${model}" is not pulled on ${url} (it has: ${names.map(shownValue).join(', ') || 'none'}); run: ollama pull ${model}` };
  }
  return { ok: true };
}
