// One model call to Ollama's chat API, streamed, heartbeating its progress, aborted at once
// when Temporal cancels the activity or the worker shuts down. The only side effect: HTTP.
import { activityInfo, cancellationSignal, heartbeat } from '@temporalio/activity';
import { ApplicationFailure } from '@temporalio/common';
import { Ollama } from 'ollama';
import type { ChatPrompt } from '../core/prompts';
import { checkAnswerSize } from './answer-limit';
import { retryNote } from './retry-note';

export interface LlmSettings {
  url: string;
  model: string;
  timeoutSeconds: number;
  stallSeconds: number;
  think?: boolean;
  options?: Record<string, unknown>;
  stream: boolean;
  maxAnswerBytes?: number;
}

export interface ChatRequest {
  llm: LlmSettings;
  prompt: ChatPrompt;
}

export interface ChatResult {
  text: string;
  model: string;
  promptTokens: number;
  outputTokens: number;
  /** Model time reported by Ollama (total_duration), in ms. */
  modelMs: number;
  /** Wall time of the call as seen here, in ms. */
  wallMs: number;
}

/** What the LLM activity heartbeats: visible on the pending activity in the Web UI. */
export interface ChatHeartbeat {
  tokens: number;
  thinkingTokens: number;
  elapsedMs: number;
  attempt: number;
}

export interface LlmActivityOptions {
  /** A standalone `--llm-only` worker talks to its own Ollama, whatever the job's config says. */
  urlOverride?: string;
}

export function createLlmActivities(opts: LlmActivityOptions = {}) {
  return {
    async llmChat(req: ChatRequest): Promise<ChatResult> {
      return chat({ ...req.llm, url: opts.urlOverride ?? req.llm.url }, req.prompt);
    },
  };
}

async function chat(llm: LlmSettings, prompt: ChatPrompt): Promise<ChatResult> {
  const signal = cancellationSignal();
  const started = Date.now();
  const attempt = activityInfo().attempt;
  const request = {
    model: llm.model,
    messages: [
      { role: 'system', content: prompt.system },
      { role: 'user', content: prompt.user },
    ],
    ...(llm.think !== undefined ? { think: llm.think } : {}),
    ...(llm.options ? { options: llm.options } : {}),
  };
  // Heartbeat on a timer, not per token: a dead worker is noticed by the heartbeat timeout and a
  // cancel reaches us even while the model is silent. A silent stream is caught by the stall
  // watchdog below instead, which aborts it so Temporal retries the call.
  let tokens = 0;
  let thinkingTokens = 0;
  let lastTokenAt = Date.now();
  let lastContentAt = Date.now();
  const stall = new AbortController();
  let thinkOnly = false;
  const beat = setInterval(() => {
    heartbeat({ tokens, thinkingTokens, elapsedMs: Date.now() - started, attempt } satisfies ChatHeartbeat);
    if (!llm.stream) return;
    const now = Date.now();
    if (now - lastTokenAt > llm.stallSeconds * 1000) stall.abort();
    else if (now - lastContentAt > llm.stallSeconds * 1000 && thinkingTokens > 0) {
      // A reasoning model that thinks without ever answering is stalled too.
      thinkOnly = true;
      stall.abort();
    }
  }, 500);
  const stallOrCancel = AbortSignal.any([signal, stall.signal]);
  const client = new Ollama({
    host: llm.url,
    fetch: (input, init) => fetch(input, { ...init, signal: init?.signal ? AbortSignal.any([init.signal, stallOrCancel]) : stallOrCancel }),
  });
  try {
    if (!llm.stream) {
      const r = await client.chat({ ...request, stream: false });
      return result(llm, r.message.content, r, started);
    }
    const stream = await client.chat({ ...request, stream: true });
    let text = '';
    for await (const chunk of stream) {
      lastTokenAt = Date.now();
      if (chunk.message?.thinking) thinkingTokens++;
      if (chunk.message?.content) {
        text += chunk.message.content;
        tokens++;
        lastContentAt = lastTokenAt;
      }
      if (chunk.done) return result(llm, text, chunk, started);
    }
    throw new Error(`the stream from ${llm.url} ended before the answer was done (after ${tokens} tokens)${retryNote()}`);
  } catch (e) {
    if (signal.aborted) throw signal.reason ?? e;
    if (thinkOnly) {
      // Retried once; a model that only thinks twice in a row will not answer a third time.
      const msg = `${llm.model} thought for ${llm.stallSeconds}s without answering (${thinkingTokens} thinking tokens)`;
      throw attempt >= 2 ? ApplicationFailure.nonRetryable(`${msg}, twice; set [ollama] think = false or raise stall_seconds`, 'ThinkOnlyStall') : ApplicationFailure.retryable(`${msg}; retrying once`, 'ThinkOnlyStall');
    }
    if (stall.signal.aborted) {
      throw ApplicationFailure.retryable(`no token from ${llm.model} for ${llm.stallSeconds}s (stalled stream after ${tokens} tokens)${retryNote()}`, 'LlmStalled');
    }
    throw classify(e, llm);
  } finally {
    clearInterval(beat);
  }
}

function result(llm: LlmSettings, text: string, r: { prompt_eval_count?: number; eval_count?: number; total_duration?: number; model?: string }, started: number): ChatResult {
  checkAnswerSize(text, llm);
  return {
    text,
    model: r.model ?? llm.model,
    promptTokens: r.prompt_eval_count ?? 0,
    outputTokens: r.eval_count ?? 0,
    modelMs: Math.round((r.total_duration ?? 0) / 1e6),
    wallMs: Date.now() - started,
  };
}

/** Model-not-found is final; everything else (5xx, refused connections, cut streams) retries. */
function classify(e: unknown, llm: LlmSettings): unknown {
  const err = e as { status_code?: number; error?: string; message?: string; cause?: { code?: string } };
  const msg = err.error ?? err.message ?? String(e);
  if (err.status_code === 404 || /model ['"]?[^'"]*['"]? not found/i.test(msg)) {
    return ApplicationFailure.nonRetryable(`model "${llm.model}" is not available on the Ollama server at ${llm.url} (${msg}); pull it with: ollama pull ${llm.model}`, 'ModelNotFound');
  }
  if (err.cause?.code === 'ECONNREFUSED' || /fetch failed/i.test(msg)) {
    return ApplicationFailure.retryable(`Ollama at ${llm.url} is not reachable (${err.cause?.code ?? msg})${retryNote()}`, 'OllamaUnreachable');
  }
  if (err.status_code !== undefined) {
    return ApplicationFailure.retryable(`Ollama answered HTTP ${err.status_code}: ${msg}`, 'OllamaError');
  }
  return e;
}
