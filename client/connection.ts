// Which Temporal server a command talks to: TEMPORAL_ADDRESS (or [temporal] address) when set,
// otherwise the project's embedded dev server, started on demand. The Temporal client and the
// native worker module load only when a connection is made (each takes a few hundred ms), so
// reading the configuration costs a command nothing.
import type { Client, ConnectionOptions } from '@temporalio/client';
import { ClientConfigProfile, loadClientConfigProfile, toClientOptions } from '@temporalio/envconfig';
import type { NativeConnection } from '@temporalio/worker';
import { UsageError } from './output';
import { ensureServer, recordedServer, serverStatus } from './dev-server';
import type { Project } from './project';

export interface TemporalTarget {
  address: string;
  namespace: string;
  embedded: boolean;
  /** Web UI base address, when known. */
  uiUrl?: string;
  tls?: ConnectionOptions['tls'];
  apiKey?: string;
  metadata?: Record<string, string>;
}

/**
 * The configured server, if any, through Temporal's standard environment configuration
 * (@temporalio/envconfig): TEMPORAL_ADDRESS, TEMPORAL_NAMESPACE, TEMPORAL_API_KEY, TEMPORAL_TLS*,
 * and profiles in the client config file (TEMPORAL_CONFIG_FILE, TEMPORAL_PROFILE); then
 * [temporal] address and namespace in worksplit.toml. Empty variables count as unset.
 */
export function configuredTarget(project: Project, env: NodeJS.ProcessEnv = process.env): TemporalTarget | undefined {
  const vars = Object.fromEntries(Object.entries(env).filter((e): e is [string, string] => typeof e[1] === 'string' && e[1] !== ''));
  let profile: ClientConfigProfile;
  try {
    profile = loadClientConfigProfile({ ...(vars.TEMPORAL_PROFILE ? { profile: vars.TEMPORAL_PROFILE } : {}), overrideEnvVars: vars });
  } catch (e) {
    throw new UsageError(`Temporal client configuration: ${(e as Error).message}`);
  }
  const address = profile.address || project.config.temporal.address;
  if (!address) return undefined;
  const namespace = profile.namespace || project.config.temporal.namespace;
  const { connectionOptions } = toClientOptions({ ...profile, address, namespace });
  return {
    address,
    namespace,
    embedded: false,
    // Temporal Cloud's UI follows from its address; a self-hosted UI's must be given.
    uiUrl: vars.TEMPORAL_UI_URL ?? (require('./remote-server') as typeof import('./remote-server')).knownUiUrl(address),
    ...(connectionOptions.tls ? { tls: connectionOptions.tls } : {}),
    ...(typeof connectionOptions.apiKey === 'string' ? { apiKey: connectionOptions.apiKey } : {}),
    ...(connectionOptions.metadata ? { metadata: connectionOptions.metadata as Record<string, string> } : {}),
  };
}

/** The server to use, starting the embedded one when nothing else is configured. */
export async function resolveTarget(project: Project, opts: { start: boolean }): Promise<TemporalTarget | undefined> {
  const configured = configuredTarget(project);
  if (configured) return configured;
  if (opts.start) {
    const st = await ensureServer(project.ref.root, { onNote: (m) => process.stderr.write(`note: ${m}\n`) });
    return { address: st.address, namespace: 'default', embedded: true, uiUrl: st.uiUrl };
  }
  const st = await serverStatus(project.ref.root);
  if (!st.running || !st.state) return undefined;
  return { address: st.state.address, namespace: 'default', embedded: true, uiUrl: st.state.uiUrl };
}

/** The configured server, or the embedded one server.json records as running, without asking
 * it anything: for a caller that connects at once, its connection being the check. */
export async function recordedTarget(project: Project): Promise<TemporalTarget | undefined> {
  const configured = configuredTarget(project);
  if (configured) return configured;
  const st = await recordedServer(project.ref.root);
  return st && { address: st.address, namespace: 'default', embedded: true, uiUrl: st.uiUrl };
}

/** A client of the project's server whose payloads are sealed with the project's key
 * (worker/payload-codec.ts); `root` is the project's folder. */
export async function connectClient(t: TemporalTarget, root: string): Promise<Client> {
  const { Client, Connection } = require('@temporalio/client') as typeof import('@temporalio/client');
  const dataConverter = await clientDataConverter(root);
  const connection = await Connection.connect(connectionOptions(t));
  return new Client({ connection, namespace: t.namespace, dataConverter });
}

/** The data converter of the project's clients (the payload key is made on first use). */
export async function clientDataConverter(root: string) {
  const { payloadCodec } = require('./payload-key') as typeof import('./payload-key');
  const { sealedDataConverter } = require('../worker/payload-codec') as typeof import('../worker/payload-codec');
  return sealedDataConverter(await payloadCodec(root, { onForged: 'throw' }));
}

export async function connectWorker(t: TemporalTarget): Promise<NativeConnection> {
  const { NativeConnection } = require('@temporalio/worker') as typeof import('@temporalio/worker');
  return NativeConnection.connect(connectionOptions(t));
}

function connectionOptions(t: TemporalTarget) {
  return { address: t.address, ...(t.tls ? { tls: t.tls } : {}), ...(t.apiKey ? { apiKey: t.apiKey } : {}), ...(t.metadata ? { metadata: t.metadata } : {}) };
}

/** Web UI address of one workflow. */
export function workflowUiUrl(t: TemporalTarget, workflowId: string): string | undefined {
  if (!t.uiUrl) return undefined;
  return `${t.uiUrl.replace(/\/$/, '')}/namespaces/${encodeURIComponent(t.namespace)}/workflows/${encodeURIComponent(workflowId)}`;
}

