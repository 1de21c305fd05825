// worksplit.toml (SPEC §5): schema, defaults, CLI overrides. Pure: takes the file's text.
import { parse as parseToml, TomlError } from 'smol-toml';
import { ObjectField, Shape, ShapeValue, booleanField, mappingField, numberField, objectField, oneOfField, readFields, stringField } from './fields';
import { DEFAULT_MAX_FILE_BYTES, MAX_CONCURRENT, MAX_FILE_BYTES_CEILING } from './limits';
import { ollamaUrlProblem } from './shown';

export { MAX_CONCURRENT };

/** A model `ollama pull` can fetch, with a 32k context; worksplit sets num_ctx per call, so no
 * custom long-context model is needed (WorkSplit's default, qwen-32k:latest, is one people make). */
export const DEFAULT_MODEL = 'qwen2.5-coder:14b';

/** A duration in seconds: above `min` and at most a week, so it fits Node's timers (2^31 ms, about
 * 24 days; longer ones fire at once) and Temporal's timeouts mean what they say. */
function seconds(min = 0) {
  const week = { max: 7 * 86400, maxMessage: 'must be at most 604800 (a week)' };
  return numberField(min > 0 ? { ...week, min } : { ...week, above: 0 });
}
/** A whole number from `min` (0 or 1) up to `max`. */
const count = (min: 0 | 1, max?: number) => numberField({ integer: true, min, ...(max !== undefined ? { max } : {}) });

// Sections may be left out of the file; each then takes its defaults.
const section = <S extends Shape>(shape: S) => objectField(shape, 'a table');

const sections = {
  project: section({ language: oneOfField(['rust', 'typescript', 'solidity', 'python']).optional() }),
  ollama: section({
    url: stringField().default('http://localhost:11434'),
    model: stringField({ nonEmpty: true }).default(DEFAULT_MODEL),
    /** Limit of an answer once it streams (from its first byte to its end). */
    timeout_seconds: seconds().default(300),
    /** Limit of the wait before an answer's first byte: Ollama's queue, loading the model
     * (OLLAMA_LOAD_TIMEOUT is 5 minutes) and reading the prompt. Not a stall. */
    first_byte_seconds: seconds().default(600),
    /** No token (content or thinking) for this long, once the answer streams, is a stall. */
    stall_seconds: seconds().default(120),
    /** Model calls sent to this Ollama at once: set it to the server's OLLAMA_NUM_PARALLEL
     * (Ollama's default is 1). More calls would only wait in Ollama's queue. */
    parallel: count(1, 64).default(1),
    /** Send think:false to reasoning models; unset leaves the model's default. */
    think: booleanField().optional(),
    /** How verification calls ask for the verdict: 'structured' sends a JSON schema (Ollama's
     * `format`) and reads the answer's JSON; 'text' asks for a verdict word, for a server or model
     * that cannot answer in a schema. */
    verdicts: oneOfField(['structured', 'text']).default('structured'),
    /** Extra model options passed through to Ollama (temperature, num_ctx, …). */
    options: mappingField('a table of model options').optional(),
  }),
  limits: section({
    max_output_lines: count(1).default(900),
    max_context_lines: count(1).default(1000),
    max_context_files: count(0).default(2),
    max_prompt_tokens: count(1).default(32000),
    /** A job file, context file or model answer larger than this fails with LimitExceeded. */
    max_file_bytes: count(1, MAX_FILE_BYTES_CEILING).default(DEFAULT_MAX_FILE_BYTES),
  }),
  behavior: section({ stream_output: booleanField().default(true), create_output_dirs: booleanField().default(true) }),
  build: section({
    build_command: stringField().optional(),
    test_command: stringField().optional(),
    lint_command: stringField().optional(),
    verify_build: booleanField().default(false),
    verify_tests: booleanField().default(false),
    /** On as in WorkSplit: a failing build or test command gets the model's fix attempts. */
    auto_fix: booleanField().default(true),
    auto_fix_attempts: count(0).default(2),
    /** A build, test or lint command running longer than this is killed and fails. */
    command_timeout_seconds: seconds().default(600),
  }),
  archive: section({ enabled: booleanField().default(true), days: count(0).default(3) }),
  cleanup: section({ enabled: booleanField().default(true), days: count(0).default(30) }),
  batch: section({
    max_concurrent: count(0, MAX_CONCURRENT).default(4),
    stop_on_fail: booleanField().default(false),
  }),
  temporal: section({
    address: stringField().optional(),
    namespace: stringField().default('default'),
    /** Prefix of the task queues: <prefix>-llm for model calls, <prefix>-<project> for the rest. */
    task_queue: stringField().default('worksplit'),
    /** Heartbeat timeout of model calls: how soon the call of a dead worker is retried. */
    heartbeat_seconds: seconds(1).default(20),
    /** Start-to-close timeout of the file activities. */
    activity_seconds: seconds(1).default(30),
    /** Set WorkSplitProject/Job/Status search attributes (registered on the embedded server). */
    search_attributes: booleanField().optional(),
  }),
};

const schema = objectField(sections);

export type Config = ShapeValue<typeof sections>;

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
  return readFields(schema, {}).value;
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
  const { value, issues } = readFields(schema, raw);
  if (issues.length > 0) throw new ConfigError(file, `${issues[0].path || 'file'}: ${issues[0].message}`);
  const badUrl = ollamaUrlProblem(value.ollama.url);
  if (badUrl) throw new ConfigError(file, `ollama.url: ${badUrl}`);
  return { config: value, warnings: unknownKeys(raw, file) };
}

function unknownKeys(raw: Record<string, unknown>, file: string): string[] {
  const out: string[] = [];
  for (const [sec, val] of Object.entries(raw)) {
    const known: ObjectField<Shape> | undefined = Object.hasOwn(sections, sec) ? sections[sec as keyof typeof sections] : undefined;
    if (!known) {
      out.push(`${file}: unknown section [${sec}] (ignored)`);
      continue;
    }
    if (typeof val !== 'object' || val === null) continue;
    for (const key of known.unknownKeys(val as Record<string, unknown>)) out.push(`${file}: unknown key ${sec}.${key} (ignored)`);
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
  if (o.url !== undefined) {
    const badUrl = ollamaUrlProblem(o.url);
    if (badUrl) throw new ConfigError('--url', badUrl);
    out.ollama.url = o.url;
  }
  if (o.timeoutSeconds !== undefined) out.ollama.timeout_seconds = o.timeoutSeconds;
  if (o.maxConcurrent !== undefined) out.batch.max_concurrent = o.maxConcurrent;
  if (o.stopOnFail) out.batch.stop_on_fail = true;
  if (o.noStream) out.behavior.stream_output = false;
  return out;
}
