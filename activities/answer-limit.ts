// The model's answer goes into workflow history as the activity's result: an answer over the cap
// fails the call for good with LimitExceeded, instead of Temporal refusing the payload after
// every one of its retries.
import { fileByteCap, formatBytes } from '../core/limits';
import { finalFailure } from './failures';

export interface AnswerLimit {
  model: string;
  /** [limits] max_file_bytes; the default when a workflow input predates it. */
  maxAnswerBytes?: number;
}

export function checkAnswerSize(text: string, llm: AnswerLimit): void {
  const cap = fileByteCap(llm.maxAnswerBytes);
  // UTF-8 takes at most 3 bytes per UTF-16 unit: most answers need no byte count at all.
  if (text.length * 3 <= cap) return;
  const bytes = Buffer.byteLength(text);
  if (bytes > cap) {
    throw finalFailure(`the answer of ${llm.model} is ${formatBytes(bytes)}, over the ${formatBytes(cap)} limit ([limits] max_file_bytes); ask for smaller files`, 'LimitExceeded');
  }
}
