/** One summary as a JSON object, in docs/api.md's field order. */
export const SUMMARY_JSON = `json_object('name', name, 'status', status, 'createdAt', created_at,
  'startedAt', started_at, 'finishedAt', finished_at, 'progress', progress, 'message', message,
  'error', error, 'attempt', attempt, 'cached', json(CASE cached WHEN 1 THEN 'true' ELSE 'false' END),
  'cachedFrom', cached_from)`;
