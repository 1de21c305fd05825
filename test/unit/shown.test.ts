// worksplit.toml's Ollama URL is http or https without credentials, and values are shown without
// credentials or escape codes (core/shown.ts).
import { ConfigError, applyOverrides, parseConfig } from '../../core/config';
import { ollamaUrlProblem, shownUrl, shownValue } from '../../core/shown';

test('a URL is shown without its user name and password, and with escapes escaped', () => {
  expect(shownUrl('http://user:s3cret@host:11434/x')).toBe('http://***@host:11434/x');
  expect(shownUrl('https://token@ollama.example/')).toBe('https://***@ollama.example/');
  expect(shownUrl('http://localhost:11434')).toBe('http://localhost:11434');
  expect(shownUrl('http://h/\u001b[2J')).toBe('http://h/\\u001b[2J');
  expect(shownValue('qwen\u001b[31m\u0007')).toBe('qwen\\u001b[31m\\u0007');
});

test('only http and https URLs without credentials are Ollama addresses', () => {
  expect(ollamaUrlProblem('http://localhost:11434')).toBeUndefined();
  expect(ollamaUrlProblem('https://ollama.example:443/')).toBeUndefined();
  expect(ollamaUrlProblem('file:///etc/passwd')).toMatch(/^must be an http:\/\/ or https:\/\/ URL \(Ollama's API\), not file:/);
  expect(ollamaUrlProblem('ftp://x')).toMatch(/not ftp:/);
  expect(ollamaUrlProblem('localhost:11434')).toMatch(/not localhost:/);
  expect(ollamaUrlProblem('not a url')).toMatch(/is not a URL; write it as http:\/\/host:port/);
  const cred = ollamaUrlProblem('http://user:s3cret@127.0.0.1:9')!;
  expect(cred).toMatch(/must not hold a user name or password \("http:\/\/\*\*\*@127\.0\.0\.1:9"\)/);
  expect(cred).not.toContain('s3cret');
});

test('worksplit.toml and --url refuse other URLs with the field named, never echoing a password', () => {
  const bad = (toml: string) => {
    try {
      parseConfig(toml);
    } catch (e) {
      expect(e).toBeInstanceOf(ConfigError);
      return (e as Error).message;
    }
    throw new Error('expected a ConfigError');
  };
  expect(bad('[ollama]\nurl = "file:///etc/passwd"\n')).toMatch(/^worksplit\.toml: ollama\.url: must be an http:\/\/ or https:\/\/ URL/);
  const cred = bad('[ollama]\nurl = "http://me:hunter2@host:11434"\n');
  expect(cred).toMatch(/^worksplit\.toml: ollama\.url: must not hold a user name or password/);
  expect(cred).not.toContain('hunter2');
  const { config } = parseConfig(undefined);
  expect(() => applyOverrides(config, { url: 'file:///x' })).toThrow(/^--url: must be an http:\/\/ or https:\/\/ URL/);
  expect(applyOverrides(config, { url: 'https://h:1' }).ollama.url).toBe('https://h:1');
});
