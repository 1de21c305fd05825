// The Ollama behaviour worksplit relies on, asserted against a real Ollama 0.17.4 with a tiny
// random-weight model: context windows (num_ctx, truncation, shift, done_reason,
// prompt_eval_count), /api/show, model reloads, slots and the request queue. The Ollama-protocol
// test server (test/support/ollama-test-server.ts) must mirror each of these facts.
import { ChatRequest, ChatResponse, Ollama } from 'ollama';
import { RealOllama, startRealOllama } from '../support/real-ollama';

/** The tiny model's metadata (scripts/real-ollama/make-tiny-model.py). */
const MODEL_CONTEXT_LENGTH = 8192;
/** Ollama's num_ctx when neither request, Modelfile nor OLLAMA_CONTEXT_LENGTH sets one (no GPU). */
const DEFAULT_NUM_CTX = 4096;
const INPUT_TOO_LONG = 'the input length exceeds the context length';
const SERVER_BUSY = 'server busy, please try again.  maximum pending requests exceeded';
/** Every printable ASCII character as a stop sequence: the noise model's answer ends with
 * done_reason "stop" at its first printable character. */
const STOP_AT_ANY_PRINTABLE = Array.from({ length: 94 }, (_, i) => String.fromCharCode(33 + i));
/** The tiny vocabulary is one token per byte: this user message is ~300 tokens. */
const LONG_USER_MESSAGE = 'x'.repeat(300);

interface ChatBody {
  model: string;
  messages: { role: string; content: string }[];
  stream?: boolean;
  truncate?: boolean;
  shift?: boolean;
  options?: Record<string, unknown>;
}

function chatBody(model: string, options: Record<string, unknown>, extra: Partial<ChatBody> = {}): ChatBody {
  return {
    model,
    messages: [
      { role: 'system', content: 'You write code.' },
      { role: 'user', content: 'hello' },
    ],
    stream: false,
    options: { temperature: 0, seed: 1, ...options },
    ...extra,
  };
}

function postChat(url: string, body: ChatBody, signal?: AbortSignal): Promise<Response> {
  return fetch(`${url}/api/chat`, { method: 'POST', body: JSON.stringify(body), signal });
}

async function chatJson(url: string, body: ChatBody): Promise<ChatResponse> {
  const res = await postChat(url, { ...body, stream: false });
  if (res.status !== 200) throw new Error(`HTTP ${res.status}: ${await res.text()}`);
  return (await res.json()) as ChatResponse;
}

/** The num_ctx the loaded model runs with (/api/ps context_length). */
async function loadedContextLength(client: Ollama, model: string): Promise<number> {
  const ps = await client.ps();
  const loaded = ps.models.find((m) => m.name === `${model}:latest`);
  if (!loaded) throw new Error(`${model} is not loaded: ${JSON.stringify(ps.models)}`);
  return (loaded as unknown as { context_length: number }).context_length;
}

/** How many times a model runner process was started (each load or reload of a model). */
function modelLoads(ollama: RealOllama): number {
  return ollama.log().split('\n').filter((line) => line.includes('msg="starting runner"') && line.includes(' --model ')).length;
}

/** Tokens of a request that keeps its slot for a while (a second or more for the tiny model). */
const LONG_ANSWER_TOKENS = 4000;

/** A streaming chat that keeps its slot for a while; resolves once streaming began. Sampled
 * (temperature 1), so it never runs into Ollama's cut-off of an answer repeating one token. */
async function startLongStream(url: string, model: string): Promise<{ ended: Promise<ChatResponse>; abort(): void }> {
  const controller = new AbortController();
  const res = await postChat(url, chatBody(model, { num_ctx: 2048, num_predict: LONG_ANSWER_TOKENS, temperature: 1 }, { stream: true }), controller.signal);
  expect(res.status).toBe(200);
  const reader = res.body!.getReader();
  const decoder = new TextDecoder();
  let text = decoder.decode((await reader.read()).value, { stream: true });
  // Read on so the server is never held up by a full socket.
  const ended = (async () => {
    for (let chunk = await reader.read(); !chunk.done; chunk = await reader.read()) text += decoder.decode(chunk.value, { stream: true });
    return JSON.parse(text.trim().split('\n').at(-1)!) as ChatResponse;
  })();
  ended.catch(() => undefined); // aborted on purpose
  return { ended, abort: () => controller.abort() };
}

