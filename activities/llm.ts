// One model call to Ollama's chat API, streamed, heartbeating its progress, aborted at once
// when Temporal cancels the activity or the worker shuts down. The only side effect: HTTP.
//
// A call has two phases with their own clocks. Until the first byte, the request waits: in
// Ollama's queue (OLLAMA_NUM_PARALLEL requests run at once, the rest wait without a byte, not
// even headers), for the model to load, and for the prompt to be read. That is not a stall and
// gets first_byte_seconds. Once the answer streams, silence longer than stall_seconds is a stall
// and the answer as a whole gets timeout_seconds.
import { activityInfo, cancellationSignal, heartbeat, sleep } from '@temporalio/activity';
import { ApplicationFailure } from '@temporalio/common';
import { ChatRequest as OllamaChatRequest, ChatResponse, Ollama } from 'ollama';
import {
  CONTEXT_ADVICE,
  ModelContextFacts,
  answerRoom,
  answerTokenBudget,
  chooseNumCtx,
  estimateChatTokens,
  largerNumCtx,
  overflowMessage,
  promptWasCut,
} from '../core/context-window';
import type { ChatPrompt } from '../core/prompts';
import type { ChatHeartbeat, LlmSettings } from '../core/model-call';
import { checkAnswerSize } from './answer-limit';
import { quietErrorFetch } from '../ollama-api/error-fetch';
import { strictStreamFetch } from '../ollama-api/strict-stream';
import { modelContextFacts } from '../ollama-api/model-facts';
import { finalFailure, retryableFailure, withDetails } from './failures';

export interface ChatRequest {
  llm: LlmSettings;
  prompt: ChatPrompt;
  /** A JSON schema the answer must follow (Ollama's structured output): verification calls. */
  format?: Record<string, unknown>;
  /** What the call is (generate, edit, verify...): the room its answer needs (answerRoom). */
  kind?: string;
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
  /** The context window the call ran with. */
  numCtx?: number;
}

export interface LlmActivityOptions {
  /** The worker's own Ollama: calls go there whatever the workflow's input says (see WorkerSetup). */
  url: string;
}

/** Defaults for batches started before these settings existed. */
const DEFAULT_FIRST_BYTE_SECONDS = 600;
const DEFAULT_ANSWER_TOKENS = answerTokenBudget(900);

const answerTokens = (llm: LlmSettings): number => llm.answerTokens ?? DEFAULT_ANSWER_TOKENS;

/** Per Ollama server and model, the num_ctx this worker last used: later calls reuse it when it
 * is big enough, since every change of num_ctx makes Ollama reload the model. */
const numCtxInUse = new Map<string, number>();

export function createLlmActivities(opts: LlmActivityOptions) {
  return {
    async llmChat(req: ChatRequest): Promise<ChatResult> {
      return chat({ ...req.llm, url: opts.url }, req.prompt, req.format, req.kind);
    },
  };
}

async function chat(settings: LlmSettings, prompt: ChatPrompt, format?: Record<string, unknown>, kind = 'generate'): Promise<ChatResult> {
  const key = `${settings.url}\n${settings.model}`;
  const facts = await modelContextFacts(settings.url, settings.model, cancellationSignal()).catch((e) => {
    throw classify(e, settings);
  });
  // The room for this call's answer: num_ctx is sized for it and num_predict bounds it.
  const llm = { ...settings, answerTokens: answerRoom(kind, answerTokens(settings), !!facts.thinks && settings.think !== false) };
  const userNumCtx = typeof llm.options?.num_ctx === 'number' ? llm.options.num_ctx : undefined;
  const promptTokens = estimateChatTokens(prompt);
  const choice = chooseNumCtx({ promptTokens, answerTokens: answerTokens(llm), facts, userNumCtx, current: numCtxInUse.get(key) });
  if (!choice.ok) throw finalFailure(choice.message, 'ContextOverflow');
  let numCtx = choice.numCtx;
  for (;;) {
    try {
      const r = await call(llm, prompt, numCtx, facts, format);
      numCtxInUse.set(key, Math.max(numCtx, numCtxInUse.get(key) ?? 0));
      return r;
    } catch (e) {
      if (!(e instanceof PromptTooLong)) throw e;
      // Our estimate was low for this text: the server counted more tokens than fit. Try the
      // next size while the model allows it; a size the user set is not ours to change.
      const bigger = userNumCtx === undefined ? largerNumCtx(numCtx, facts) : undefined;
      if (bigger === undefined) {
        throw finalFailure(`${llm.model} at ${llm.url} refused the prompt: ${e.message} (${overflowMessage(promptTokens, numCtx, facts.maxContext)})`, 'ContextOverflow');
      }
      numCtx = bigger;
    }
  }
}

