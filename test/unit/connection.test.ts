// Which Temporal server the CLI talks to: Temporal's standard environment configuration (env
// variables and client-config profiles), then worksplit.toml, else the embedded server.
import { mkdtempSync, writeFileSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { configuredTarget } from '../../client/connection';
import { registerCommand, uiHint } from '../../client/remote-server';
import type { Project } from '../../client/project';
import { defaultConfig } from '../../core/config';

function project(address?: string): Project {
  const config = defaultConfig();
  if (address) config.temporal.address = address;
  return { ref: { root: '/p', name: 'p', key: 'p-1' }, config, warnings: [], queues: { project: 'q', llm: 'l' } };
}

test('nothing configured: the embedded server (no target)', () => {
  expect(configuredTarget(project(), { TEMPORAL_ADDRESS: '', TEMPORAL_CONFIG_FILE: '/nonexistent/temporal.toml' })).toBeUndefined();
});

test('environment variables: address, namespace, API key (TLS on with a key)', () => {
  const t = configuredTarget(project('ignored:1'), { TEMPORAL_ADDRESS: 'my-ns.a1b2c.tmprl.cloud:7233', TEMPORAL_NAMESPACE: 'my-ns.a1b2c', TEMPORAL_API_KEY: 'secret', TEMPORAL_CONFIG_FILE: '/nonexistent/temporal.toml' })!;
  expect(t).toMatchObject({ address: 'my-ns.a1b2c.tmprl.cloud:7233', namespace: 'my-ns.a1b2c', apiKey: 'secret', embedded: false });
  expect(t.tls).toBeTruthy();
});

test('a client-config profile with mTLS certificates, chosen by TEMPORAL_PROFILE', () => {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'ws-envconfig-'));
  writeFileSync(path.join(dir, 'client.pem'), 'CERT');
  writeFileSync(path.join(dir, 'client.key'), 'KEY');
  const file = path.join(dir, 'temporal.toml');
  writeFileSync(file, `[profile.prod]\naddress = "temporal.internal:7233"\nnamespace = "builds"\n[profile.prod.tls]\nclient_cert_path = "${dir}/client.pem"\nclient_key_path = "${dir}/client.key"\n`);
  const t = configuredTarget(project(), { TEMPORAL_CONFIG_FILE: file, TEMPORAL_PROFILE: 'prod' })!;
  expect(t).toMatchObject({ address: 'temporal.internal:7233', namespace: 'builds' });
  expect(t.tls).toMatchObject({ clientCertPair: { crt: Buffer.from('CERT'), key: Buffer.from('KEY') } });
});

test('worksplit.toml [temporal] address when the environment names none', () => {
  expect(configuredTarget(project('cluster:7233'), { TEMPORAL_CONFIG_FILE: '/nonexistent/temporal.toml' })).toMatchObject({ address: 'cluster:7233', namespace: 'default' });
});

test('the Web UI: Temporal Cloud\'s follows from the address; a self-hosted one only from TEMPORAL_UI_URL', () => {
  const none = { TEMPORAL_CONFIG_FILE: '/nonexistent/temporal.toml' };
  expect(configuredTarget(project(), { ...none, TEMPORAL_ADDRESS: 'my-ns.a1b2c.tmprl.cloud:7233' })!.uiUrl).toBe('https://cloud.temporal.io');
  expect(configuredTarget(project(), { ...none, TEMPORAL_ADDRESS: 'us-east-1.aws.api.temporal.io:7233', TEMPORAL_API_KEY: 'k' })!.uiUrl).toBe('https://cloud.temporal.io');
  expect(configuredTarget(project(), { ...none, TEMPORAL_ADDRESS: 'temporal.internal:7233' })!.uiUrl).toBeUndefined();
  expect(configuredTarget(project(), { ...none, TEMPORAL_ADDRESS: 'temporal.internal:7233', TEMPORAL_UI_URL: 'http://ui.internal:8080' })!.uiUrl).toBe('http://ui.internal:8080');
  expect(uiHint(configuredTarget(project(), { ...none, TEMPORAL_ADDRESS: 'temporal.internal:7233' })!)).toContain('set TEMPORAL_UI_URL');
});

test('the command that registers missing search attributes names the server, the namespace and each attribute', () => {
  const none = { TEMPORAL_CONFIG_FILE: '/nonexistent/temporal.toml' };
  const self = configuredTarget(project(), { ...none, TEMPORAL_ADDRESS: 'temporal.internal:7233', TEMPORAL_NAMESPACE: 'builds' })!;
  expect(registerCommand(self, ['WorkSplitProject', 'WorkSplitJob'])).toBe(
    'temporal operator search-attribute create --address temporal.internal:7233 --namespace builds --name WorkSplitProject --type Keyword && temporal operator search-attribute create --address temporal.internal:7233 --namespace builds --name WorkSplitJob --type Keyword',
  );
  const cloud = configuredTarget(project(), { ...none, TEMPORAL_ADDRESS: 'my-ns.a1b2c.tmprl.cloud:7233', TEMPORAL_NAMESPACE: 'my-ns.a1b2c' })!;
  expect(registerCommand(cloud, ['WorkSplitStatus'])).toBe('tcld namespace search-attributes add --namespace my-ns.a1b2c --search-attribute "WorkSplitStatus=Keyword"');
});