describe('Ollama 0.17.4 with default settings (one slot)', () => {
  let ollama: RealOllama;
  let client: Ollama;
  beforeAll(async () => {
    ollama = await startRealOllama();
    client = new Ollama({ host: ollama.url });
  });
  afterAll(() => ollama?.stop());

  test('/api/show: the maximum context is model_info["<arch>.context_length"]; parameters holds num_ctx only when the Modelfile sets it', async () => {
    const shown = await client.show({ model: ollama.model });
    // The client types model_info as a Map; it is the parsed JSON object.
    expect(shown.model_info).not.toBeInstanceOf(Map);
    const info = shown.model_info as unknown as Record<string, unknown>;
    expect(info['general.architecture']).toBe('llama');
    expect(info['llama.context_length']).toBe(MODEL_CONTEXT_LENGTH);
    expect(shown.parameters).not.toMatch(/num_ctx/);

    await client.create({ model: 'tiny-2k', from: ollama.model, parameters: { num_ctx: 2048 } });
    const withNumCtx = await client.show({ model: 'tiny-2k' });
    // parameters is Modelfile text: one "name<spaces>value" per line.
    expect(withNumCtx.parameters).toMatch(/^num_ctx\s+2048$/m);
    expect((withNumCtx.model_info as unknown as Record<string, unknown>)['llama.context_length']).toBe(MODEL_CONTEXT_LENGTH);
    // The Modelfile's num_ctx is what a request without options.num_ctx runs with.
    await chatJson(ollama.url, chatBody('tiny-2k', { num_predict: 1 }));
    expect(await loadedContextLength(client, 'tiny-2k')).toBe(2048);
  });

  test('num_ctx: the request option wins, capped at the model maximum; without it the default is 4096', async () => {
    await chatJson(ollama.url, chatBody(ollama.model, { num_predict: 1 }));
    expect(await loadedContextLength(client, ollama.model)).toBe(DEFAULT_NUM_CTX);
    await chatJson(ollama.url, chatBody(ollama.model, { num_ctx: 1024, num_predict: 1 }));
    expect(await loadedContextLength(client, ollama.model)).toBe(1024);
    await chatJson(ollama.url, chatBody(ollama.model, { num_ctx: 100_000, num_predict: 1 }));
    expect(await loadedContextLength(client, ollama.model)).toBe(MODEL_CONTEXT_LENGTH);
  });

  test('truncate:false refuses a prompt longer than num_ctx with HTTP 400 before any byte is streamed', async () => {
    const tooLong = chatBody(ollama.model, { num_ctx: 128, num_predict: 5 }, { truncate: false, shift: false });
    tooLong.messages[1].content = LONG_USER_MESSAGE;
    for (const stream of [false, true]) {
      const res = await postChat(ollama.url, { ...tooLong, stream });
      expect(res.status).toBe(400);
      expect(await res.json()).toEqual({ error: INPUT_TOO_LONG });
    }
    // The same prompt fits in the model's maximum: the 400 is about num_ctx, not the prompt.
    const fits = await chatJson(ollama.url, { ...tooLong, options: { ...tooLong.options, num_ctx: 1024 } });
    expect(fits.prompt_eval_count).toBeGreaterThan(300);
    // A num_ctx above the model's maximum is capped to it, so a longer prompt is refused too.
    const beyondModel = { ...tooLong, options: { ...tooLong.options, num_ctx: 100_000 } };
    beyondModel.messages = [{ role: 'user', content: 'x'.repeat(MODEL_CONTEXT_LENGTH + 100) }];
    const refused = await postChat(ollama.url, beyondModel);
    expect(refused.status).toBe(400);
    expect(await refused.json()).toEqual({ error: INPUT_TOO_LONG });
  });

  test('the ollama npm client sends truncate and shift as given and throws the 400 as a ResponseError', async () => {
    const sentBodies: Record<string, unknown>[] = [];
    const recording = new Ollama({
      host: ollama.url,
      fetch: (input, init) => {
        sentBodies.push(JSON.parse(String(init?.body)));
        return fetch(input, init);
      },
    });
    const tooLong = chatBody(ollama.model, { num_ctx: 128, num_predict: 5 }, { truncate: false, shift: false });
    tooLong.messages[1].content = LONG_USER_MESSAGE;
    // truncate and shift are not in the client's ChatRequest type; chat() posts the object as is.
    await expect(recording.chat({ ...tooLong, stream: true } as ChatRequest & { stream: true })).rejects.toMatchObject({
      name: 'ResponseError',
      status_code: 400,
      error: INPUT_TOO_LONG,
    });
    expect(sentBodies).toHaveLength(1);
    expect(sentBodies[0]).toMatchObject({ truncate: false, shift: false, stream: true, options: { num_ctx: 128 } });
  });

  test('without truncate:false a prompt longer than num_ctx is cut silently: prompt_eval_count is num_ctx and done_reason stays "stop"', async () => {
    const long = chatBody(ollama.model, { num_ctx: 1024, num_predict: 50, stop: STOP_AT_ANY_PRINTABLE });
    long.messages[1].content = LONG_USER_MESSAGE;
    const whole = await chatJson(ollama.url, long);
    expect(whole.prompt_eval_count).toBeGreaterThan(300);

    const cut = await chatJson(ollama.url, { ...long, options: { ...long.options, num_ctx: 128 } });
    expect(cut.prompt_eval_count).toBe(128);
    expect(cut.done_reason).toBe('stop');
    // Only the server's log says so: it keeps num_keep (4) tokens from the start and drops the
    // ones after them, i.e. the system prompt is what is lost.
    expect(ollama.log()).toContain(`msg="truncating input prompt" limit=128 prompt=${whole.prompt_eval_count} keep=4 new=128`);
  });

  test('shift:false ends an answer that reaches the end of the context with done_reason "length"; without it the answer goes on past num_ctx', async () => {
    const numCtx = 64;
    const stopped = await chatJson(ollama.url, chatBody(ollama.model, { num_ctx: numCtx, num_predict: 1000, temperature: 1 }, { shift: false }));
    expect(stopped.done_reason).toBe('length');
    expect(stopped.eval_count).toBeLessThan(1000);
    // The context holds the prompt and every answer token but the last one sampled.
    expect(stopped.prompt_eval_count + stopped.eval_count).toBe(numCtx + 1);

    // Streamed through the npm client (as worksplit calls it): the last chunk says the same.
    const stream = await client.chat({ ...chatBody(ollama.model, { num_ctx: numCtx, num_predict: 1000, temperature: 1 }, { shift: false }), stream: true } as ChatRequest & { stream: true });
    let last: ChatResponse | undefined;
    for await (const part of stream) last = part;
    expect(last).toMatchObject({ done: true, done_reason: 'length', eval_count: stopped.eval_count });

    // Shifting (the default) drops the start of the context to go on, here up to num_predict.
    const shifted = await chatJson(ollama.url, chatBody(ollama.model, { num_ctx: numCtx, num_predict: 100, temperature: 1 }));
    expect(shifted.done_reason).toBe('length');
    expect(shifted.eval_count).toBe(100);
    expect(shifted.prompt_eval_count + shifted.eval_count).toBeGreaterThan(numCtx + 1);
  });

  test('an answer repeating one token more than 30 times is cut off: HTTP 200 and the stream ends without a done line', async () => {
    // A negative frequency penalty favours the tokens already written: the model loops at once.
    const looping = chatBody(ollama.model, { num_ctx: 2048, num_predict: 2000, temperature: 0, frequency_penalty: -2 }, { stream: true });
    const streamed = await postChat(ollama.url, looping);
    expect(streamed.status).toBe(200);
    const lines = (await streamed.text()).trim().split('\n').map((l) => JSON.parse(l) as Partial<ChatResponse> & { error?: string });
    expect(lines.length).toBeLessThan(2000);
    expect(lines.filter((l) => l.done || l.error)).toEqual([]);
    expect(lines.slice(-31).map((l) => l.message!.content.trim())).toEqual(Array(31).fill(lines.at(-1)!.message!.content.trim()));

    const whole = await postChat(ollama.url, { ...looping, stream: false });
    expect(whole.status).toBe(200);
    // Not streamed: the text so far with done false and no done_reason or token counts.
    const body = (await whole.json()) as Record<string, unknown>;
    expect(body).toMatchObject({ done: false, message: { role: 'assistant' } });
    expect(Object.keys(body).sort()).toEqual(['created_at', 'done', 'message', 'model']);
  });

  test('a change of num_ctx reloads the model (a new runner, load_duration again); the same num_ctx reuses it', async () => {
    await chatJson(ollama.url, chatBody(ollama.model, { num_ctx: 256, num_predict: 1 }));
    const loadsAt256 = modelLoads(ollama);
    const reused = await chatJson(ollama.url, chatBody(ollama.model, { num_ctx: 256, num_predict: 1 }));
    expect(modelLoads(ollama)).toBe(loadsAt256);
    expect(await loadedContextLength(client, ollama.model)).toBe(256);

    const reloaded = await chatJson(ollama.url, chatBody(ollama.model, { num_ctx: 512, num_predict: 1 }));
    expect(modelLoads(ollama)).toBe(loadsAt256 + 1);
    expect(await loadedContextLength(client, ollama.model)).toBe(512);
    expect(reused.load_duration).toBeGreaterThan(0);
    expect(reloaded.load_duration).toBeGreaterThan(0);
  });
});

