// worksplit.toml (SPEC §5): schema, defaults, CLI overrides. Pure: takes the file's text.
import { parse as parseToml, TomlError } from 'smol-toml';
import { z } from 'zod';
import { DEFAULT_MAX_FILE_BYTES, MAX_CONCURRENT, MAX_FILE_BYTES_CEILING } from './limits';

export { MAX_CONCURRENT };

/** A model `ollama pull` can fetch, with a 32k context; worksplit sets num_ctx per call, so no
 * custom long-context model is needed (WorkSplit's default, qwen-32k:latest, is one people make). */
export const DEFAULT_MODEL = 'qwen2.5-coder:14b';

/** A duration in seconds: above `min` and at most a week, so it fits Node's timers (2^31 ms, about
 * 24 days; longer ones fire at once) and Temporal's timeouts mean what they say. */
function seconds(min = 0) {
  const n = z.number().max(7 * 86400, { message: 'must be at most 604800 (a week)' });
  return min > 0 ? n.min(min, { message: `must be at least ${min}` }) : n.positive();
}

// Sections may be left out of the file; each then takes its defaults.
const shapes: Record<string, z.ZodRawShape> = {};
function section<T extends z.ZodRawShape>(name: string, shape: T) {
  shapes[name] = shape;
  return z.preprocess((v) => v ?? {}, z.looseObject(shape));
}

const schema = z.looseObject({
  project: section('project', { language: z.enum(['rust', 'typescript', 'solidity', 'python']).optional() }),
  ollama: section('ollama', {
    url: z.string().default('http://localhost:11434'),
    model: z.string().min(1).default(DEFAULT_MODEL),
    /** Limit of an answer once it streams (from its first byte to its end). */
    timeout_seconds: seconds().default(300),
    /** Limit of the wait before an answer's first byte: Ollama's queue, loading the model
     * (OLLAMA_LOAD_TIMEOUT is 5 minutes) and reading the prompt. Not a stall. */
    first_byte_seconds: seconds().default(600),
    /** No token (content or thinking) for this long, once the answer streams, is a stall. */
    stall_seconds: seconds().default(120),
    /** Model calls sent to this Ollama at once: set it to the server's OLLAMA_NUM_PARALLEL
     * (Ollama's default is 1). More calls would only wait in Ollama's queue. */
    parallel: z.number().int().min(1).max(64).default(1),
    /** Send think:false to reasoning models; unset leaves the model's default. */
    think: z.boolean().optional(),
    /** Extra model options passed through to Ollama (temperature, num_ctx, …). */
    options: z.record(z.string(), z.unknown()).optional(),
  }),
  limits: section('limits', {
    max_output_lines: z.number().int().positive().default(900),
    max_context_lines: z.number().int().positive().default(1000),
    max_context_files: z.number().int().nonnegative().default(2),
    max_prompt_tokens: z.number().int().positive().default(32000),
    /** A job file, context file or model answer larger than this fails with LimitExceeded. */
    max_file_bytes: z.number().int().positive().max(MAX_FILE_BYTES_CEILING).default(DEFAULT_MAX_FILE_BYTES),
  }),
  behavior: section('behavior', { stream_output: z.boolean().default(true), create_output_dirs: z.boolean().default(true) }),
  build: section('build', {
    build_command: z.string().optional(),
    test_command: z.string().optional(),
    lint_command: z.string().optional(),
    verify_build: z.boolean().default(false),
    verify_tests: z.boolean().default(false),
    /** On as in WorkSplit: a failing build or test command gets the model's fix attempts. */
    auto_fix: z.boolean().default(true),
    auto_fix_attempts: z.number().int().nonnegative().default(2),
    /** A build, test or lint command running longer than this is killed and fails. */
    command_timeout_seconds: seconds().default(600),
  }),
  archive: section('archive', { enabled: z.boolean().default(true), days: z.number().int().nonnegative().default(3) }),
  cleanup: section('cleanup', { enabled: z.boolean().default(true), days: z.number().int().nonnegative().default(30) }),
  batch: section('batch', {
    max_concurrent: z.number().int().nonnegative().max(MAX_CONCURRENT).default(4),
    stop_on_fail: z.boolean().default(false),
  }),
  temporal: section('temporal', {
    address: z.string().optional(),
    namespace: z.string().default('default'),
    /** Prefix of the task queues: <prefix>-llm for model calls, <prefix>-<project> for the rest. */
    task_queue: z.string().default('worksplit'),
    /** Heartbeat timeout of model calls: how soon the call of a dead worker is retried. */
    heartbeat_seconds: seconds(1).default(20),
    /** Start-to-close timeout of the file activities. */
    activity_seconds: seconds(1).default(30),
    /** Set WorkSplitProject/Job/Status search attributes (registered on the embedded server). */
    search_attributes: z.boolean().optional(),
  }),
});

export type Config = z.infer<typeof schema>;

export class ConfigError extends Error {
  constructor(readonly file: string, message: string) {
    super(`${file}: ${message}`);
    this.name = 'ConfigError';
  }
}

export interface ParsedConfig {
  config: Config;
  warnings: string[];
}

export function defaultConfig(): Config {
  return schema.parse({});
}

/** Parse worksplit.toml's text (undefined when the file does not exist). */
export function parseConfig(text: string | undefined, file = 'worksplit.toml'): ParsedConfig {
  let raw: Record<string, unknown> = {};
  if (text !== undefined) {
    try {
      raw = parseToml(text) as Record<string, unknown>;
    } catch (e) {
      const where = e instanceof TomlError ? ` (line ${e.line}, column ${e.column})` : '';
      throw new ConfigError(file, `invalid TOML${where}: ${(e as Error).message.split('\n')[0]}`);
    }
  }
  const res = schema.safeParse(raw);
  if (!res.success) {
    const issue = res.error.issues[0];
    const key = issue.path.map(String).join('.');
    throw new ConfigError(file, `${key || 'file'}: ${issue.message}`);
  }
  return { config: res.data, warnings: unknownKeys(raw, file) };
}

function unknownKeys(raw: Record<string, unknown>, file: string): string[] {
  const out: string[] = [];
  for (const [sec, val] of Object.entries(raw)) {
    const shape = shapes[sec];
    if (!shape) {
      out.push(`${file}: unknown section [${sec}] (ignored)`);
      continue;
    }
    if (typeof val !== 'object' || val === null) continue;
    for (const key of Object.keys(val)) {
      if (!(key in shape)) out.push(`${file}: unknown key ${sec}.${key} (ignored)`);
    }
  }
  return out;
}

/** Flags that override the file (SPEC §7). */
export interface ConfigOverrides {
  model?: string;
  url?: string;
  timeoutSeconds?: number;
  maxConcurrent?: number;
  stopOnFail?: boolean;
  noStream?: boolean;
}

export function applyOverrides(c: Config, o: ConfigOverrides): Config {
  const out: Config = structuredClone(c);
  if (o.model !== undefined) out.ollama.model = o.model;
  if (o.url !== undefined) out.ollama.url = o.url;
  if (o.timeoutSeconds !== undefined) out.ollama.timeout_seconds = o.timeoutSeconds;
  if (o.maxConcurrent !== undefined) out.batch.max_concurrent = o.maxConcurrent;
  if (o.stopOnFail) out.batch.stop_on_fail = true;
  if (o.noStream) out.behavior.stream_output = false;
  return out;
}
