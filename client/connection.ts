// Which Temporal server a command talks to: TEMPORAL_ADDRESS (or [temporal] address) when set,
// otherwise the project's embedded dev server, started on demand.
import { readFileSync } from 'node:fs';
import { Client, Connection, ConnectionOptions } from '@temporalio/client';
import { NativeConnection } from '@temporalio/worker';
import { ensureServer, serverStatus } from './dev-server';
import type { Project } from './project';

export interface TemporalTarget {
  address: string;
  namespace: string;
  embedded: boolean;
  /** Web UI base address, when known. */
  uiUrl?: string;
  tls?: ConnectionOptions['tls'];
  apiKey?: string;
}

/** The configured server, if any: environment first (Temporal's standard variables), then the file. */
export function configuredTarget(project: Project): TemporalTarget | undefined {
  const env = process.env;
  const address = env.TEMPORAL_ADDRESS || project.config.temporal.address;
  if (!address) return undefined;
  const namespace = env.TEMPORAL_NAMESPACE || project.config.temporal.namespace;
  const certPath = env.TEMPORAL_TLS_CLIENT_CERT_PATH;
  const keyPath = env.TEMPORAL_TLS_CLIENT_KEY_PATH;
  const caPath = env.TEMPORAL_TLS_SERVER_CA_CERT_PATH;
  const apiKey = env.TEMPORAL_API_KEY || undefined;
  let tls: TemporalTarget['tls'];
  if (certPath && keyPath) {
    tls = {
      clientCertPair: { crt: readFileSync(certPath), key: readFileSync(keyPath) },
      ...(caPath ? { serverRootCACertificate: readFileSync(caPath) } : {}),
      ...(env.TEMPORAL_TLS_SERVER_NAME ? { serverNameOverride: env.TEMPORAL_TLS_SERVER_NAME } : {}),
    };
  } else if (env.TEMPORAL_TLS === 'true' || apiKey) tls = true;
  return { address, namespace, embedded: false, uiUrl: env.TEMPORAL_UI_URL || undefined, tls, ...(apiKey ? { apiKey } : {}) };
}

/** The server to use, starting the embedded one when nothing else is configured. */
export async function resolveTarget(project: Project, opts: { start: boolean }): Promise<TemporalTarget | undefined> {
  const configured = configuredTarget(project);
  if (configured) return configured;
  if (opts.start) {
    const st = await ensureServer(project.ref.root);
    return { address: st.address, namespace: 'default', embedded: true, uiUrl: st.uiUrl };
  }
  const st = await serverStatus(project.ref.root);
  if (!st.running || !st.state) return undefined;
  return { address: st.state.address, namespace: 'default', embedded: true, uiUrl: st.state.uiUrl };
}

export async function connectClient(t: TemporalTarget): Promise<Client> {
  const connection = await Connection.connect({ address: t.address, ...(t.tls ? { tls: t.tls } : {}), ...(t.apiKey ? { apiKey: t.apiKey } : {}) });
  return new Client({ connection, namespace: t.namespace });
}

export async function connectWorker(t: TemporalTarget): Promise<NativeConnection> {
  return NativeConnection.connect({ address: t.address, ...(t.tls ? { tls: t.tls } : {}), ...(t.apiKey ? { apiKey: t.apiKey } : {}) });
}

/** Web UI address of one workflow. */
export function workflowUiUrl(t: TemporalTarget, workflowId: string): string | undefined {
  if (!t.uiUrl) return undefined;
  return `${t.uiUrl.replace(/\/$/, '')}/namespaces/${encodeURIComponent(t.namespace)}/workflows/${encodeURIComponent(workflowId)}`;
}

