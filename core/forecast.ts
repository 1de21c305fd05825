// How long until a batch is done, and how many output tokens it still writes: learned from the
// jobs earlier batches of this project ran with the same model, and from the jobs this batch has
// finished; projected over the dependency graph, the batch's window (max_concurrent) and the
// model server's capacity ([ollama] parallel calls at once). Pure.
import type { Deps } from './graph';
import { effectiveConcurrency, type JobState } from './schedule';
import type { Usage } from './usage';

/** What one finished job took. */
export interface JobSample {
  /** Wall time, start to end. */
  seconds: number;
  /** Model time of its calls (Ollama's total_duration), and how many calls. */
  modelSeconds: number;
  calls: number;
  outputTokens: number;
  /** It passed (absent: counted as passed). */
  passed?: boolean;
}

export interface ForecastJob {
  state: JobState;
  startedAt?: number;
  finishedAt?: number;
  tokens?: Usage;
}

export interface ForecastInput {
  jobs: Record<string, ForecastJob>;
  /** What each job waits for (dependencies and order-only). */
  deps: Deps;
  maxConcurrent: number;
  /** Model calls the server takes at once ([ollama] parallel). */
  parallel: number;
  /** Epoch ms, on the clock of the jobs' startedAt. */
  now: number;
  /** Jobs earlier batches ran with this model. */
  history: JobSample[];
  /** How many earlier batches `history` comes from. */
  historyBatches: number;
}

/** The shape `status --json` shows. */
export interface Forecast {
  remaining_seconds: number;
  remaining_output_tokens: number;
  /** What it was learned from, in words. */
  basis: string;
}

/** A finished job of a batch as a sample (jobs that never ran are none). */
export function sampleOf(j: ForecastJob): JobSample | undefined {
  if ((j.state !== 'passed' && j.state !== 'failed') || !j.startedAt || !j.finishedAt || !j.tokens) return undefined;
  // Results of older batches may lack a count: none is taken as zero, never as NaN.
  const n = (x: unknown) => (typeof x === 'number' && Number.isFinite(x) ? x : 0);
  return { seconds: (j.finishedAt - j.startedAt) / 1000, modelSeconds: n(j.tokens.modelMs) / 1000, calls: n(j.tokens.calls), outputTokens: n(j.tokens.outputTokens), passed: j.state === 'passed' };
}

function quantile(xs: number[], q: number): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.max(0, Math.floor(q * (s.length - 1))))];
}

const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;

/** Per job: time outside the model (workflow, files, queues), model work, output tokens. */
interface JobModel {
  overhead: number;
  work: number;
  tokens: number;
  /** The share of jobs that fail: their dependents are skipped and take nothing. */
  failRate: number;
}

function learn(samples: JobSample[]): JobModel {
  // Model time per job, as the server served it. Time outside the model grows with waiting for a
  // slot when calls queue: its lower quartile is the job's own.
  const work = mean(samples.map((s) => s.modelSeconds));
  const overhead = quantile(samples.map((s) => Math.max(0, s.seconds - s.modelSeconds)), 0.25);
  return { overhead, work, tokens: mean(samples.map((s) => s.outputTokens)), failRate: samples.filter((s) => s.passed === false).length / samples.length };
}

function basisOf(historyJobs: number, historyBatches: number, thisBatch: number): string {
  const parts: string[] = [];
  if (historyJobs > 0) parts.push(`${historyJobs} job${historyJobs === 1 ? '' : 's'} of ${historyBatches} earlier batch${historyBatches === 1 ? '' : 'es'}`);
  if (thisBatch > 0) parts.push(`${thisBatch} finished job${thisBatch === 1 ? '' : 's'} of this batch`);
  return parts.join(' and ');
}

/** The forecast, or undefined when nothing is known yet to learn from (no earlier batch with this
 * model, no finished job in this one). */
export function forecast(input: ForecastInput): Forecast | undefined {
  const own = Object.values(input.jobs).map(sampleOf).filter((s): s is JobSample => s !== undefined);
  const samples = [...input.history, ...own];
  if (samples.length === 0) return undefined;
  const m = learn(samples);
  const basis = basisOf(input.history.length, input.historyBatches, own.length);
  // Jobs that need one that failed, was cancelled or skipped will be skipped: they take nothing.
  const jobs = withoutDoomed(input.jobs, input.deps);
  // Jobs fail as often as they did: each failure skips its dependents. The expectation over a fixed
  // set of draws (the same every time: a forecast must not flicker), one when nothing fails.
  const open = Object.keys(jobs).filter((id) => jobs[id].state === 'waiting' || jobs[id].state === 'running');
  const draws = m.failRate > 0 ? Math.max(1, Math.min(40, Math.floor(20_000 / (open.length + 1)))) : 1;
  const random = seededRandom(0x5eed);
  let seconds = 0;
  let tokens = 0;
  for (let d = 0; d < draws; d++) {
    const fails = new Set(m.failRate > 0 ? open.filter(() => random() < m.failRate) : []);
    const r = projectMakespan({ ...input, jobs }, m, fails);
    seconds += r.seconds / draws;
    // A running job has written part of its tokens (not known here until it ends): half, on average.
    tokens += r.ran.reduce((n, id) => n + (jobs[id].state === 'running' ? m.tokens / 2 : m.tokens), 0) / draws;
  }
  return { remaining_seconds: Math.round(seconds), remaining_output_tokens: Math.round(tokens), basis };
}

