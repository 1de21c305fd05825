// `worksplit ui`: the Web UI address of the project's batch (and of its job list), opened in a
// browser with --open.
import { spawn } from 'node:child_process';
import { batchWorkflowId } from '../../core/ids';
import { resolveTarget, workflowUiUrl } from '../connection';
import { Output, UsageError } from '../output';
import { uiHint } from '../remote-server';
import { loadProject } from '../project';

export function projectListUrl(uiUrl: string, namespace: string, projectKey: string): string {
  const query = `WorkSplitProject="${projectKey}"`;
  return `${uiUrl.replace(/\/$/, '')}/namespaces/${encodeURIComponent(namespace)}/workflows?query=${encodeURIComponent(query)}`;
}

export async function uiCommand(dir: string, open: boolean, out: Output): Promise<number> {
  const project = await loadProject(dir);
  const target = await resolveTarget(project, { start: false });
  if (!target?.uiUrl) throw new UsageError(target ? uiHint(target) : 'the embedded Temporal server is not running (worksplit server start, or worksplit run)');
  const batchUrl = workflowUiUrl(target, batchWorkflowId(project.ref.key))!;
  out.line(`batch: ${batchUrl}`);
  out.line(`jobs:  ${projectListUrl(target.uiUrl, target.namespace, project.ref.key)}`);
  // Payloads are sealed with the project's key; the embedded server's UI shows them readable to a
  // browser that opened this address once (client/ui-front.ts). It holds a secret: the owner's.
  let openUrl = batchUrl;
  if (target.embedded) {
    const { loginUrl, uiToken } = require('../ui-front') as typeof import('../ui-front');
    const url = new URL(batchUrl);
    openUrl = loginUrl(target.uiUrl, await uiToken(project.ref.root), `${url.pathname}${url.search}`);
    out.line(`to read inputs and results in this browser (once; keep it to yourself): ${openUrl}`);
  }
  if (open) {
    const cmd = process.platform === 'darwin' ? 'open' : process.platform === 'win32' ? 'start' : 'xdg-open';
    spawn(cmd, [openUrl], { detached: true, stdio: 'ignore' }).on('error', () => out.warn(`could not run ${cmd}; open the address above yourself`)).unref();
  }
  return 0;
}
