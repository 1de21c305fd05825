// How big a context window (Ollama's num_ctx) a model call needs, and whether it can have it.
// Ollama runs a model with num_ctx tokens of context: the request's options.num_ctx, else the
// Modelfile's, else OLLAMA_CONTEXT_LENGTH, else 4096 on most machines. A longer prompt is cut
// from the front (the system prompt goes first) with nothing but a server log line, so every
// call states the size it needs. Pure: the caller fetches the model's facts (/api/show).
import type { ChatPrompt } from './prompts';

/** The sizes num_ctx is picked from. Few and fixed, because every change of num_ctx makes Ollama
 * reload the model; powers of two, like the context lengths models are trained with. */
export const NUM_CTX_SIZES = [4096, 8192, 16384, 32768, 65536, 131072, 262144];

/** The least room an answer must have for a call to be worth making. */
export const MIN_ANSWER_TOKENS = 1024;

/** Answer room per line of max_output_lines: a line of code is 8–12 tokens with the usual
 * tokenizers; 10 is the budget, and an answer that still runs out stops with done_reason
 * "length", which is reported, never passed. */
export const ANSWER_TOKENS_PER_LINE = 10;

/** Tokens a chat template adds around each message (role markers, separators). */
const TEMPLATE_TOKENS_PER_MESSAGE = 16;

/**
 * Prompt tokens, estimated conservatively without the model's tokenizer: one token per 3 bytes
 * of UTF-8. BPE tokenizers of code models (Llama 3, Qwen 2.5) average 3.5–4.5 bytes per token on
 * source code and English, so this over-counts them by 15–50%; text with many rare characters can
 * be denser, which the server's own count then catches (a 400 or a visibly cut prompt, never a
 * silent cut). WorkSplit's characters / 4 under-counts code and is kept only for its budget line.
 */
export function estimateChatTokens(prompt: ChatPrompt): number {
  const bytes = Buffer.byteLength(prompt.system, 'utf8') + Buffer.byteLength(prompt.user, 'utf8');
  return Math.ceil(bytes / 3) + 2 * TEMPLATE_TOKENS_PER_MESSAGE;
}

export function answerTokenBudget(maxOutputLines: number): number {
  return maxOutputLines * ANSWER_TOKENS_PER_LINE;
}

/** What the model and server say about context (POST /api/show). */
export interface ModelContextFacts {
  /** model_info["<arch>.context_length"]: the most the model was trained for. */
  maxContext?: number;
  /** num_ctx in the Modelfile's parameters, when it sets one. */
  modelfileNumCtx?: number;
  /** The model can think before it answers (capabilities holds "thinking"). */
  thinks?: boolean;
}

/** Tokens a thinking model may spend thinking before its answer: num_predict counts them too. */
export const THINKING_ALLOWANCE = 8192;

/** The room a call keeps for its answer, from max_output_lines' budget: an edit or pattern answer
 * repeats the text it finds beside what it writes, and a thinking model thinks first. */
export function answerRoom(kind: string, budget: number, thinking: boolean): number {
  const own = kind === 'edit' || kind === 'replace_pattern' ? 2 * budget : budget;
  return own + (thinking ? THINKING_ALLOWANCE : 0);
}

export interface NumCtxRequest {
  promptTokens: number;
  answerTokens: number;
  facts: ModelContextFacts;
  /** num_ctx from [ollama] options: the user's choice wins. */
  userNumCtx?: number;
  /** The size this worker last used with this model and server: reused when it is big enough,
   * so a batch keeps one size and the model is not reloaded between jobs. */
  current?: number;
}

export type NumCtxChoice = { ok: true; numCtx: number } | { ok: false; numCtx: number; message: string };

export function chooseNumCtx(r: NumCtxRequest): NumCtxChoice {
  const max = r.facts.maxContext;
  if (r.userNumCtx !== undefined) {
    if (r.promptTokens + MIN_ANSWER_TOKENS <= r.userNumCtx) return { ok: true, numCtx: r.userNumCtx };
    return { ok: false, numCtx: r.userNumCtx, message: overflowMessage(r.promptTokens, r.userNumCtx, max, 'num_ctx from [ollama] options') };
  }
  const need = r.promptTokens + r.answerTokens;
  let size = NUM_CTX_SIZES.find((s) => s >= need) ?? need;
  size = Math.max(size, r.current ?? 0, r.facts.modelfileNumCtx ?? 0);
  if (max !== undefined && size > max) size = max;
  if (r.promptTokens + MIN_ANSWER_TOKENS <= size) return { ok: true, numCtx: size };
  return { ok: false, numCtx: size, message: overflowMessage(r.promptTokens, size, max) };
}

/** The next size to try after the server said the prompt does not fit in numCtx. */
export function largerNumCtx(numCtx: number, facts: ModelContextFacts): number | undefined {
  const next = NUM_CTX_SIZES.find((s) => s >= numCtx * 2) ?? numCtx * 2;
  const capped = facts.maxContext !== undefined ? Math.min(next, facts.maxContext) : next;
  return capped > numCtx ? capped : undefined;
}

export const CONTEXT_ADVICE = 'use fewer or smaller context files, split the job, pick a model with a larger context, or set a larger [ollama] options.num_ctx';

export function overflowMessage(promptTokens: number, numCtx: number, maxContext: number | undefined, source = 'num_ctx'): string {
  const model = maxContext !== undefined ? `; the model's maximum is ${maxContext}` : '';
  return `the prompt (about ${promptTokens} tokens) and room for an answer (${MIN_ANSWER_TOKENS}) do not fit in a context of ${numCtx} tokens (${source})${model}: ${CONTEXT_ADVICE}`;
}

/** num_ctx in the parameters text of /api/show ("num_ctx 32768" on a line of its own). */
export function parseModelfileNumCtx(parameters: string | undefined): number | undefined {
  const m = /^\s*num_ctx\s+(\d+)\s*$/m.exec(parameters ?? '');
  return m ? Number(m[1]) : undefined;
}

/** model_info's "<architecture>.context_length". */
export function contextLengthOf(modelInfo: Record<string, unknown> | undefined): number | undefined {
  if (!modelInfo) return undefined;
  const arch = modelInfo['general.architecture'];
  const direct = typeof arch === 'string' ? modelInfo[`${arch}.context_length`] : undefined;
  const value = direct ?? Object.entries(modelInfo).find(([k]) => k.endsWith('.context_length'))?.[1];
  return typeof value === 'number' && value > 0 ? value : undefined;
}

/** A prompt that fills the whole context was cut to fit it (a server that ignores
 * `truncate: false` keeps the last num_ctx tokens) or left no room to answer. */
export function promptWasCut(promptEvalCount: number, numCtx: number): boolean {
  return promptEvalCount >= numCtx - 8;
}