describe('Ollama 0.17.4 queueing: OLLAMA_NUM_PARALLEL=1, OLLAMA_MAX_QUEUE=1', () => {
  let ollama: RealOllama;
  beforeAll(async () => {
    ollama = await startRealOllama({ numParallel: 1, maxQueue: 1 });
  });
  afterAll(() => ollama?.stop());

  test('a second request gets no response headers, not a byte, until the first has finished', async () => {
    const events: string[] = [];
    const first = await startLongStream(ollama.url, ollama.model);
    const second = postChat(ollama.url, chatBody(ollama.model, { num_ctx: 2048, num_predict: 3 }, { stream: true })).then((res) => {
      events.push('second: headers');
      return res;
    });
    events.push('second: sent');
    const firstEnd = await first.ended;
    events.push('first: done');
    expect(firstEnd).toMatchObject({ done: true, done_reason: 'length', eval_count: LONG_ANSWER_TOKENS });

    const res = await second;
    expect(events).toEqual(['second: sent', 'first: done', 'second: headers']);
    expect(res.status).toBe(200);
    const last = JSON.parse((await res.text()).trim().split('\n').at(-1)!) as ChatResponse;
    expect(last).toMatchObject({ done: true, eval_count: 3 });
    // total_duration counts the wait for the slot; load_duration does not (the model was loaded).
    expect(last.total_duration).toBeGreaterThan(last.load_duration + last.prompt_eval_duration + last.eval_duration);
  });

  test('OLLAMA_MAX_QUEUE bounds only requests that need a model (re)load: past it they get HTTP 503 at once; requests for the loaded model wait without limit', async () => {
    const events: string[] = [];
    const answered = (name: string) => async (res: Response) => {
      events.push(`${name}: ${res.status}`);
      return { status: res.status, body: (await res.json()) as unknown };
    };
    const first = await startLongStream(ollama.url, ollama.model);
    // The loaded model's num_ctx: they wait for the slot, three of them though the queue holds one.
    const sameCtx = [1, 2, 3].map(() => postChat(ollama.url, chatBody(ollama.model, { num_ctx: 2048, num_predict: 2 })).then(answered('same num_ctx')));
    // Another num_ctx needs a reload once the slot is free: the scheduler takes one, the queue
    // holds the next, and the third is refused.
    const otherCtx = [1, 2, 3].map(() => postChat(ollama.url, chatBody(ollama.model, { num_ctx: 1024, num_predict: 2 })).then(answered('other num_ctx')));
    await first.ended;
    events.push('first: done');

    const same = await Promise.all(sameCtx);
    const other = await Promise.all(otherCtx);
    expect(same.map((r) => r.status)).toEqual([200, 200, 200]);
    expect(other.map((r) => r.status).sort()).toEqual([200, 200, 503]);
    expect(other.find((r) => r.status === 503)!.body).toEqual({ error: SERVER_BUSY });
    // Refused at once, while the first request still ran; all others answered after it.
    expect(events.slice(0, 2)).toEqual(['other num_ctx: 503', 'first: done']);
  });
});

describe('Ollama 0.17.4 with OLLAMA_NUM_PARALLEL=2 and OLLAMA_CONTEXT_LENGTH=2048', () => {
  let ollama: RealOllama;
  let client: Ollama;
  beforeAll(async () => {
    ollama = await startRealOllama({ numParallel: 2, contextLength: 2048 });
    client = new Ollama({ host: ollama.url });
  });
  afterAll(() => ollama?.stop());

  test('two requests run at once: the second is answered while the first still streams', async () => {
    const events: string[] = [];
    const first = await startLongStream(ollama.url, ollama.model);
    const firstEnded = first.ended.then(() => events.push('first: done'));
    const second = await chatJson(ollama.url, chatBody(ollama.model, { num_ctx: 2048, num_predict: 3 }));
    events.push('second: done');
    expect(second).toMatchObject({ done: true, eval_count: 3 });
    first.abort();
    await firstEnded.catch(() => undefined);
    expect(events[0]).toBe('second: done');
  });

  test('OLLAMA_CONTEXT_LENGTH is the num_ctx of a request that sets none', async () => {
    await chatJson(ollama.url, chatBody(ollama.model, { num_predict: 1 }));
    expect(await loadedContextLength(client, ollama.model)).toBe(2048);
  });
});
