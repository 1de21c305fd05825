// An Ollama-protocol server on loopback for tests, benchmarks, the offline demo and
// `worksplit test-server`: the real endpoints (/api/version, /api/tags, /api/show, /api/chat,
// /api/generate), NDJSON streaming with token counts, and scripted replies with latency, errors,
// hangs and cut streams. It records every request, how many were in flight at once, and which
// ones the client aborted.
//
// Where it matters to a batch it behaves like Ollama 0.17 (see OllamaLike for the source of each
// behaviour): a fixed number of slots with a FIFO queue that sends no byte while a request waits,
// 503 past the queue limit, model loads and reloads on a num_ctx change, a context window of
// num_ctx tokens that cuts long prompts from the front unless truncate is false, and answers
// that stop with done_reason "length" at the end of the context when shift is false.
import * as http from 'node:http';
import { DEFAULT_MODEL } from '../core/config';
import type { AddressInfo } from 'node:net';
import { passingVerdict } from './canned-replies';

export interface ChatMessage {
  role: string;
  content: string;
}

export interface RecordedRequest {
  seq: number;
  path: string;
  model: string;
  /** System + user text (chat) or the prompt (generate). */
  system: string;
  user: string;
  body: Record<string, unknown>;
  startedAt: number;
  endedAt?: number;
  /** The client closed the connection before the answer was complete. */
  aborted: boolean;
  completed: boolean;
  status: number;
  /** How many chat/generate requests were in flight when this one arrived (itself included). */
  inFlightAtStart: number;
  /** Time spent waiting for a slot and the model load, before the request ran (ms). */
  waitedMs?: number;
  /** The client gave up while the request waited for a slot or a load (no byte had been sent). */
  abortedWhileWaiting?: boolean;
  /** The context window the request ran with, and its prompt's tokens as the model saw them. */
  numCtx?: number;
  promptTokens?: number;
  /** The prompt was longer than num_ctx and lost its start (truncate was not false). */
  truncated?: boolean;
}

/**
 * Ollama's scheduling and context behaviour, from its source at v0.17.4:
 * - envconfig/config.go: OLLAMA_NUM_PARALLEL (default 1), OLLAMA_MAX_QUEUE (default 512),
 *   OLLAMA_CONTEXT_LENGTH (default 4096 below 24 GiB of VRAM).
 * - server/sched.go: requests beyond the slots wait in a FIFO queue; past OLLAMA_MAX_QUEUE
 *   requests that need the model (re)loaded, the handler answers 503 "server busy, please try
 *   again.  maximum pending requests exceeded" (requests for the loaded model wait in its runner
 *   without that limit); a runner loaded with another num_ctx is reloaded (needsReload) first.
 * - server/routes.go: headers and the first chunk go out only once the runner streams, so a
 *   waiting request gets no byte; num_ctx is the request's option, else the Modelfile's, else
 *   the default; /api/show reports model_info["<arch>.context_length"] and the parameters.
 * - runner/ollamarunner/runner.go: a prompt over num_ctx is cut from the front ("truncating input
 *   prompt"), or refused with "the input length exceeds the context length" when truncate is
 *   false; prompt_eval_count is the length the model read; with shift false an answer reaching
 *   the end of the context stops with done_reason "length", otherwise the context shifts.
 * Unset options leave the server unlimited and instant, as scripted tests want.
 */
export interface OllamaLike {
  numParallel?: number;
  maxQueue?: number;
  /** Time to load the model: on first use and on every num_ctx change (ms). */
  loadMs?: number;
  /** The model's trained context: model_info["llama.context_length"]; num_ctx is capped to it. */
  contextLength?: number;
  /** num_ctx when neither the request nor the Modelfile sets one (OLLAMA_CONTEXT_LENGTH). */
  defaultNumCtx?: number;
  /** num_ctx set by the model's Modelfile (shown in /api/show's parameters). */
  modelfileNumCtx?: number;
  /** Behave like a server that predates truncate/shift: ignore both (cut prompts, shift). */
  ignoresTruncate?: boolean;
  /** The stand-in tokenizer's characters per token (default 4); 1 makes text as dense as a
   * byte-level vocabulary, denser than any estimate worksplit makes. */
  charsPerToken?: number;
}

