/** One summary as a JSON object, in docs/api.md's field order. */
export const SUMMARY_JSON = `json_build_object('name', name, 'status', status,
  'createdAt', created_at, 'startedAt', started_at, 'finishedAt', finished_at,
  'progress', progress, 'message', message, 'error', error, 'attempt', attempt,
  'cached', cached, 'cachedFrom', cached_from)`;

/** `ms` milliseconds as a PostgreSQL interval expression over parameter `$n`. */
export function millis(n: number): string {
  return `($${n}::double precision * interval '1 millisecond')`;
}
