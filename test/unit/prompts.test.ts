import { buildPrompt, checkPromptBudget, estimateTokens, systemPromptFile, PromptInput } from '../../core/prompts';

const input: PromptInput = { projectPrompt: 'PROJECT RULES', context: [{ path: 'src/a.ts', content: 'const a = 1;\n' }], instructions: 'Write b.', targets: [] };

test('the generation prompt has the project prompt, context, instructions and the output path', () => {
  const p = buildPrompt({ kind: 'generate', outputPaths: ['src/b.ts'] }, input);
  expect(p.user).toMatch(/^PROJECT RULES\n\n\[CONTEXT\]\n### File: src\/a\.ts\n```\nconst a = 1;\n```\n\n\[INSTRUCTIONS\]\nWrite b\.\n\n\[OUTPUT\]/);
  expect(p.user).toContain('~~~worksplit:src/b.ts');
  expect(p.user).not.toContain('[PREVIOUS ATTEMPT]');
  expect(p.system).toMatch(/~~~worksplit/);
});

test('the retry prompt carries the reason and the previous output', () => {
  const p = buildPrompt({ kind: 'generate', outputPaths: ['src/b.ts'], retry: { reason: 'no tests', previous: [{ path: 'src/b.ts', content: 'old' }] } }, input);
  expect(p.user).toContain('[PREVIOUS ATTEMPT]');
  expect(p.user).toContain('no tests');
  expect(p.user).toContain('### File: src/b.ts\n```\nold\n```');
});

test('content holding fences gets a longer fence', () => {
  const p = buildPrompt({ kind: 'generate', outputPaths: ['x'] }, { ...input, context: [{ path: 'README.md', content: '```sh\nls\n```\n' }] });
  expect(p.user).toContain('````\n```sh\nls\n```\n````');
});

test('the verification prompt shows the generated output', () => {
  const p = buildPrompt({ kind: 'verify', generated: [{ path: 'src/b.ts', content: 'b' }], edit: false }, { ...input, context: [] });
  expect(p.user).toContain('[GENERATED OUTPUT]\n### File: src/b.ts');
  expect(p.user).toContain('(no context files)');
  expect(p.system).toMatch(/PASS_WITH_WARNINGS/);
});

test('edit mode shows target files with line numbers', () => {
  const p = buildPrompt({ kind: 'edit' }, { ...input, targets: [{ path: 'src/x.ts', content: 'one\ntwo\n' }] });
  expect(p.user).toContain('[TARGET FILES]\n### File: src/x.ts\n```\n1 | one\n2 | two\n```');
  expect(p.system).toMatch(/FIND:/);
});

test('sequential and split prompts list earlier and remaining files', () => {
  const seq = buildPrompt({ kind: 'sequential', file: 'b.ts', previous: [{ path: 'a.ts', content: 'A' }], remaining: ['c.ts'] }, input);
  expect(seq.user).toContain('[PREVIOUSLY GENERATED IN THIS JOB]\n### File: a.ts');
  expect(seq.user).toContain('[REMAINING FILES]\n- c.ts');
  const split = buildPrompt({ kind: 'split', file: 'm/b.ts', previous: [{ path: 'm/a.ts', content: 'A' }], remaining: [] }, { ...input, targets: [{ path: 'big.ts', content: 'BIG' }] });
  expect(split.user).toContain('[TARGET FILE TO SPLIT]\n### File: big.ts');
  expect(split.user).toContain('[ALREADY GENERATED IN THIS SPLIT]\n### File: m/a.ts');
});

test('system prompt files per kind, verify_edit falling back to verify', () => {
  expect(systemPromptFile({ kind: 'generate', outputPaths: [] })).toEqual({ name: 'create' });
  expect(systemPromptFile({ kind: 'verify', generated: [], edit: true })).toEqual({ name: 'verify_edit', fallback: 'verify' });
  expect(systemPromptFile({ kind: 'test', testPath: 't' })).toEqual({ name: 'test' });
  expect(systemPromptFile({ kind: 'fix', command: 'c', output: '', files: [] })).toEqual({ name: 'fix', fallback: 'create' });
});

test('max_prompt_tokens is a warning from 80%, never a refusal (the model\'s context is the limit)', () => {
  const prompt = { system: '', user: 'x'.repeat(4000) }; // 1000 tokens
  expect(estimateTokens(prompt)).toBe(1000);
  expect(checkPromptBudget(prompt, 2000).level).toBe('ok');
  expect(checkPromptBudget(prompt, 1200).level).toBe('warn');
  expect(checkPromptBudget(prompt, 500)).toMatchObject({ level: 'warn', message: expect.stringContaining("200% of max_prompt_tokens (500)") });
});

test("a reviewer's long reason is cut in the retry prompt, with its length said", () => {
  const p = buildPrompt({ kind: 'generate', outputPaths: ['src/b.ts'], retry: { reason: `FAIL: ${'y'.repeat(136_000)}`, previous: [] } }, input);
  expect(p.user.length).toBeLessThan(6000);
  expect(p.user).toContain('(cut: the reason was 136006 characters)');
});
