// Hosts for the cluster tier: network namespaces the test creates and removes. The "server" host
// holds one end of a veth pair to each of the others and relays their connections to the Temporal
// frontend on this machine's loopback (netns-forward.py); the project host runs the project's
// worker and `run`, each LLM host a `worksplit worker --llm-only` and its own Ollama stand-in on its
// own 127.0.0.1. The 10.231.x.0/30 addresses exist only inside these namespaces; nothing is added
// to the machine's own network.
import { ChildProcess, execFileSync, spawn } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import * as path from 'node:path';
import type { HostCall } from '../support/cluster-llm-host';

const REPO = path.join(__dirname, '..', '..');
const CLI = path.join(REPO, 'bin', 'worksplit.js');
const FRONTEND_PORT = 7233;

export interface HostProcess {
  child: ChildProcess;
  output(): string;
  exited: Promise<number | null>;
}

export interface Host {
  name: string;
  netns: string;
  /** The server's address as this host reaches it (over its veth pair). */
  temporalAddress: string;
  /** The server end of this host's veth pair, in the server namespace. */
  serverLink: string;
  processes: HostProcess[];
}

function ip(...args: string[]): void {
  execFileSync('ip', args, { stdio: ['ignore', 'ignore', 'pipe'] });
}

/** Namespaces a crashed earlier run left behind (only ours: the wsc- prefix). */
export function removeStaleNamespaces(): void {
  let list: string;
  try {
    list = execFileSync('ip', ['netns', 'list'], { encoding: 'utf8' });
  } catch {
    return;
  }
  for (const line of list.split('\n')) {
    const name = line.split(' ')[0];
    if (/^wsc-[0-9a-z]+-(srv|proj|llm1|llm2)$/.test(name)) ip('netns', 'del', name);
  }
}

export class TestNetwork {
  readonly id = Math.random().toString(36).slice(2, 7);
  readonly serverNetns = `wsc-${this.id}-srv`;
  readonly hosts: Record<'proj' | 'llm1' | 'llm2', Host>;
  private forwarder?: ChildProcess;
  private readonly made: string[] = [];

  constructor() {
    const host = (name: 'proj' | 'llm1' | 'llm2', subnet: number): Host => ({
      name,
      netns: `wsc-${this.id}-${name}`,
      temporalAddress: `10.231.${subnet}.1:${FRONTEND_PORT}`,
      serverLink: `wsc${this.id}s${subnet}`,
      processes: [],
    });
    this.hosts = { proj: host('proj', 1), llm1: host('llm1', 2), llm2: host('llm2', 3) };
  }

  /** Create the namespaces and veth pairs, and relay the server's frontend into them. */
  async up(temporalAddress: string): Promise<void> {
    if (process.getuid?.() !== 0) throw new Error('the cluster tier\'s network tests create network namespaces: run them as root (CI does)');
    removeStaleNamespaces();
    for (const ns of [this.serverNetns, ...Object.values(this.hosts).map((h) => h.netns)]) {
      ip('netns', 'add', ns);
      this.made.push(ns);
      ip('-n', ns, 'link', 'set', 'lo', 'up');
    }
    Object.values(this.hosts).forEach((h, i) => {
      const subnet = i + 1;
      const inside = `wsc${this.id}h${subnet}`;
      // Both ends are created inside the server namespace, then one moves to the host: no
      // interface ever appears in the machine's own namespace.
      ip('-n', this.serverNetns, 'link', 'add', h.serverLink, 'type', 'veth', 'peer', 'name', inside);
      ip('-n', this.serverNetns, 'link', 'set', inside, 'netns', h.netns);
      ip('-n', this.serverNetns, 'addr', 'add', `10.231.${subnet}.1/30`, 'dev', h.serverLink);
      ip('-n', h.netns, 'addr', 'add', `10.231.${subnet}.2/30`, 'dev', inside);
      ip('-n', this.serverNetns, 'link', 'set', h.serverLink, 'up');
      ip('-n', h.netns, 'link', 'set', inside, 'up');
    });
    const listens = Object.values(this.hosts).map((h) => h.temporalAddress);
    this.forwarder = spawn('python3', [path.join(__dirname, 'netns-forward.py'), this.serverNetns, temporalAddress, ...listens], { stdio: ['pipe', 'pipe', 'inherit'] });
    await new Promise<void>((resolve, reject) => {
      let out = '';
      this.forwarder!.stdout!.on('data', (d) => {
        out += d;
        if (out.includes('ready')) resolve();
      });
      this.forwarder!.on('exit', (code) => reject(new Error(`netns-forward.py exited (${code})`)));
    });
  }

