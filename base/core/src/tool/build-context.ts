import type { Topology } from '@kiln/topology';

/**
 * What `build(ctx)` receives in the mule. Everything a build writes goes through it, so the
 * artifact's log, metrics and progress are recorded even if the process crashes afterwards.
 */
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- untyped tools read ctx.parameters.x without casts
export interface BuildContext<P = Record<string, any>> {
  /** The artifact's name. */
  name: string;
  /** 1 on the first build; grows when a build interrupted by a restart runs again. */
  attempt: number;
  /** The parameters as validated, defaults filled in. */
  parameters: P;
  /** Input-file name → local path of the uploaded file. */
  inputFiles: Record<string, string>;
  /** Parameter name → local folder holding the fetched data of a referenced artifact. */
  inputs: Record<string, string>;
  /** Write the artifact's data here; it becomes the artifact's data when the build succeeds. */
  outputDir: string;
  /** Appends a line to the artifact's log (arguments formatted like `console.log`). */
  log(...args: unknown[]): void;
  /** Records one point of a series metric; `step` defaults to the series' next index. */
  metric(name: string, value: number, step?: number): void;
  /** Records (or replaces) a report metric: any JSON value. */
  report(name: string, json: unknown): void;
  /** Reports progress in [0, 1] with an optional message. */
  progress(fraction: number, message?: string): void;
  /** Aborted when the artifact is cancelled, deleted or times out. */
  signal: AbortSignal;
  /**
   * The project's topology (`@kiln/topology`): give it to `@kiln/client` to reach other
   * containers by their compose URLs (`http://import:8080`), as pipelines do.
   */
  topology: Topology;
}
