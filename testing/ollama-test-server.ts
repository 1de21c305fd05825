// An Ollama-protocol server on loopback for tests, benchmarks, the offline demo and
// `worksplit test-server`: the real endpoints (/api/version, /api/tags, /api/show, /api/chat,
// /api/generate), NDJSON streaming with token counts, and scripted replies with latency, errors,
// hangs and cut streams. It records every request, how many were in flight at once, and which
// ones the client aborted.
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';

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
  /** Destroy the connection after this many chunks (a stream cut mid-answer). */
  cutAfterChunks?: number;
}

export type Responder = (req: RecordedRequest) => Reply | Promise<Reply>;

export interface OllamaTestServerOptions {
  models?: string[];
  respond?: Responder;
}

export class OllamaTestServer {
  readonly requests: RecordedRequest[] = [];
  inFlight = 0;
  maxInFlight = 0;
  models: string[];
  respond: Responder;
  private server?: http.Server;
  private sockets = new Set<import('node:net').Socket>();
  private seq = 0;

  constructor(opts: OllamaTestServerOptions = {}) {
    this.models = opts.models ?? ['qwen-32k:latest'];
    this.respond = opts.respond ?? (() => ({ content: 'PASS' }));
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
      return this.models.includes(String(body.model)) ? json(200, { modelfile: '', parameters: '', template: '', details: {} }) : json(404, { error: `model '${body.model}' not found` });
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
    const done = () => {
      if (finished) return;
      finished = true;
      this.inFlight--;
      rec.endedAt = Date.now();
    };
    res.on('close', () => {
      if (!res.writableFinished) rec.aborted = true;
      done();
    });
    try {
      if (!this.models.includes(rec.model)) {
        rec.status = 404;
        res.writeHead(404, { 'content-type': 'application/json' });
        res.end(JSON.stringify({ error: `model "${rec.model}" not found, try pulling it first` }));
        rec.completed = true;
        return;
      }
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
      const pieces = split(content, reply.chunks);
      const thinking = reply.thinking ? split(reply.thinking) : [];
      const promptEval = Math.ceil((rec.system.length + rec.user.length) / 4);
      const key = path === '/api/chat' ? 'chat' : 'generate';
      const frame = (text: string, think: string, isDone: boolean) => {
        const base: Record<string, unknown> = { model: rec.model, created_at: new Date().toISOString(), done: isDone };
        if (key === 'chat') base.message = { role: 'assistant', content: text, ...(think ? { thinking: think } : {}) };
        else Object.assign(base, { response: text, ...(think ? { thinking: think } : {}) });
        if (isDone) {
          Object.assign(base, {
            done_reason: 'stop',
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
        res.end(frame(content, reply.thinking ?? '', true).trim());
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
        sent++;
        if (reply.tokenDelayMs) await sleep(reply.tokenDelayMs);
      }
      if (res.destroyed) return;
      res.end(frame('', '', true));
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