export interface Reply {
  /** The answer text. */
  content?: string;
  /** Streamed as `thinking` before the content (reasoning models). */
  thinking?: string;
  /** Wait before the response headers, ms. */
  latencyMs?: number;
  /** Delay between streamed chunks, ms. */
  tokenDelayMs?: number;
  /** How many chunks the content is streamed in (default: one per word). */
  chunks?: number;
  /** Answer with this HTTP error instead. */
  error?: { status: number; message: string };
  /** Never answer: 'headers' sends the headers and then nothing; 'silent' sends nothing at all. */
  hang?: 'headers' | 'silent';
  /** A line that is not JSON, sent in the stream after the first content chunk (a broken proxy,
   * a server that is not Ollama). */
  notJsonLine?: string;
  /** Destroy the connection after this many chunks (a stream cut mid-answer). */
  cutAfterChunks?: number;
  /** End the answer without its final done frame, as Ollama does when it stops a model that
   * repeats one token (llm/server.go): the stream just ends; a non-streamed answer says
   * done: false with no counts. */
  endWithoutDone?: boolean;
}

export type Responder = (req: RecordedRequest) => Reply | Promise<Reply>;

export interface OllamaTestServerOptions {
  models?: string[];
  respond?: Responder;
  ollama?: OllamaLike;
}

export class OllamaTestServer {
  readonly requests: RecordedRequest[] = [];
  inFlight = 0;
  maxInFlight = 0;
  models: string[];
  respond: Responder;
  ollama: OllamaLike;
  /** Requests running (holding a slot) now and at most. */
  running = 0;
  maxRunning = 0;
  /** Model loads so far, with the num_ctx of each. */
  readonly loads: number[] = [];
  private loadedNumCtx?: number;
  private readonly waiting: Array<() => void> = [];
  private waitingForLoad = 0;
  private server?: http.Server;
  private sockets = new Set<import('node:net').Socket>();
  private seq = 0;

  constructor(opts: OllamaTestServerOptions = {}) {
    this.models = opts.models ?? ['qwen-32k:latest', DEFAULT_MODEL];
    this.respond = opts.respond ?? ((req) => ({ content: passingVerdict(req) }));
    this.ollama = opts.ollama ?? {};
  }

  get url(): string {
    const a = this.server?.address() as AddressInfo | null;
    if (!a) throw new Error('server not started');
    return `http://127.0.0.1:${a.port}`;
  }

  async start(port = 0): Promise<this> {
    this.server = http.createServer((req, res) => void this.handle(req, res));
    this.server.on('connection', (s) => {
      this.sockets.add(s);
      s.on('close', () => this.sockets.delete(s));
    });
    await new Promise<void>((resolve) => this.server!.listen(port, '127.0.0.1', resolve));
    return this;
  }

  async stop(): Promise<void> {
    for (const s of this.sockets) s.destroy();
    await new Promise<void>((resolve) => (this.server ? this.server.close(() => resolve()) : resolve()));
  }

  /** Model calls (chat and generate) only. */
  calls(): RecordedRequest[] {
    return this.requests.filter((r) => r.path === '/api/chat' || r.path === '/api/generate');
  }

  resetStats(): void {
    this.requests.length = 0;
    this.maxInFlight = this.inFlight;
    this.maxRunning = this.running;
    this.loads.length = 0;
  }

  /** Unload the model, as Ollama does after OLLAMA_KEEP_ALIVE: the next request loads it again. */
  unloadModel(): void {
    this.loadedNumCtx = undefined;
  }

  /** Wait for a free slot (FIFO) without sending a byte. OLLAMA_MAX_QUEUE bounds only the
   * requests that need the model (re)loaded: those for the loaded model wait in its runner
   * without limit (observed on Ollama 0.17.4). */
  private async takeSlot(numCtx: number, closed: () => boolean): Promise<'ok' | 'busy' | 'gone'> {
    const slots = this.ollama.numParallel;
    if (slots === undefined) return 'ok';
    if (this.running >= slots) {
      const needsLoad = this.loadedNumCtx !== numCtx;
      if (needsLoad && this.waitingForLoad >= (this.ollama.maxQueue ?? 512)) return 'busy';
      if (needsLoad) this.waitingForLoad++;
      await new Promise<void>((resolve) => this.waiting.push(resolve));
      if (needsLoad) this.waitingForLoad--;
      if (closed()) {
        this.releaseSlot();
        return 'gone';
      }
    }
    this.running++;
    this.maxRunning = Math.max(this.maxRunning, this.running);
    return 'ok';
  }

  private releaseSlot(): void {
    if (this.ollama.numParallel === undefined) return;
    const next = this.waiting.shift();
    if (next) next();
  }

  private numCtxOf(body: Record<string, unknown>): number {
    const requested = (body.options as { num_ctx?: unknown } | undefined)?.num_ctx;
    const n = typeof requested === 'number' ? requested : (this.ollama.modelfileNumCtx ?? this.ollama.defaultNumCtx ?? 4096);
    return Math.min(n, this.ollama.contextLength ?? 32768);
  }