/** The server said the prompt does not fit in num_ctx (HTTP 400 with truncate: false). */
class PromptTooLong extends Error {}

async function call(llm: LlmSettings, prompt: ChatPrompt, numCtx: number, facts: ModelContextFacts, format?: Record<string, unknown>): Promise<ChatResult> {
  const cancelled = cancellationSignal();
  const started = Date.now();
  const attempt = activityInfo().attempt;
  const firstByteMs = (llm.firstByteSeconds ?? DEFAULT_FIRST_BYTE_SECONDS) * 1000;
  // Batches from older versions had one limit for the whole call; keep it for them.
  const answerMs = (llm.answerSeconds ?? llm.timeoutSeconds) * 1000;
  const request: OllamaChatRequest & { truncate: boolean; shift: boolean } = {
    model: llm.model,
    messages: [
      { role: 'system', content: prompt.system },
      { role: 'user', content: prompt.user },
    ],
    ...(llm.think !== undefined ? { think: llm.think } : {}),
    ...(format ? { format } : {}),
    // num_predict bounds the answer to the room kept for it (max_output_lines): a model that
    // rambles on ends with done_reason "length" instead of filling the context. The user's own
    // num_predict in [ollama] options wins.
    options: { num_predict: answerTokens(llm), ...llm.options, num_ctx: numCtx },
    // Ask Ollama to refuse rather than cut: a prompt over num_ctx answers HTTP 400 instead of
    // losing its start, and an answer reaching the end of the context stops with done_reason
    // "length" instead of dropping the start of the context to go on (Ollama ≥ 0.12).
    truncate: false,
    shift: false,
  };

  let phase: ChatHeartbeat['phase'] = 'waiting';
  let tokens = 0;
  let thinkingTokens = 0;
  let answerStartedAt = 0;
  let lastTokenAt = 0;
  let lastContentAt = 0;
  let stop: 'firstByte' | 'stall' | 'thinkOnly' | 'answerTime' | undefined;
  const watchdog = new AbortController();
  const abort = (why: NonNullable<typeof stop>) => {
    stop = why;
    watchdog.abort();
  };
  // Heartbeat on a timer, not per token: a dead worker is noticed by the heartbeat timeout and a
  // cancel reaches us even while the model is silent or the request waits in Ollama's queue.
  const beat = setInterval(() => {
    heartbeat({ phase, tokens, thinkingTokens, elapsedMs: Date.now() - started, attempt, numCtx } satisfies ChatHeartbeat);
    const now = Date.now();
    if (phase === 'waiting') {
      if (now - started > firstByteMs) abort('firstByte');
      return;
    }
    if (now - answerStartedAt > answerMs) abort('answerTime');
    else if (!llm.stream) return;
    else if (now - lastTokenAt > llm.stallSeconds * 1000) abort('stall');
    else if (now - lastContentAt > llm.stallSeconds * 1000 && thinkingTokens > 0) abort('thinkOnly'); // thinks without ever answering
  }, 500);
  const signal = AbortSignal.any([cancelled, watchdog.signal]);
  const client = new Ollama({
    host: llm.url,
    // Error pages that are not JSON (a proxy's 502) reach the message without the client's stray log line.
    fetch: quietErrorFetch(strictStreamFetch((input, init) => fetch(input, { ...init, signal: init?.signal ? AbortSignal.any([init.signal, signal]) : signal }), llm.url)),
  });
  const answering = () => {
    phase = 'answering';
    answerStartedAt = lastTokenAt = lastContentAt = Date.now();
  };
  try {
    for (let busy = 0; ; busy++) {
      try {
        if (!llm.stream) {
          // Without streaming the first byte is the whole answer: both limits apply at once.
          const r = await client.chat({ ...request, stream: false });
          answering();
          // Ollama ends an answer that repeats itself (llm/server.go) with done: false and no
          // counts: the answer is cut, like a stream that ends early.
          if (!r.done) throw new Error(`the answer from ${llm.url} ended before it was done (done: false)`);
          return finish(llm, r.message.content, r, started, numCtx, facts);
        }
        const stream = await client.chat({ ...request, stream: true });
        answering();
        let text = '';
        for await (const chunk of stream) {
          lastTokenAt = Date.now();
          if (chunk.message?.thinking) thinkingTokens++;
          if (chunk.message?.content) {
            text += chunk.message.content;
            tokens++;
            lastContentAt = lastTokenAt;
          }
          if (chunk.done) return finish(llm, text, chunk, started, numCtx, facts);
        }
        throw new Error(`the stream from ${llm.url} ended before the answer was done (after ${tokens} tokens)`);
      } catch (e) {
        // Ollama's queue is full (OLLAMA_MAX_QUEUE): wait and ask again, within the wait budget.
        if (!isBusy(e) || signal.aborted || Date.now() - started > firstByteMs) throw e;
        await sleep(Math.min(30_000, 1000 * 2 ** Math.min(busy, 5)));
      }
    }
  } catch (e) {
    if (cancelled.aborted) throw cancelled.reason ?? e;
    if (e instanceof ApplicationFailure) throw e;
    throw failureOf(e, stop, { llm, tokens, thinkingTokens, attempt, firstByteMs, answerMs });
  } finally {
    clearInterval(beat);
  }
}

