// A real Ollama server (v0.17.4, built by scripts/real-ollama/build.sh) with a tiny random-weight
// model, for the real-Ollama test tier (npm run test:real-ollama). Its answers are noise, but
// queueing, num_ctx, truncation, done_reason, token counts and model loads are Ollama's own.
// With `weights: 'smollm2'` it serves a real instruct model instead (SmolLM2-135M-Instruct,
// fetched by scripts/real-model/fetch.sh), for the real-model tier (npm run test:real-model).
// startRecordingProxy puts a recording proxy between a client and that server.
import { ChildProcess, execFile, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';
import { promisify } from 'node:util';

/** The command that builds the binary and the model into the cache; failures name it. */
export const BUILD_COMMAND = 'bash scripts/real-ollama/build.sh';
/** The command that fetches the real model (SmolLM2) into its cache; failures name it. */
export const FETCH_COMMAND = 'bash scripts/real-model/fetch.sh';
/** The GGUF fetch.sh writes into realModelCache(), beside its Modelfile. */
export const REAL_MODEL_GGUF = 'smollm2-135m-instruct-q4_1.gguf';

export interface RealOllamaOptions {
  /** OLLAMA_NUM_PARALLEL: requests run at once per loaded model (Ollama's default 1). */
  numParallel?: number;
  /** OLLAMA_MAX_QUEUE: requests that may wait for a slot before Ollama answers 503 (default 512). */
  maxQueue?: number;
  /** OLLAMA_CONTEXT_LENGTH: num_ctx when neither the request nor the Modelfile sets one. */
  contextLength?: number;
  /** OLLAMA_KEEP_ALIVE: how long an idle model stays loaded, e.g. '5m', '0' (Ollama's default 5m). */
  keepAlive?: string;
  /** Any other environment for `ollama serve` (OLLAMA_DEBUG, OLLAMA_LOAD_TIMEOUT...). */
  env?: Record<string, string>;
  /** Name the model is created under (default: the weights' name, 'tiny' or 'smollm2'). */
  model?: string;
  /** Which model to create: the tiny random-weight one (build.sh, the default) or the real
   * SmolLM2-135M-Instruct (fetch.sh). */
  weights?: 'tiny' | 'smollm2';
}

export interface RealOllama {
  /** http://127.0.0.1:PORT */
  url: string;
  /** The created model's name, e.g. 'tiny'. */
  model: string;
  /** Everything `ollama serve` has logged so far (its log goes to stderr). */
  log(): string;
  stop(): Promise<void>;
}

/** Where build.sh caches the binary and the model (outside the repository). */
export function realOllamaCache(): string {
  return process.env.WORKSPLIT_OLLAMA_CACHE ?? path.join(os.homedir(), '.cache', 'worksplit', 'ollama-0.17.4');
}

/** Where fetch.sh caches SmolLM2's GGUF and Modelfile (outside the repository). */
export function realModelCache(): string {
  return process.env.WORKSPLIT_MODEL_CACHE ?? path.join(os.homedir(), '.cache', 'worksplit', 'smollm2-0.1.2');
}

const STARTUP_TIMEOUT_MS = 60_000;

/** Starts `ollama serve` on a free loopback port with its own model store, and creates the model
 * in it from the cached GGUF (offline). Throws, naming the command that installs what is missing
 * (the build command, the fetch command, or both), when a cache lacks the binary or the model. */
export async function startRealOllama(opts: RealOllamaOptions = {}): Promise<RealOllama> {
  const cache = realOllamaCache();
  const binary = path.join(cache, 'bin', 'ollama');
  const weights = opts.weights ?? 'tiny';
  const modelDir = weights === 'tiny' ? path.join(cache, 'model') : realModelCache();
  const modelfile = path.join(modelDir, 'Modelfile');
  const missing = (files: string[]) => files.some((f) => !existsSync(f));
  if (weights === 'tiny') {
    if (missing([binary, modelfile, path.join(modelDir, 'tiny.gguf')])) throw new Error(BUILD_COMMAND);
  } else {
    const commands = [
      ...(missing([binary]) ? [BUILD_COMMAND] : []),
      ...(missing([modelfile, path.join(modelDir, REAL_MODEL_GGUF)]) ? [FETCH_COMMAND] : []),
    ];
    if (commands.length > 0) throw new Error(commands.join(' && '));
  }

  // HOME too: `ollama serve` writes its key pair to ~/.ollama, which must not be the user's.
  const home = mkdtempSync(path.join(os.tmpdir(), 'worksplit-real-ollama-'));
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    HOME: home,
    OLLAMA_HOST: '127.0.0.1:0',
    OLLAMA_MODELS: path.join(home, 'models'),
    OLLAMA_NO_CLOUD: '1',
    OLLAMA_NUM_PARALLEL: String(opts.numParallel ?? 1),
    ...(opts.maxQueue !== undefined && { OLLAMA_MAX_QUEUE: String(opts.maxQueue) }),
    ...(opts.contextLength !== undefined && { OLLAMA_CONTEXT_LENGTH: String(opts.contextLength) }),
    ...(opts.keepAlive !== undefined && { OLLAMA_KEEP_ALIVE: opts.keepAlive }),
    ...opts.env,
  };
  const child = spawn(binary, ['serve'], { env, stdio: ['ignore', 'pipe', 'pipe'] });
  let log = '';
  child.stdout!.on('data', (d) => (log += d));
  child.stderr!.on('data', (d) => (log += d));
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));

  const stop = async (): Promise<void> => {
    if (child.exitCode === null && child.signalCode === null) {
      child.kill('SIGTERM');
      const killer = setTimeout(() => child.kill('SIGKILL'), 10_000);
      await exited;
      clearTimeout(killer);
    }
    rmSync(home, { recursive: true, force: true });
  };

  try {
    // Port 0 lets the kernel pick a free port; Ollama logs the one it got.
    const address = await waitForLog(child, () => log, /Listening on (127\.0\.0\.1:\d+)/, STARTUP_TIMEOUT_MS);
    const url = `http://${address}`;
    await waitUntilAnswering(url, STARTUP_TIMEOUT_MS);
    const model = opts.model ?? weights;
    // The Modelfile's FROM is relative to the Modelfile's folder.
    await promisify(execFile)(binary, ['create', model, '-f', modelfile], {
      env: { ...env, OLLAMA_HOST: address },
      cwd: path.dirname(modelfile),
    });
    return { url, model, log: () => log, stop };
  } catch (err) {
    await stop();
    throw new Error(`real Ollama did not start: ${(err as Error).message}\n--- ollama serve log ---\n${log}`, { cause: err });
  }
}