  private async handle(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://x');
    const body = await readBody(req);
    const json = (status: number, data: unknown) => {
      res.writeHead(status, { 'content-type': 'application/json' });
      res.end(JSON.stringify(data));
    };
    if (req.method === 'GET' && url.pathname === '/api/version') return json(200, { version: '0.12.0-test' });
    if (req.method === 'GET' && url.pathname === '/api/tags') {
      return json(200, { models: this.models.map((name) => ({ name, model: name, modified_at: new Date(0).toISOString(), size: 1, digest: 'test', details: {} })) });
    }
    if (req.method === 'POST' && url.pathname === '/api/show') {
      if (!this.models.includes(String(body.model))) return json(404, { error: `model '${body.model}' not found` });
      const o = this.ollama;
      return json(200, {
        modelfile: '',
        parameters: o.modelfileNumCtx ? `num_ctx                        ${o.modelfileNumCtx}` : '',
        template: '',
        details: { family: 'llama' },
        model_info: { 'general.architecture': 'llama', 'llama.context_length': o.contextLength ?? 32768 },
      });
    }
    if (req.method !== 'POST' || (url.pathname !== '/api/chat' && url.pathname !== '/api/generate')) return json(404, { error: 'not found' });
    await this.model(url.pathname, body, req, res);
  }