function failureOf(e: unknown, stop: string | undefined, c: { llm: LlmSettings; tokens: number; thinkingTokens: number; attempt: number; firstByteMs: number; answerMs: number }): unknown {
  const { llm } = c;
  switch (stop) {
    case 'firstByte':
      return retryableFailure(
        `no answer from ${llm.model} at ${llm.url} within ${c.firstByteMs / 1000}s (first_byte_seconds: waiting for a free slot, the model to load and the prompt to be read)`,
        'LlmFirstByteTimeout',
      );
    case 'answerTime':
      return retryableFailure(`the answer of ${llm.model} took longer than ${c.answerMs / 1000}s (timeout_seconds) after ${c.tokens} tokens`, 'LlmTimeout');
    case 'thinkOnly': {
      // Retried once; a model that only thinks twice in a row will not answer a third time.
      const msg = `${llm.model} thought for ${llm.stallSeconds}s without answering (${c.thinkingTokens} thinking tokens)`;
      return c.attempt >= 2
        ? finalFailure(`${msg}, twice; set [ollama] think = false or raise stall_seconds`, 'ThinkOnlyStall')
        : retryableFailure(msg, 'ThinkOnlyStall');
    }
    case 'stall':
      return retryableFailure(`no token from ${llm.model} for ${llm.stallSeconds}s (stalled stream after ${c.tokens} tokens)`, 'LlmStalled');
  }
  if (isPromptTooLong(e)) return new PromptTooLong(errorText(e));
  return classify(e, llm);
}

type OllamaDone = Pick<ChatResponse, 'prompt_eval_count' | 'eval_count' | 'total_duration' | 'model'> & { done_reason?: string };

function finish(llm: LlmSettings, text: string, r: OllamaDone, started: number, numCtx: number, facts: ModelContextFacts): ChatResult {
  const promptTokens = r.prompt_eval_count ?? 0;
  const outputTokens = r.eval_count ?? 0;
  // The call ran whether or not its answer is used: its tokens count in the job's usage.
  const usage: CallUsage = { promptTokens, outputTokens, modelMs: Math.round((r.total_duration ?? 0) / 1e6) };
  try {
    return checked(llm, text, r, started, numCtx, facts, usage);
  } catch (e) {
    throw e instanceof ApplicationFailure ? withDetails(e, [{ usage }]) : e;
  }
}

