// `worksplit server start|stop|status`: the project's embedded Temporal dev server.
import { ensureServer, serverStatus, stopServer } from '../dev-server';
import { Output } from '../output';
import { loadProject } from '../project';

export async function serverCommand(action: 'start' | 'stop' | 'status', dir: string, out: Output): Promise<number> {
  const { ref } = await loadProject(dir);
  if (action === 'start') {
    const st = await ensureServer(ref.root, { onNote: (m) => out.line(m) });
    out.line(`Temporal dev server running at ${st.address} (pid ${st.pid}); Web UI ${st.uiUrl}; data in .worksplit/temporal.db`);
    return 0;
  }
  if (action === 'stop') {
    const res = await stopServer(ref.root);
    out.line(res.stopped ? 'Temporal dev server stopped (its data stays in .worksplit/temporal.db).' : res.why);
    return 0;
  }
  const st = await serverStatus(ref.root);
  if (st.running && st.state) out.line(`running at ${st.state.address} (pid ${st.state.pid}); Web UI ${st.state.uiUrl}`);
  else out.line(st.untrusted ? `not running (${st.untrusted})` : 'not running');
  return st.running ? 0 : 1;
}
