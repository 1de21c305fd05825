// Ollama streams an answer as one JSON object a line. The client library drops a line that is not
// JSON after printing it raw on the terminal ("invalid json: …", escape codes included), so the
// answer silently lost that text. Here such a line fails the call instead, like a cut stream:
// the call is retried, and what the server sent reaches a message only escaped.
import { reasonLine } from '../core/printable';

/** Thrown into the stream (and so out of the client's iterator) on a line that is not JSON. */
export class NotJsonLineError extends Error {
  constructor(url: string, line: string) {
    super(`the stream from ${url} held a line that is not a JSON object (${line.length} characters: ${reasonLine(line, 80)}); the answer was not used`);
    this.name = 'NotJsonLineError';
  }
}

/** A fetch whose streamed answers (NDJSON) pass only lines that are JSON. */
export function strictStreamFetch(inner: typeof fetch, url: string): typeof fetch {
  return async (input, init) => {
    const res = await inner(input, init);
    if (!res.ok || !res.body || !isStream(res, init)) return res;
    return new Response(res.body.pipeThrough(jsonLines(url)), { status: res.status, statusText: res.statusText, headers: res.headers });
  };
}

function isStream(res: Response, init: RequestInit | undefined): boolean {
  if (res.headers.get('content-type')?.includes('ndjson')) return true;
  return typeof init?.body === 'string' && /"stream"\s*:\s*true/.test(init.body);
}

function jsonLines(url: string): TransformStream<Uint8Array, Uint8Array> {
  const decoder = new TextDecoder('utf-8');
  const encoder = new TextEncoder();
  let pending = '';
  let failed = false;
  /** The line if it is a JSON object (every line Ollama sends is one), else fails the stream. */
  const check = (line: string, controller: TransformStreamDefaultController<Uint8Array>): string | undefined => {
    if (failed || line.trim() === '') return undefined;
    let value: unknown;
    try {
      value = JSON.parse(line);
    } catch {
      value = undefined;
    }
    if (value === null || typeof value !== 'object' || Array.isArray(value)) {
      failed = true;
      controller.error(new NotJsonLineError(url, line));
      return undefined;
    }
    return line;
  };
  return new TransformStream({
    transform(chunk, controller) {
      const text = decoder.decode(chunk, { stream: true });
      // Search only the new text for line ends: a long line arriving in many chunks stays linear.
      // The lines of one chunk go on as one chunk: the client splits its whole buffer on every
      // chunk it gets, so a chunk per line made many short lines quadratic there.
      const good: string[] = [];
      let from = 0;
      for (let nl = text.indexOf('\n'); nl >= 0; nl = text.indexOf('\n', from)) {
        const line = check(pending + text.slice(from, nl), controller);
        if (line !== undefined) good.push(line);
        pending = '';
        from = nl + 1;
      }
      pending += text.slice(from);
      if (good.length > 0 && !failed) controller.enqueue(encoder.encode(`${good.join('\n')}\n`));
    },
    flush(controller) {
      const line = check(pending + decoder.decode(), controller);
      if (line !== undefined && !failed) controller.enqueue(encoder.encode(`${line}\n`));
    },
  });
}
