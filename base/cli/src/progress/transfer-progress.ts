import cliProgress from 'cli-progress';
import { formatBytes, formatDuration } from '../output/format.js';
import type { Output } from '../output/output.js';

/** Shows bytes moving (an upload or a download). */
export interface TransferProgress {
  update(transferred: number, total: number | undefined): void;
  /** Ends the display; plain output then writes one summary line, unless the transfer failed. */
  stop(failed?: boolean): void;
}

/** A bar with bytes and rate on a terminal; one summary line on stderr otherwise; nothing under `--json`. */
export function transferProgress(out: Output, label: string): TransferProgress {
  if (!out.progress) return { update: () => undefined, stop: () => undefined };
  const started = Date.now();
  let bytes = 0;
  const rate = (): string =>
    `${formatBytes(bytes / Math.max((Date.now() - started) / 1000, 0.001))}/s`;
  const bar = out.bars
    ? new cliProgress.SingleBar(
        {
          format: '{label} [{bar}] {percentage}% | {done} / {size} | {rate}',
          stream: out.stdout,
          hideCursor: true,
          barsize: 30,
        },
        cliProgress.Presets.shades_classic,
      )
    : undefined;
  let barStarted = false;
  return {
    update(transferred, total) {
      bytes = transferred;
      if (!bar) return;
      const payload = {
        label,
        done: formatBytes(transferred),
        size: total === undefined ? '?' : formatBytes(total),
        rate: rate(),
      };
      if (!barStarted) bar.start(total ?? 0, transferred, payload);
      else bar.update(transferred, payload);
      if (total !== undefined) bar.setTotal(total);
      barStarted = true;
    },
    stop(failed = false) {
      if (bar && barStarted) bar.stop();
      if (!bar && !failed)
        out.progressLine(
          `${label}: ${formatBytes(bytes)} in ${formatDuration(Date.now() - started)} (${rate()})`,
        );
    },
  };
}
