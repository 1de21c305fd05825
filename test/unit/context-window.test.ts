import {
  MIN_ANSWER_TOKENS,
  chooseNumCtx,
  contextLengthOf,
  estimateChatTokens,
  largerNumCtx,
  parseModelfileNumCtx,
  promptWasCut,
} from '../../core/context-window';

test('the estimate counts one token per 3 bytes of UTF-8 plus the template, never fewer than characters / 4', () => {
  const ascii = { system: 'a'.repeat(300), user: 'b'.repeat(2700) };
  expect(estimateChatTokens(ascii)).toBe(1000 + 32);
  // Multi-byte text weighs more: é is 2 bytes.
  expect(estimateChatTokens({ system: '', user: 'é'.repeat(300) })).toBe(200 + 32);
  expect(estimateChatTokens(ascii)).toBeGreaterThan((300 + 2700) / 4);
});

test('num_ctx is the smallest fixed size holding the prompt and the answer budget', () => {
  expect(chooseNumCtx({ promptTokens: 1000, answerTokens: 2000, facts: { maxContext: 32768 } })).toEqual({ ok: true, numCtx: 4096 });
  expect(chooseNumCtx({ promptTokens: 9000, answerTokens: 9000, facts: { maxContext: 131072 } })).toEqual({ ok: true, numCtx: 32768 });
});

test('a size already in use or set by the Modelfile is kept when it is big enough (no reload)', () => {
  expect(chooseNumCtx({ promptTokens: 1000, answerTokens: 2000, facts: {}, current: 16384 })).toEqual({ ok: true, numCtx: 16384 });
  expect(chooseNumCtx({ promptTokens: 1000, answerTokens: 2000, facts: { modelfileNumCtx: 32768 } })).toEqual({ ok: true, numCtx: 32768 });
});

test('never above the model maximum; the answer budget shrinks to what is left, down to a minimum', () => {
  expect(chooseNumCtx({ promptTokens: 20000, answerTokens: 9000, facts: { maxContext: 24576 } })).toEqual({ ok: true, numCtx: 24576 });
  const tooBig = chooseNumCtx({ promptTokens: 40000, answerTokens: 9000, facts: { maxContext: 32768 } });
  expect(tooBig.ok).toBe(false);
  expect(tooBig).toMatchObject({ numCtx: 32768 });
  expect(!tooBig.ok && tooBig.message).toContain('the prompt (about 40000 tokens) and room for an answer (1024) do not fit in a context of 32768 tokens');
  expect(!tooBig.ok && tooBig.message).toContain("the model's maximum is 32768");
});

test("the user's num_ctx wins, and a prompt that cannot fit in it fails with the numbers", () => {
  expect(chooseNumCtx({ promptTokens: 100, answerTokens: 9000, facts: { maxContext: 32768 }, userNumCtx: 2048 })).toEqual({ ok: true, numCtx: 2048 });
  const r = chooseNumCtx({ promptTokens: 3000, answerTokens: 9000, facts: {}, userNumCtx: 2048 + MIN_ANSWER_TOKENS });
  expect(r.ok).toBe(false);
  expect(!r.ok && r.message).toContain('num_ctx from [ollama] options');
});

test('a larger size after a refusal doubles, capped by the model, and ends at its maximum', () => {
  expect(largerNumCtx(8192, { maxContext: 32768 })).toBe(16384);
  expect(largerNumCtx(16384, { maxContext: 24576 })).toBe(24576);
  expect(largerNumCtx(32768, { maxContext: 32768 })).toBeUndefined();
  expect(largerNumCtx(8192, {})).toBe(16384);
});

test("/api/show's facts: model_info's <arch>.context_length and the Modelfile's num_ctx", () => {
  expect(contextLengthOf({ 'general.architecture': 'qwen2', 'qwen2.context_length': 32768, 'llama.context_length': 1 })).toBe(32768);
  expect(contextLengthOf({ 'gemma3.context_length': 131072 })).toBe(131072);
  expect(contextLengthOf(undefined)).toBeUndefined();
  expect(parseModelfileNumCtx('stop "<|im_end|>"\nnum_ctx                        40960\ntemperature 0.7')).toBe(40960);
  expect(parseModelfileNumCtx('temperature 0.7')).toBeUndefined();
});

test('a prompt that fills the context was cut (or left no room to answer)', () => {
  expect(promptWasCut(4096, 4096)).toBe(true);
  expect(promptWasCut(4090, 4096)).toBe(true);
  expect(promptWasCut(3000, 4096)).toBe(false);
});
