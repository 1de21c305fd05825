// What `preview` and `validate` say about a prompt's context window: its estimated tokens, the
// num_ctx a call would use and the model's maximum, asked from the Ollama server when it answers.
import { ModelContextFacts, answerTokenBudget, chooseNumCtx, estimateChatTokens } from '../core/context-window';
import type { ChatPrompt } from '../core/prompts';
import type { LlmSettings } from '../core/model-call';
import { OllamaHttpError, modelContextFacts } from '../ollama-api/model-facts';
import { shownUrl, shownValue } from '../core/shown';

export interface ContextReport {
  line: string;
  tokens: number;
  numCtx?: number;
  /** false when the prompt cannot fit; undefined when the server did not say. */
  fits?: boolean;
  problem?: string;
}

/** What the model's server said: its facts, or why there are none (no answer in time, or no such
 * model there: the run would fail on it). */
export type ModelFactsAnswer = { facts: ModelContextFacts } | { unknown: string; modelMissing?: boolean };

export function askModelFacts(llm: LlmSettings, timeoutMs = 3000): Promise<ModelFactsAnswer> {
  const [url, model] = [shownUrl(llm.url), shownValue(llm.model)];
  return modelContextFacts(llm.url, llm.model, AbortSignal.timeout(timeoutMs)).then(
    (facts) => ({ facts }),
    (e: unknown) =>
      // Ollama answers 404 "model 'x' not found"; a server without /api/show may 404 the route.
      e instanceof OllamaHttpError && e.status_code === 404 && /model\b.*\bnot found/i.test(e.message)
        ? { unknown: `the Ollama server at ${url} has no model ${model} (pull it: ollama pull ${model})`, modelMissing: true }
        : e instanceof OllamaHttpError
          ? { unknown: `${url} did not tell ${model}'s context size (HTTP ${e.status_code}: ${shownValue(e.message.slice(0, 80))})` }
          : { unknown: `${model} at ${url} did not answer` },
  );
}

export function contextReport(llm: LlmSettings, prompt: ChatPrompt, answer: ModelFactsAnswer): ContextReport {
  const tokens = estimateChatTokens(prompt);
  if (!('facts' in answer)) return { tokens, line: `context: prompt about ${tokens} tokens; ${answer.unknown}, so the num_ctx is chosen at run time` };
  const { facts } = answer;
  const userNumCtx = typeof llm.options?.num_ctx === 'number' ? llm.options.num_ctx : undefined;
  const answerTokens = llm.answerTokens ?? answerTokenBudget(900);
  const choice = chooseNumCtx({ promptTokens: tokens, answerTokens, facts, userNumCtx });
  const max = facts.maxContext !== undefined ? `model maximum ${facts.maxContext}` : 'model maximum unknown';
  const line = `context: prompt about ${tokens} tokens + up to ${answerTokens} for the answer -> num_ctx ${choice.numCtx}${userNumCtx !== undefined ? ' (set in [ollama] options)' : ''} (${max})`;
  return choice.ok ? { line, tokens, numCtx: choice.numCtx, fits: true } : { line, tokens, numCtx: choice.numCtx, fits: false, problem: choice.message };
}
