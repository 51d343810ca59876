import type { ArtifactSummary } from '@kiln/client';

const UNITS = ['B', 'kB', 'MB', 'GB', 'TB'];

/** `1234567` → `1.2 MB` (powers of 1000, as download tools show). */
export function formatBytes(bytes: number): string {
  let value = bytes;
  let unit = 0;
  while (value >= 1000 && unit < UNITS.length - 1) {
    value /= 1000;
    unit += 1;
  }
  return unit === 0 ? `${Math.round(value)} B` : `${value.toFixed(1)} ${UNITS[unit]}`;
}

/** An ISO time as `2026-11-22 10:00:00`, or `-`. */
export function formatTime(iso: string | null | undefined): string {
  return iso ? iso.replace('T', ' ').replace(/\.\d+Z$|Z$/, '') : '-';
}

/** `0.4` → `40%`. */
function formatPercent(fraction: number): string {
  return `${Math.round(Math.max(0, Math.min(1, fraction)) * 100)}%`;
}

/** Milliseconds as `3.2s` or `2m05s`. */
export function formatDuration(ms: number): string {
  const seconds = ms / 1000;
  if (seconds < 60) return `${seconds.toFixed(1)}s`;
  const whole = Math.round(seconds);
  return `${Math.floor(whole / 60)}m${String(whole % 60).padStart(2, '0')}s`;
}

/** The one-line state of an artifact: `in-progress 40% decoding images`, `failed: <error>`. */
export function describeState(summary: ArtifactSummary): string {
  if (summary.status === 'failed') return `failed: ${summary.error ?? 'unknown error'}`;
  if (summary.status === 'completed')
    return summary.cached ? `completed (cached from ${summary.cachedFrom ?? '?'})` : 'completed';
  if (summary.status === 'cancelled')
    return summary.message && summary.message !== 'cancelled'
      ? `cancelled (${summary.message})`
      : 'cancelled';
  const progress = summary.status === 'in-progress' ? ` ${formatPercent(summary.progress)}` : '';
  return `${summary.status}${progress}${summary.message ? ` ${summary.message}` : ''}`;
}