  /** Run a command inside a host's namespace. */
  spawnIn(host: Host, command: string, args: string[], env: NodeJS.ProcessEnv = {}): HostProcess {
    const child = spawn('ip', ['netns', 'exec', host.netns, command, ...args], { env: { ...process.env, NO_COLOR: '1', ...env }, stdio: ['pipe', 'pipe', 'pipe'] });
    let out = '';
    child.stdout!.on('data', (d) => (out += d));
    child.stderr!.on('data', (d) => (out += d));
    const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
    const p = { child, output: () => out, exited };
    host.processes.push(p);
    return p;
  }

  /** The worksplit CLI on a host, reaching the server through TEMPORAL_ADDRESS as the guide says. */
  worksplit(host: Host, args: string[], env: NodeJS.ProcessEnv = {}): HostProcess {
    return this.spawnIn(host, process.execPath, [CLI, ...args], { TEMPORAL_ADDRESS: host.temporalAddress, TEMPORAL_UI_URL: '', ...env });
  }

  /** Start an LLM host's Ollama stand-in on its own 127.0.0.1:11434; returns its URL. */
  async startOllama(host: Host, callsFile: string, opts: { chunks: number; chunkDelayMs: number }): Promise<string> {
    const p = this.spawnIn(host, process.execPath, [path.join(REPO, 'dist', 'test', 'support', 'cluster-llm-host.js'), '11434', callsFile, String(opts.chunks), String(opts.chunkDelayMs)]);
    const deadline = Date.now() + 30_000;
    while (!p.output().includes('ready')) {
      if (Date.now() > deadline || p.child.exitCode !== null) throw new Error(`the Ollama stand-in on ${host.name} did not start:\n${p.output()}`);
      await new Promise((r) => setTimeout(r, 50));
    }
    return 'http://127.0.0.1:11434';
  }

  /** Kill every process of a host at once (the machine is gone). */
  async killHost(host: Host): Promise<void> {
    for (const p of host.processes) if (p.child.exitCode === null) p.child.kill('SIGKILL');
    // `ip netns exec` execs the command, so the pid is the command's own.
    await Promise.all(host.processes.map((p) => p.exited));
  }

  /** Cut a host off the network (its link to the server goes down), or bring it back. */
  cut(host: Host): void {
    ip('-n', this.serverNetns, 'link', 'set', host.serverLink, 'down');
  }

  restore(host: Host): void {
    ip('-n', this.serverNetns, 'link', 'set', host.serverLink, 'up');
  }

  /** Stop every process and remove the namespaces (their veth pairs go with them). */
  async down(): Promise<void> {
    for (const h of Object.values(this.hosts)) await this.killHost(h);
    if (this.forwarder && this.forwarder.exitCode === null) {
      this.forwarder.kill('SIGKILL');
      await new Promise((r) => this.forwarder!.once('exit', r));
    }
    for (const ns of this.made.reverse()) {
      try {
        ip('netns', 'del', ns);
      } catch {
        // Already gone.
      }
    }
    this.made.length = 0;
  }
}

export function readCalls(file: string): HostCall[] {
  if (!existsSync(file)) return [];
  try {
    return JSON.parse(readFileSync(file, 'utf8')) as HostCall[];
  } catch {
    return [];
  }
}
