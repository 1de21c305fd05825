// What `preview` and `validate` say about a prompt's context window: its estimated tokens, the
// num_ctx a call would use and the model's maximum, asked from the Ollama server when it answers.
import { answerTokenBudget, chooseNumCtx, estimateChatTokens } from '../core/context-window';
import type { ChatPrompt } from '../core/prompts';
import type { LlmSettings } from '../activities/llm';
import { modelContextFacts } from '../activities/ollama-model-facts';

export interface ContextReport {
  line: string;
  /** false when the prompt cannot fit; undefined when the server did not say. */
  fits?: boolean;
  problem?: string;
}

export async function contextReport(llm: LlmSettings, prompt: ChatPrompt, timeoutMs = 3000): Promise<ContextReport> {
  const promptTokens = estimateChatTokens(prompt);
  const facts = await modelContextFacts(llm.url, llm.model, AbortSignal.timeout(timeoutMs)).catch(() => undefined);
  if (!facts) return { line: `context: prompt about ${promptTokens} tokens; ${llm.model} at ${llm.url} did not answer, so the num_ctx is chosen at run time` };
  const userNumCtx = typeof llm.options?.num_ctx === 'number' ? llm.options.num_ctx : undefined;
  const answerTokens = llm.answerTokens ?? answerTokenBudget(900);
  const choice = chooseNumCtx({ promptTokens, answerTokens, facts, userNumCtx });
  const max = facts.maxContext !== undefined ? `model maximum ${facts.maxContext}` : 'model maximum unknown';
  const line = `context: prompt about ${promptTokens} tokens + up to ${answerTokens} for the answer -> num_ctx ${choice.numCtx}${userNumCtx !== undefined ? ' (set in [ollama] options)' : ''} (${max})`;
  return choice.ok ? { line, fits: true } : { line, fits: false, problem: choice.message };
}
