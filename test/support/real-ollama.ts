// A real Ollama server (v0.17.4, built by scripts/real-ollama/build.sh) with a tiny random-weight
// model, for the real-Ollama test tier (npm run test:real-ollama). Its answers are noise, but
// queueing, num_ctx, truncation, done_reason, token counts and model loads are Ollama's own.
import { ChildProcess, execFile, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { promisify } from 'node:util';

/** The command that builds the binary and the model into the cache; failures name it. */
export const BUILD_COMMAND = 'bash scripts/real-ollama/build.sh';

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
  /** Name the tiny model is created under (default 'tiny'). */
  model?: string;
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

const STARTUP_TIMEOUT_MS = 60_000;

/** Starts `ollama serve` on a free loopback port with its own model store, and creates the tiny
 * model in it from the cached GGUF (offline). Throws, naming the build command, when the cache
 * has no binary or model. */
export async function startRealOllama(opts: RealOllamaOptions = {}): Promise<RealOllama> {
  const cache = realOllamaCache();
  const binary = path.join(cache, 'bin', 'ollama');
  const modelfile = path.join(cache, 'model', 'Modelfile');
  for (const needed of [binary, modelfile, path.join(cache, 'model', 'tiny.gguf')]) {
    if (!existsSync(needed)) throw new Error(BUILD_COMMAND);
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
    const model = opts.model ?? 'tiny';
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
