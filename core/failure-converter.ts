// The failure converter of every worker and client (DataConverter.failureConverterPath): a
// failure's message and stack travel in its encoded attributes, a payload the project's key
// encrypts (worker/payload-codec.ts), instead of in plain text in the workflow history. Workflow
// code uses it too (it is bundled with the workflows), so it imports only @temporalio/common.
import { DefaultFailureConverter } from '@temporalio/common';

export const failureConverter = new DefaultFailureConverter({ encodeCommonAttributes: true });
