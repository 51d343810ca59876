import type { ArtifactSummary, StepInfo } from '@kiln/client';
import cliProgress from 'cli-progress';
import { describeState } from '../output/format.js';
import type { Output } from '../output/output.js';

/** What is known of one step: its entry in `/runs/{run}/steps`, and its artifact's status if fetched. */
export interface StepState {
  step: StepInfo;
  artifact: ArtifactSummary | undefined;
}

/** Shows a run: one line (a bar on a terminal) per step. */
export interface RunProgress {
  update(run: ArtifactSummary, steps: readonly StepState[]): void;
  stop(): void;
}

/** Bars on a terminal, a plain line on stderr per step change otherwise, nothing under `--json`. */
export function runProgress(out: Output, label: string): RunProgress {
  if (!out.progress) return { update: () => undefined, stop: () => undefined };
  return out.bars ? barProgress(out, label) : lineProgress(out, label);
}

function stepValue(state: StepState): number {
  if (state.step.status === 'completed') return 100;
  return state.step.status === 'in-progress'
    ? Math.round((state.artifact?.progress ?? 0) * 100)
    : 0;
}

function stepText(state: StepState): string {
  const { step, artifact } = state;
  if (step.status === 'in-progress' && artifact?.message) return artifact.message;
  return step.cached && step.status === 'completed' ? 'completed (cached)' : step.status;
}

function barProgress(out: Output, label: string): RunProgress {
  const bars = new cliProgress.MultiBar(
    {
      format: '{label} [{bar}] {percentage}% | {state}',
      stream: out.stdout,
      hideCursor: true,
      barsize: 30,
      autopadding: true,
    },
    cliProgress.Presets.shades_classic,
  );
  let runBar: cliProgress.SingleBar | undefined;
  const stepBars = new Map<string, cliProgress.SingleBar>();
  return {
    update(run, steps) {
      const runPayload = {
        label,
        state: run.status === 'in-progress' ? (run.message ?? 'running') : describeState(run),
      };
      const runValue = run.status === 'completed' ? 100 : Math.round(run.progress * 100);
      if (!runBar) runBar = bars.create(100, runValue, runPayload);
      else runBar.update(runValue, runPayload);
      for (const state of steps) {
        const payload = {
          label: `  ${state.step.step} (${state.step.container})`.padEnd(label.length),
          state: stepText(state),
        };
        const bar = stepBars.get(state.step.step);
        if (bar) bar.update(stepValue(state), payload);
        else stepBars.set(state.step.step, bars.create(100, stepValue(state), payload));
      }
    },
    stop() {
      bars.stop();
    },
  };
}

function lineProgress(out: Output, label: string): RunProgress {
  const seen = new Map<string, string>();
  let runState = '';
  return {
    update(run, steps) {
      for (const state of steps) {
        const text = `${label} step ${state.step.step} (${state.step.container}): ${stepText(state)}`;
        if (seen.get(state.step.step) === text) continue;
        seen.set(state.step.step, text);
        out.progressLine(text);
      }
      const next = `${run.status}|${run.message ?? ''}`;
      if (next !== runState && run.status !== 'in-progress')
        out.progressLine(`${label}: ${describeState(run)}`);
      runState = next;
    },
    stop: () => undefined,
  };
}