/** The jobs, with those waiting on a job that cannot pass (directly or not) marked skipped. */
function withoutDoomed(jobs: Record<string, ForecastJob>, deps: Deps): Record<string, ForecastJob> {
  const out = { ...jobs };
  const bad = (id: string) => out[id] !== undefined && (out[id].state === 'failed' || out[id].state === 'cancelled' || out[id].state === 'skipped');
  for (let changed = true; changed; ) {
    changed = false;
    for (const id of Object.keys(out)) {
      if (out[id].state !== 'waiting' || !(deps[id] ?? []).some(bad)) continue;
      out[id] = { state: 'skipped' };
      changed = true;
    }
  }
  return out;
}

type Phase = { id: string; phase: 'overhead' | 'model'; left: number };

/**
 * Seconds until every waiting and running job ends: jobs start in id order once what they wait
 * for has ended and the window has room; each spends `overhead` outside the model, then `work`
 * of model time, the server sharing its `parallel` slots among the jobs in their model phase.
 */
function projectMakespan(input: ForecastInput, m: JobModel, fails: ReadonlySet<string>): { seconds: number; ran: string[] } {
  const { jobs, deps } = input;
  const window = effectiveConcurrency(input.maxConcurrent);
  const slots = Math.max(1, input.parallel);
  const ended = new Set(Object.keys(jobs).filter((id) => jobs[id].state !== 'waiting' && jobs[id].state !== 'running'));
  const active: Phase[] = [];
  const runningNow = Object.keys(jobs).filter((id) => jobs[id].state === 'running');
  // Where a running job is: past its overhead, its model work goes at the rate the server gives
  // it now.
  const rateNow = Math.min(1, slots / Math.max(1, runningNow.length));
  for (const id of runningNow.sort()) {
    const elapsed = Math.max(0, (input.now - (jobs[id].startedAt ?? input.now)) / 1000);
    if (elapsed < m.overhead) active.push({ id, phase: 'overhead', left: m.overhead - elapsed });
    else active.push({ id, phase: 'model', left: Math.max(m.work * 0.1, m.work - (elapsed - m.overhead) * rateNow) });
  }
  // Waiting jobs become ready (in id order, as the batch starts them) once all they wait for ended.
  const waiting = Object.keys(jobs).filter((id) => jobs[id].state === 'waiting');
  const missing = new Map<string, number>();
  const dependents = new Map<string, string[]>();
  const ready: string[] = [];
  for (const id of waiting) {
    const open = (deps[id] ?? []).filter((d) => jobs[d] !== undefined && !ended.has(d));
    missing.set(id, open.length);
    for (const d of open) dependents.set(d, [...(dependents.get(d) ?? []), id]);
    if (open.length === 0) ready.push(id);
  }
  ready.sort();
  const becomeReady = (id: string) => {
    let lo = 0;
    let hi = ready.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (ready[mid] < id) lo = mid + 1;
      else hi = mid;
    }
    ready.splice(lo, 0, id);
  };
  const ran: string[] = [];
  const skipped = new Set<string>();
  // A failed job's waiting dependents never run, nor theirs.
  const skipDependents = (id: string) => {
    const stack = [...(dependents.get(id) ?? [])];
    while (stack.length > 0) {
      const next = stack.pop()!;
      if (skipped.has(next)) continue;
      skipped.add(next);
      stack.push(...(dependents.get(next) ?? []));
    }
  };
  let t = 0;
  for (;;) {
    while (active.length < window && ready.length > 0) {
      const id = ready.shift()!;
      if (skipped.has(id)) continue;
      active.push(m.overhead > 0 ? { id, phase: 'overhead', left: m.overhead } : { id, phase: 'model', left: m.work });
    }
    if (active.length === 0) break;
    const inModel = active.filter((a) => a.phase === 'model').length;
    const rate = inModel > 0 ? Math.min(1, slots / inModel) : 0;
    let dt = Infinity;
    for (const a of active) dt = Math.min(dt, a.phase === 'overhead' ? a.left : a.left / rate);
    t += dt;
    for (let i = active.length - 1; i >= 0; i--) {
      const a = active[i];
      a.left -= a.phase === 'overhead' ? dt : dt * rate;
      if (a.left > 1e-9) continue;
      if (a.phase === 'overhead' && m.work > 0) {
        a.phase = 'model';
        a.left = m.work;
        continue;
      }
      active.splice(i, 1);
      ended.add(a.id);
      ran.push(a.id);
      if (fails.has(a.id)) skipDependents(a.id);
      else {
        for (const next of dependents.get(a.id) ?? []) {
          const n = missing.get(next)! - 1;
          missing.set(next, n);
          if (n === 0 && !skipped.has(next)) becomeReady(next);
        }
      }
    }
  }
  return { seconds: t, ran };
}

/** A small deterministic generator (mulberry32): the forecast's draws are the same every time. */
function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** "≈ 12 min left, ~48k tokens" */
export function forecastLine(f: Forecast): string {
  const s = f.remaining_seconds;
  const time = s < 90 ? `${s} s` : s < 5400 ? `${Math.round(s / 60)} min` : `${(s / 3600).toFixed(1)} h`;
  const t = f.remaining_output_tokens;
  const tokens = t < 1000 ? `${t}` : `${(t / 1000).toFixed(t < 10_000 ? 1 : 0)}k`;
  return `≈ ${time} left, ~${tokens} tokens`;
}
