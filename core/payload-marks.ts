// What the payload codec (worker/payload-codec.ts) tells workflow code about a payload it
// received: pure constants and checks, importable from workflows.
//
// A payload the project's key does not open (a stranger's answer on the LLM queue, a plain one
// from a worker without the key) is not thrown on: a workflow activation that fails to decode is
// retried for ever, and the batch would hang. It is decoded to the value { [FORGED_FIELD]: why },
// which no activity returns, and workflow code calls again (workflows/authentic-call.ts).

/** The field of the value a payload the project's key does not open decodes to. */
export const FORGED_FIELD = 'worksplitUnauthenticated';

/** Metadata of the payload the codec puts in place of one the key does not open: a failure whose
 * encoded message (core/failure-converter.ts) carries it was made up by a worker without the key. */
export const FORGED_MARK = 'worksplit-unauthenticated';

export function isForgedValue(v: unknown): v is { [FORGED_FIELD]: string } {
  return typeof v === 'object' && v !== null && typeof (v as Record<string, unknown>)[FORGED_FIELD] === 'string';
}
