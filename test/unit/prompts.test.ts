import { checkPromptBudget, estimateTokens, generationPrompt, verificationPrompt } from '../../core/prompts';

const base = { projectPrompt: 'PROJECT RULES', context: [{ path: 'src/a.ts', content: 'const a = 1;\n' }], instructions: 'Write b.', outputPaths: ['src/b.ts'] };

test('the generation prompt has the project prompt, context, instructions and the output path', () => {
  const p = generationPrompt(base);
  expect(p.user).toMatch(/^PROJECT RULES\n\n\[CONTEXT\]\n### File: src\/a\.ts\n```\nconst a = 1;\n```\n\n\[INSTRUCTIONS\]\nWrite b\.\n\n\[OUTPUT\]/);
  expect(p.user).toContain('~~~worksplit:src/b.ts');
  expect(p.user).not.toContain('[PREVIOUS ATTEMPT]');
  expect(p.system).toMatch(/~~~worksplit/);
});

test('the retry prompt carries the reason and the previous output', () => {
  const p = generationPrompt({ ...base, retry: { reason: 'no tests', previous: [{ path: 'src/b.ts', content: 'old' }] } });
  expect(p.user).toContain('[PREVIOUS ATTEMPT]');
  expect(p.user).toContain('no tests');
  expect(p.user).toContain('### File: src/b.ts\n```\nold\n```');
});

test('content holding fences gets a longer fence', () => {
  const p = generationPrompt({ ...base, context: [{ path: 'README.md', content: '```sh\nls\n```\n' }] });
  expect(p.user).toContain('````\n```sh\nls\n```\n````');
});

test('the verification prompt shows the generated output', () => {
  const p = verificationPrompt({ projectPrompt: 'V', context: [], instructions: 'Write b.', generated: [{ path: 'src/b.ts', content: 'b' }] });
  expect(p.user).toContain('[GENERATED OUTPUT]\n### File: src/b.ts');
  expect(p.user).toContain('(no context files)');
  expect(p.system).toMatch(/PASS_WITH_WARNINGS/);
});

test('the budget warns at 80% and fails at 90%', () => {
  const prompt = { system: '', user: 'x'.repeat(4000) }; // 1000 tokens
  expect(estimateTokens(prompt)).toBe(1000);
  expect(checkPromptBudget(prompt, 2000).level).toBe('ok');
  expect(checkPromptBudget(prompt, 1200).level).toBe('warn');
  expect(checkPromptBudget(prompt, 1100).level).toBe('fail');
});