function waitForLog(child: ChildProcess, log: () => string, pattern: RegExp, timeoutMs: number): Promise<string> {
  return new Promise((resolve, reject) => {
    const check = (): boolean => {
      const m = pattern.exec(log());
      if (m) finish(() => resolve(m[1]));
      return !!m;
    };
    const onExit = (code: number | null): void => finish(() => reject(new Error(`ollama serve exited with code ${code}`)));
    const timer = setTimeout(() => finish(() => reject(new Error(`no "${pattern.source}" in the log after ${timeoutMs} ms`))), timeoutMs);
    const finish = (then: () => void): void => {
      clearTimeout(timer);
      child.stdout!.off('data', check);
      child.stderr!.off('data', check);
      child.off('exit', onExit);
      then();
    };
    child.stdout!.on('data', check);
    child.stderr!.on('data', check);
    child.once('exit', onExit);
    check();
  });
}

async function waitUntilAnswering(url: string, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      const res = await fetch(`${url}/api/version`);
      if (res.ok) return;
    } catch {
      // not accepting connections yet
    }
    if (Date.now() > deadline) throw new Error(`${url}/api/version did not answer within ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** One request that went through a recording proxy. */
export interface RecordedCall {
  method: string;
  /** e.g. '/api/chat' */
  path: string;
  /** The request body, parsed when it is JSON. */
  request: unknown;
  status?: number;
  /** For /api/chat and /api/generate: the answer's text, all chunks joined (message.content or
   * response), and the reasoning, if any. */
  answer: string;
  thinking: string;
  /** The response ended with a chunk that says done: true. */
  done: boolean;
  doneReason?: string;
  /** Ollama's own counts, from the final chunk. */
  promptEvalCount?: number;
  evalCount?: number;
  /** Ollama's own timings from the final chunk, in ns (load_duration, prompt_eval_duration,
   * eval_duration, total_duration). */
  durations?: { load: number; promptEval: number; eval: number; total: number };
  /** The client went away, or the server's answer broke off, before it ended. */
  aborted: boolean;
  startedAt: number;
  endedAt?: number;
  /** First byte of the response's body (ms since epoch). */
  firstByteAt?: number;
}

export interface RecordingProxy {
  /** http://127.0.0.1:PORT: give this to the client instead of the server's url. */
  url: string;
  /** Every request so far, in the order they arrived. */
  calls: RecordedCall[];
  stop(): Promise<void>;
}

/** An HTTP proxy on a free loopback port that forwards everything to `target` unchanged
 * (streamed as it comes) and records each request with what the server answered, so a test
 * can compare what a client reports with the server's own figures. A client that goes away
 * aborts the request to the server too. */
export async function startRecordingProxy(target: string): Promise<RecordingProxy> {
  const upstream = new URL(target);
  const calls: RecordedCall[] = [];
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const body = Buffer.concat(chunks);
      const call: RecordedCall = { method: req.method ?? 'GET', path: req.url ?? '/', request: parseJson(body.toString('utf8')), answer: '', thinking: '', done: false, aborted: false, startedAt: Date.now() };
      calls.push(call);
      const out = http.request(
        { host: upstream.hostname, port: upstream.port, method: req.method, path: req.url, headers: { ...req.headers, host: upstream.host } },
        (up) => {
          call.status = up.statusCode;
          res.writeHead(up.statusCode ?? 502, up.headers);
          let pending = '';
          const read = (line: string) => {
            const chunk = parseJson(line) as
              | { message?: { content?: string; thinking?: string }; response?: string; thinking?: string; done?: boolean; done_reason?: string; prompt_eval_count?: number; eval_count?: number; load_duration?: number; prompt_eval_duration?: number; eval_duration?: number; total_duration?: number }
              | undefined;
            if (!chunk || typeof chunk !== 'object') return;
            call.answer += chunk.message?.content ?? chunk.response ?? '';
            call.thinking += chunk.message?.thinking ?? chunk.thinking ?? '';
            if (chunk.done) {
              call.done = true;
              call.doneReason = chunk.done_reason;
              call.promptEvalCount = chunk.prompt_eval_count;
              call.evalCount = chunk.eval_count;
              call.durations = { load: chunk.load_duration ?? 0, promptEval: chunk.prompt_eval_duration ?? 0, eval: chunk.eval_duration ?? 0, total: chunk.total_duration ?? 0 };
            }
          };
          up.on('data', (c: Buffer) => {
            call.firstByteAt ??= Date.now();
            res.write(c);
            pending += c.toString('utf8');
            const lines = pending.split('\n');
            pending = lines.pop()!;
            for (const line of lines) read(line);
          });
          up.on('end', () => {
            if (pending.trim() !== '') read(pending);
            call.endedAt = Date.now();
            res.end();
          });
          up.on('error', () => {
            call.aborted = true;
            call.endedAt = Date.now();
            res.destroy();
          });
        },
      );
      out.on('error', (e) => {
        call.aborted = true;
        call.endedAt ??= Date.now();
        if (!res.headersSent) res.writeHead(502, { 'content-type': 'application/json' });
        res.end(JSON.stringify({ error: `recording proxy: ${e.message}` }));
      });
      // The client went away before the answer ended: so does the request to the server.
      res.on('close', () => {
        if (!res.writableFinished) {
          call.aborted = true;
          call.endedAt ??= Date.now();
          out.destroy();
        }
      });
      out.end(body);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    calls,
    stop: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return text === '' ? undefined : text;
  }
}
