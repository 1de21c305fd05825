// A Temporal server worksplit did not start (TEMPORAL_ADDRESS, a client config profile or
// [temporal] address): a self-hosted cluster or Temporal Cloud. Before a batch starts on it, its
// namespace must exist and worksplit's search attributes must be registered there. The embedded
// dev server is started with both, so none of this runs for it.
import type { Connection } from '@temporalio/client';
import type { TemporalTarget } from './connection';
import { UsageError } from './output';

// gRPC status codes (the client's errors carry them as `code`).
const NOT_FOUND = 5;
const ALREADY_EXISTS = 6;
const PERMISSION_DENIED = 7;
const UNIMPLEMENTED = 12;
const UNAVAILABLE = 14;
const UNAUTHENTICATED = 16;
// temporal.api.enums.v1.IndexedValueType
const KEYWORD = 2;

function grpcCode(e: unknown): number | undefined {
  const code = (e as { code?: unknown } | undefined)?.code;
  return typeof code === 'number' ? code : undefined;
}

/** Temporal Cloud's gRPC endpoints: a namespace's (<ns>.<account>.tmprl.cloud) and the regional
 * ones API keys use (<region>.<provider>.api.temporal.io). */
export function isTemporalCloud(address: string): boolean {
  return /(\.tmprl\.cloud|\.api\.temporal\.io)(:\d+)?$/i.test(address);
}

/** The Web UI of a server, when it follows from the address alone: Temporal Cloud's. A
 * self-hosted Web UI is a separate service whose address only its operator knows. */
export function knownUiUrl(address: string): string | undefined {
  return isTemporalCloud(address) ? 'https://cloud.temporal.io' : undefined;
}

/** Where the Web UI is, for a server whose UI address is not known. */
export function uiHint(t: TemporalTarget): string {
  return `the Web UI of ${t.address} is not known: set TEMPORAL_UI_URL to its address (a self-hosted Temporal's UI is its own service, the temporalio/ui image or the Helm chart's web; docs/deploy.md)`;
}

function addressFlags(t: TemporalTarget): string {
  return `--address ${t.address} --namespace ${t.namespace}`;
}

/** The command that registers the missing search attributes, for someone allowed to. */
export function registerCommand(t: TemporalTarget, names: string[]): string {
  if (isTemporalCloud(t.address)) {
    return `tcld namespace search-attributes add --namespace ${t.namespace} ${names.map((n) => `--search-attribute "${n}=Keyword"`).join(' ')}`;
  }
  return names.map((n) => `temporal operator search-attribute create ${addressFlags(t)} --name ${n} --type Keyword`).join(' && ');
}

function unreachable(t: TemporalTarget, e: unknown): Error {
  const code = grpcCode(e);
  if (code === UNAUTHENTICATED || code === PERMISSION_DENIED) {
    return new UsageError(`the Temporal server at ${t.address} refused this client (${(e as Error).message}): check TEMPORAL_API_KEY or the TLS settings (TEMPORAL_TLS_CLIENT_CERT_PATH, TEMPORAL_TLS_CLIENT_KEY_PATH) or the profile in use (docs/deploy.md)`);
  }
  return new UsageError(`the Temporal server at ${t.address} does not answer (${(e as Error).message}); is TEMPORAL_ADDRESS right and the server up?`);
}

export interface PrepareResult {
  /** Search attributes this call registered. */
  registered: string[];
}

/**
 * Check the namespace and, when `searchAttributes`, register worksplit's search attributes that
 * are missing there (through the operator service). Fails with the command to run when the
 * namespace is missing or the caller may not register them.
 */
