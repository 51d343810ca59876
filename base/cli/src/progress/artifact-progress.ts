import type { ArtifactSummary } from '@kiln/client';
import cliProgress from 'cli-progress';
import { describeState } from '../output/format.js';
import type { Output } from '../output/output.js';

/** Shows one artifact's progress while a command waits on it. */
export interface ArtifactProgress {
  update(summary: ArtifactSummary): void;
  stop(): void;
}

/**
 * A bar on a terminal; otherwise a plain line on stderr whenever the status or message changes
 * or the progress passes another tenth; nothing under `--json`.
 */
export function artifactProgress(out: Output, label: string): ArtifactProgress {
  if (!out.progress) return { update: () => undefined, stop: () => undefined };
  return out.bars ? barProgress(out, label) : lineProgress(out, label);
}

function barProgress(out: Output, label: string): ArtifactProgress {
  const bar = new cliProgress.SingleBar(
    {
      format: '{label} [{bar}] {percentage}% | {state}',
      stream: out.stdout,
      hideCursor: true,
      barsize: 30,
    },
    cliProgress.Presets.shades_classic,
  );
  let started = false;
  return {
    update(summary) {
      const payload = {
        label,
        state:
          summary.status === 'in-progress'
            ? (summary.message ?? 'in progress')
            : describeState(summary),
      };
      const value = summary.status === 'completed' ? 100 : Math.round(summary.progress * 100);
      if (!started) bar.start(100, value, payload);
      else bar.update(value, payload);
      started = true;
    },
    stop() {
      if (started) bar.stop();
    },
  };
}

function lineProgress(out: Output, label: string): ArtifactProgress {
  let last = '';
  let tenth = -1;
  return {
    update(summary) {
      const key = `${summary.status}|${summary.message ?? ''}`;
      const nextTenth = Math.floor(summary.progress * 10);
      if (key === last && nextTenth <= tenth) return;
      last = key;
      tenth = nextTenth;
      out.progressLine(`${label}: ${describeState(summary)}`);
    },
    stop: () => undefined,
  };
}
