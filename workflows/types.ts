// Inputs, results and progress shapes of the batch and job workflows. Types only: shared by
// workflows, the CLI and tests.
import type { LlmSettings } from '../core/model-call';
import type { PromptLimits } from '../core/prompts';
import type { Deps } from '../core/graph';
import type { JobPhase } from '../core/job-states';
import type { JobState, ScheduleState } from '../core/schedule';
import type { JobStatus, SelectOptions } from '../core/status';
import type { Usage } from '../core/usage';

export interface ProjectRef {
  /** Absolute path of the project root on the host that runs its file activities. */
  root: string;
  name: string;
  /** `<name>-<hash of root>`: unique per checkout, used in workflow ids and the files queue. */
  key: string;
}

export interface TaskQueues {
  /** Workflows and file activities: only workers on the project's host poll it. */
  project: string;
  /** Model calls: any worker next to an Ollama server. */
  llm: string;
}

export interface RunSettings {
  llm: LlmSettings;
  limits: PromptLimits & { maxOutputLines: number };
  createOutputDirs: boolean;
  maxConcurrent: number;
  stopOnFail: boolean;
  /** Heartbeat timeout of model calls: how soon a dead worker's call is retried elsewhere. */
  heartbeatSeconds: number;
  /** Start-to-close timeout of file activities. */
  fileActivitySeconds: number;
  checks: CheckSettings;
}

/** Build, test and lint verification ([build] in worksplit.toml). */
export interface CheckSettings {
  buildCommand?: string;
  testCommand?: string;
  lintCommand?: string;
  verifyBuild: boolean;
  verifyTests: boolean;
  autoFix: boolean;
  autoFixAttempts: number;
  commandTimeoutSeconds: number;
}

/** Tokens and model time of a job or batch: core's one usage type, under the name the
 * workflow-facing types have always used. */
export type TokenUsage = Usage;

export interface BatchInput {
  project: ProjectRef;
  queues: TaskQueues;
  settings: RunSettings;
  selection: SelectOptions;
  /** Set by continue-as-new: the state the previous run handed over. */
  carried?: CarriedBatch;
  /** Per-job time limit in seconds (run --job-timeout). */
  jobTimeoutSeconds?: number;
  /** fix / fix-all: run the lint command on each job's outputs and let the model fix them. */
  fixOnly?: boolean;
  /** Set WorkSplitProject/Job/Status on the workflows (the server must have them registered). */
  searchAttributes?: boolean;
  /** Each execution group waits for the previous one (WorkSplit's way; for benchmarks). */
  groupBarriers?: boolean;
}

export interface JobInput {
  project: ProjectRef;
  queues: TaskQueues;
  settings: RunSettings;
  jobId: string;
  dependencyOutputs: string[];
  fixOnly?: boolean;
  searchAttributes?: boolean;
}

export interface JobResult {
  id: string;
  status: JobStatus;
  outputs: string[];
  retried: boolean;
  tokens: TokenUsage;
  /** Why it failed, or the verifier's warnings on a pass. */
  reason?: string;
  /** What the user should look at even on a pass (files written outside output_dir). */
  warnings?: string[];
}

export interface JobProgress {
  phase: JobPhase;
  attempt: number;
  tokens: TokenUsage;
}

export interface BatchJobReport {
  state: JobState;
  reason?: string;
  /** Epoch ms (workflow time). */
  startedAt?: number;
  finishedAt?: number;
  outputs?: string[];
  retried?: boolean;
  tokens?: TokenUsage;
  warnings?: string[];
}

export interface BatchTotals {
  total: number;
  passed: number;
  failed: number;
  skipped: number;
  cancelled: number;
  running: number;
  waiting: number;
}

export interface BatchResult {
  jobs: Record<string, BatchJobReport>;
  totals: BatchTotals;
  tokens: TokenUsage;
  warnings: string[];
}

export interface BatchProgress extends BatchResult {
  done: boolean;
  paused: boolean;
  maxConcurrent: number;
  stopping: boolean;
  /** How many times the batch has continued as new. */
  generation: number;
  groups: string[][];
  /** True while the batch is still reading the job folder. */
  planning?: boolean;
  /** What job files added or changed while it ran did to the batch, one line each. */
  additions?: string[];
  /** What each job waits for (for the forecast); absent from batches of earlier versions. */
  deps?: Deps;
}

export interface CarriedBatch {
  /** One record per job: its schedule state and what the batch knows of its run. */
  schedule: ScheduleState<BatchJobReport>;
  /** Per job, mode and outputs in a few words (the job workflow's static details). */
  descriptions?: Record<string, string>;
  /** Only in batches continued as new by an earlier version, which kept each job's run apart
   * from its schedule entry; merged into the schedule when the batch resumes. */
  reports?: Record<string, BatchJobReport>;
  dependencyOutputs: Record<string, string[]>;
  /** Everything each job waits for (dependencies and order-only), for display. */
  deps: Deps;
  groups: string[][];
  tokens: TokenUsage;
  warnings: string[];
  paused: boolean;
  maxConcurrent: number;
  stopping: boolean;
  generation: number;
  /** Per job, its file's fingerprint when the batch planned it (absent in batches planned
   * before): how a job file changed since is told. */
  fingerprints?: Record<string, string>;
  /** What job files added or changed while it ran did to the batch, one line each (the last 20). */
  additions?: string[];
}