/** The usage of a call whose answer was refused, in its failure's details (read by the job). */
export interface CallUsage {
  promptTokens: number;
  outputTokens: number;
  modelMs: number;
}

function checked(llm: LlmSettings, text: string, r: OllamaDone, started: number, numCtx: number, facts: ModelContextFacts, usage: CallUsage): ChatResult {
  checkAnswerSize(text, llm);
  const { promptTokens, outputTokens } = usage;
  const used = `prompt ${promptTokens} + answer ${outputTokens} tokens, num_ctx ${numCtx}${facts.maxContext !== undefined ? `, model maximum ${facts.maxContext}` : ''}`;
  if (promptTokens > 0 && promptWasCut(promptTokens, numCtx)) {
    // A server that ignores truncate: false keeps only the end of the prompt: never use such an answer.
    throw finalFailure(`${llm.model} at ${llm.url} read only the last ${promptTokens} tokens of the prompt (it fills num_ctx ${numCtx}: the start was cut); the answer was not used: ${CONTEXT_ADVICE}`, 'ContextOverflow');
  }
  if (r.done_reason === 'length' && typeof llm.options?.num_predict !== 'number' && outputTokens >= answerTokens(llm)) {
    throw finalFailure(`the answer of ${llm.model} reached its length limit, ${answerTokens(llm)} tokens (num_predict, from max_output_lines${facts.thinks && llm.think !== false ? ' plus thinking' : ''}), and was not used: the model rambled on, or the job asks for more than max_output_lines allows (split the job or raise max_output_lines)`, 'LimitExceeded');
  }
  if (r.done_reason === 'length') {
    throw finalFailure(`the answer of ${llm.model} was cut short at a length limit (done_reason "length"; ${used}); it was not used: raise max_output_lines or num_ctx, or split the job`, 'ContextOverflow');
  }
  return { text, model: r.model ?? llm.model, promptTokens, outputTokens, modelMs: usage.modelMs, wallMs: Date.now() - started, numCtx };
}

function errorText(e: unknown): string {
  const err = e as { error?: string; message?: string };
  return err.error ?? err.message ?? String(e);
}

function statusOf(e: unknown): number | undefined {
  return (e as { status_code?: number }).status_code;
}

/** Ollama's answer to a prompt over num_ctx with truncate: false (HTTP 400). */
function isPromptTooLong(e: unknown): boolean {
  return statusOf(e) === 400 && /exceeds the context length|context length/i.test(errorText(e));
}

/** Ollama's answer when OLLAMA_MAX_QUEUE requests already wait (HTTP 503 "server busy"). */
function isBusy(e: unknown): boolean {
  return statusOf(e) === 503 && /busy|maximum pending requests/i.test(errorText(e));
}

/** Model-not-found is final; everything else (5xx, refused connections, cut streams) retries. */
/** Socket errors that mean the server is not there (or not reachable from here). */
const NETWORK_ERRORS = new Set(['ECONNREFUSED', 'ECONNRESET', 'ENOTFOUND', 'EAI_AGAIN', 'EHOSTUNREACH', 'ENETUNREACH', 'ETIMEDOUT', 'UND_ERR_SOCKET', 'UND_ERR_CONNECT_TIMEOUT']);

export function classify(e: unknown, llm: Pick<LlmSettings, 'url' | 'model'>): unknown {
  if (e instanceof ApplicationFailure) return e;
  const err = e as { cause?: { code?: string } };
  const msg = errorText(e);
  const status = statusOf(e);
  if (status === 404 || /model ['"]?[^'"]*['"]? not found/i.test(msg)) {
    return finalFailure(`model "${llm.model}" is not available on the Ollama server at ${llm.url} (${msg}); pull it with: ollama pull ${llm.model}`, 'ModelNotFound');
  }
  if (NETWORK_ERRORS.has(err.cause?.code ?? '') || /fetch failed/i.test(msg)) {
    return retryableFailure(`Ollama at ${llm.url} is not reachable (${err.cause?.code ?? msg})`, 'OllamaUnreachable');
  }
  if (status !== undefined) return retryableFailure(`Ollama answered HTTP ${status}: ${msg}`, 'OllamaError');
  return retryableFailure(msg, 'OllamaError');
}
