// The shapes of a model call that the batch's input, the LLM activity and the CLI share.
// Pure: types only.
import type { VerdictFormat } from './verdict';

export interface LlmSettings {
  url: string;
  model: string;
  /** Limit of the whole call, the activity's start-to-close timeout: first byte plus answer. */
  timeoutSeconds: number;
  /** Limit of the answer once it streams (timeout_seconds). Unset in batches started by older
   * versions, where timeoutSeconds was the only limit. */
  answerSeconds?: number;
  /** Limit of the wait before the first byte: queue, model load, reading the prompt. */
  firstByteSeconds?: number;
  stallSeconds: number;
  think?: boolean;
  options?: Record<string, unknown>;
  stream: boolean;
  /** Room kept for the answer in the context window (from max_output_lines). */
  answerTokens?: number;
  /** [limits] max_file_bytes: a longer answer fails with LimitExceeded. */
  maxAnswerBytes?: number;
  /** [ollama] verdicts: how verification calls ask for the verdict. Unset in batches started
   * before the setting existed, which ask as 'structured' does. */
  verdicts?: VerdictFormat;
}

/** What the LLM activity heartbeats: visible on the pending activity in the Web UI. */
export interface ChatHeartbeat {
  /** 'waiting': queued at Ollama, loading the model or reading the prompt; 'answering': streaming. */
  phase: 'waiting' | 'answering';
  tokens: number;
  thinkingTokens: number;
  elapsedMs: number;
  attempt: number;
  numCtx?: number;
}