  private async model(path: string, body: Record<string, unknown>, req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    const messages = (body.messages as ChatMessage[] | undefined) ?? [];
    const rec: RecordedRequest = {
      seq: ++this.seq,
      path,
      model: String(body.model ?? ''),
      system: path === '/api/chat' ? messages.filter((m) => m.role === 'system').map((m) => m.content).join('\n') : String(body.system ?? ''),
      user: path === '/api/chat' ? messages.filter((m) => m.role === 'user').map((m) => m.content).join('\n') : String(body.prompt ?? ''),
      body,
      startedAt: Date.now(),
      aborted: false,
      completed: false,
      status: 200,
      inFlightAtStart: 0,
    };
    this.requests.push(rec);
    this.inFlight++;
    rec.inFlightAtStart = this.inFlight;
    this.maxInFlight = Math.max(this.maxInFlight, this.inFlight);
    let finished = false;
    let holdsSlot = false;
    let ran = false;
    const done = () => {
      if (finished) return;
      finished = true;
      this.inFlight--;
      rec.endedAt = Date.now();
      if (holdsSlot) {
        this.running--;
        this.releaseSlot();
      }
    };
    res.on('close', () => {
      if (!res.writableFinished) {
        rec.aborted = true;
        if (!ran) rec.abortedWhileWaiting = true;
      }
      done();
    });
    const error = (status: number, message: string) => {
      rec.status = status;
      res.writeHead(status, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ error: message }));
      rec.completed = true;
    };
    try {
      if (!this.models.includes(rec.model)) return error(404, `model "${rec.model}" not found, try pulling it first`);
      // sched.go: wait for a slot (no byte is sent meanwhile), or 503 when the queue is full.
      const numCtx = this.numCtxOf(body);
      rec.numCtx = numCtx;
      const slot = await this.takeSlot(numCtx, () => res.destroyed);
      if (slot === 'busy') return error(503, 'server busy, please try again.  maximum pending requests exceeded');
      if (slot === 'gone') return;
      holdsSlot = this.ollama.numParallel !== undefined;
      if (this.loadedNumCtx !== numCtx) {
        // sched.go: first use, or a runner loaded with another num_ctx, means a (re)load.
        this.loads.push(numCtx);
        if (this.ollama.loadMs) await sleep(this.ollama.loadMs);
        this.loadedNumCtx = numCtx;
      }
      rec.waitedMs = Date.now() - rec.startedAt;
      if (res.destroyed) return;
      ran = true;
      const honours = !this.ollama.ignoresTruncate;
      const cpt = this.ollama.charsPerToken ?? 4;
      const promptTokens = Math.ceil(rec.system.length / cpt) + Math.ceil(rec.user.length / cpt) + 8;
      if (promptTokens > numCtx) {
        if (honours && body.truncate === false) return error(400, 'the input length exceeds the context length');
        // runner.go: keep the end of the prompt; the system prompt and the start of the user
        // message are what the model never sees.
        const keepChars = (numCtx - 8) * cpt;
        const cutUser = rec.user.slice(Math.max(0, rec.user.length - keepChars));
        const leftForSystem = keepChars - cutUser.length;
        rec.system = leftForSystem > 0 ? rec.system.slice(rec.system.length - leftForSystem) : '';
        rec.user = cutUser;
        rec.truncated = true;
      }
      rec.promptTokens = Math.min(promptTokens, numCtx);
      const reply = await this.respond(rec);
      if (reply.latencyMs) await sleep(reply.latencyMs);
      if (res.destroyed) return;
      if (reply.hang === 'silent') return;
      if (reply.error) {
        rec.status = reply.error.status;
        res.writeHead(reply.error.status, { 'content-type': 'application/json' });
        res.end(JSON.stringify({ error: reply.error.message }));
        rec.completed = true;
        return;
      }
      const stream = body.stream !== false;
      res.writeHead(200, { 'content-type': stream ? 'application/x-ndjson' : 'application/json' });
      if (reply.hang === 'headers') {
        res.flushHeaders();
        return;
      }
      const content = reply.content ?? '';
      let pieces = split(content, reply.chunks);
      const thinking = reply.thinking ? split(reply.thinking) : [];
      const promptEval = rec.promptTokens;
      // runner.go: with shift false the answer ends where the context does.
      let doneReason = 'stop';
      const room = numCtx - promptEval - thinking.length;
      if (honours && body.shift === false && pieces.length > room) {
        pieces = pieces.slice(0, Math.max(0, room));
        doneReason = 'length';
      }
      // num_predict ends the answer, thinking included, with done_reason "length".
      const predict = (body.options as { num_predict?: unknown } | undefined)?.num_predict;
      if (typeof predict === 'number' && predict >= 0 && pieces.length + thinking.length > predict) {
        pieces = pieces.slice(0, Math.max(0, predict - thinking.length));
        doneReason = 'length';
      }
      const key = path === '/api/chat' ? 'chat' : 'generate';
      const frame = (text: string, think: string, isDone: boolean) => {
        const base: Record<string, unknown> = { model: rec.model, created_at: new Date().toISOString(), done: isDone };
        if (key === 'chat') base.message = { role: 'assistant', content: text, ...(think ? { thinking: think } : {}) };
        else Object.assign(base, { response: text, ...(think ? { thinking: think } : {}) });
        if (isDone) {
          Object.assign(base, {
            done_reason: doneReason,
            total_duration: (Date.now() - rec.startedAt) * 1e6,
            load_duration: 0,
            prompt_eval_count: promptEval,
            prompt_eval_duration: 1e6,
            eval_count: pieces.length + thinking.length,
            eval_duration: 1e6,
          });
        }
        return `${JSON.stringify(base)}\n`;
      };
      if (!stream) {
        if (reply.tokenDelayMs) await sleep(reply.tokenDelayMs * (pieces.length + thinking.length));
        if (res.destroyed) return;
        if (reply.endWithoutDone) res.end(frame(pieces.join(''), reply.thinking ?? '', false).trim());
        else res.end(frame(pieces.join(''), reply.thinking ?? '', true).trim());
        rec.completed = true;
        return;
      }
      let sent = 0;
      for (const t of thinking) {
        if (res.destroyed) return;
        res.write(frame('', t, false));
        if (reply.tokenDelayMs) await sleep(reply.tokenDelayMs);
      }
      for (const p of pieces) {
        if (res.destroyed) return;
        if (reply.cutAfterChunks !== undefined && sent >= reply.cutAfterChunks) {
          res.destroy();
          return;
        }
        res.write(frame(p, '', false));
        if (sent === 0 && reply.notJsonLine !== undefined) res.write(`${reply.notJsonLine}\n`);
        sent++;
        if (reply.tokenDelayMs) await sleep(reply.tokenDelayMs);
      }
      if (res.destroyed) return;
      res.end(reply.endWithoutDone ? undefined : frame('', '', true));
      rec.completed = true;
    } catch (e) {
      if (!res.headersSent) {
        res.writeHead(500, { 'content-type': 'application/json' });
        res.end(JSON.stringify({ error: `test server responder failed: ${(e as Error).message}` }));
      } else res.destroy();
    }
  }
}

function split(text: string, chunks?: number): string[] {
  if (text === '') return [];
  if (chunks && chunks > 0) {
    const size = Math.ceil(text.length / chunks);
    const out: string[] = [];
    for (let i = 0; i < text.length; i += size) out.push(text.slice(i, i + size));
    return out;
  }
  return text.match(/\S+\s*|\s+/g) ?? [text];
}

function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}

async function readBody(req: http.IncomingMessage): Promise<Record<string, unknown>> {
  const parts: Buffer[] = [];
  for await (const c of req) parts.push(c as Buffer);
  const text = Buffer.concat(parts).toString('utf8');
  if (!text) return {};
  try {
    return JSON.parse(text) as Record<string, unknown>;
  } catch {
    return {};
  }
}
