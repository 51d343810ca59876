import type { StepInfo } from '@kiln/api';
import type { RunFigures } from '../pipeline-definition.js';

/** The file a completed run's data holds (`GET /runs/{name}/data` answers with it). */
export const RUN_DATA_FILE = 'run.json';

/** The report holding a run's headline figures, for dashboards that read metrics. */
export const FIGURES_REPORT = 'figures';

/**
 * A run's data: every step's artifact URL and the benchmark's headline figures. This is a
 * pipeline-container wire shape (the run's `run.json`), defined here until it moves to
 * `@kiln/api`.
 */
export interface RunDocument {
  /** The run's name. */
  run: string;
  /** The pipeline's name and version. */
  pipeline: string;
  version: string;
  /** The task's reverse-domain name. */
  task: string;
  /** The run's parameters, defaults filled in. */
  parameters: Record<string, unknown>;
  /** Every step, in order, as `GET /runs/{name}/steps` shows them. */
  steps: StepInfo[];
  /** Step name → artifact URL. */
  artifacts: Record<string, string>;
  /** What `run(p)` returned: the headline figures. */
  figures: RunFigures;
}