export async function prepareServer(connection: Connection, t: TemporalTarget, opts: { searchAttributes: boolean; waitMs?: number }): Promise<PrepareResult> {
  try {
    await connection.workflowService.describeNamespace({ namespace: t.namespace });
  } catch (e) {
    if (grpcCode(e) === NOT_FOUND) {
      const create = isTemporalCloud(t.address) ? 'create it in Temporal Cloud (tcld namespace create, or the Cloud UI)' : `create it: temporal operator namespace create ${addressFlags(t)} --retention 72h`;
      throw new UsageError(`the namespace "${t.namespace}" does not exist on ${t.address}: ${create}; or name another with TEMPORAL_NAMESPACE or [temporal] namespace`);
    }
    throw unreachable(t, e);
  }
  if (!opts.searchAttributes) return { registered: [] };
  const missing = await missingAttributes(connection, t);
  if (missing.length === 0) return { registered: [] };
  try {
    await connection.operatorService.addSearchAttributes({ namespace: t.namespace, searchAttributes: Object.fromEntries(missing.map((n) => [n, KEYWORD])) });
  } catch (e) {
    const code = grpcCode(e);
    if (code !== ALREADY_EXISTS) {
      const why = code === PERMISSION_DENIED || code === UNAUTHENTICATED || code === UNIMPLEMENTED ? 'this client may not register search attributes' : `registering search attributes failed (${(e as Error).message})`;
      throw new UsageError(`the search attributes ${missing.join(', ')} are not registered in namespace "${t.namespace}" on ${t.address}, and ${why}. Have them registered: ${registerCommand(t, missing)}; or set [temporal] search_attributes = false in worksplit.toml (the Web UI then cannot list the project's workflows)`);
    }
  }
  // A new attribute reaches the frontends' caches within seconds; a batch started before would
  // be refused, so wait until the namespace lists them.
  const deadline = Date.now() + (opts.waitMs ?? 60_000);
  for (;;) {
    const still = await missingAttributes(connection, t);
    if (still.length === 0) return { registered: missing };
    if (Date.now() > deadline) throw new UsageError(`registered the search attributes ${still.join(', ')} in namespace "${t.namespace}", but ${t.address} does not list them yet; try again in a minute`);
    await new Promise((r) => setTimeout(r, 500));
  }
}

async function missingAttributes(connection: Connection, t: TemporalTarget): Promise<string[]> {
  // Loaded here: configuredTarget() loads this module for knownUiUrl, and commands that only read
  // the configuration must not pay for the SDK's common package.
  const { SEARCH_ATTRIBUTE_NAMES } = require('../core/search-attributes') as typeof import('../core/search-attributes');
  let custom: Record<string, unknown>;
  try {
    const res = await connection.operatorService.listSearchAttributes({ namespace: t.namespace });
    custom = (res.customAttributes ?? {}) as Record<string, unknown>;
  } catch (e) {
    const code = grpcCode(e);
    if (code === PERMISSION_DENIED || code === UNIMPLEMENTED) {
      // Not allowed to look: the batch's start says whether they are there.
      return [];
    }
    if (code === UNAVAILABLE) throw unreachable(t, e);
    throw e;
  }
  const wrongType = SEARCH_ATTRIBUTE_NAMES.filter((n) => n in custom && Number(custom[n]) !== KEYWORD);
  if (wrongType.length > 0) {
    throw new UsageError(`namespace "${t.namespace}" on ${t.address} has ${wrongType.join(', ')} with a type other than Keyword; worksplit needs Keyword (or set [temporal] search_attributes = false)`);
  }
  return SEARCH_ATTRIBUTE_NAMES.filter((n) => !(n in custom));
}

/** prepareServer on a connection of its own (closed after). */
export async function prepareTarget(t: TemporalTarget, opts: { searchAttributes: boolean }): Promise<PrepareResult> {
  const { Connection } = require('@temporalio/client') as typeof import('@temporalio/client');
  let connection: Connection;
  try {
    connection = await Connection.connect({ address: t.address, ...(t.tls ? { tls: t.tls } : {}), ...(t.apiKey ? { apiKey: t.apiKey } : {}), ...(t.metadata ? { metadata: t.metadata } : {}), connectTimeout: 10_000 });
  } catch (e) {
    throw unreachable(t, e);
  }
  try {
    return await prepareServer(connection, t, opts);
  } finally {
    await connection.close().catch(() => undefined);
  }
}
