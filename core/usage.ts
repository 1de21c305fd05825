// Token accounting: prompt and output tokens and model time, summed per job and per batch.

export interface Usage {
  calls: number;
  promptTokens: number;
  outputTokens: number;
  /** Model time reported by Ollama (total_duration), ms. */
  modelMs: number;
}

export function emptyUsage(): Usage {
  return { calls: 0, promptTokens: 0, outputTokens: 0, modelMs: 0 };
}

export function addUsage(a: Usage, b: Partial<Usage>): Usage {
  return {
    calls: a.calls + (b.calls ?? 0),
    promptTokens: a.promptTokens + (b.promptTokens ?? 0),
    outputTokens: a.outputTokens + (b.outputTokens ?? 0),
    modelMs: a.modelMs + (b.modelMs ?? 0),
  };
}
