/** A confusion matrix report: `matrix[actual][predicted]` counts, labelled by class. */
export interface ConfusionMatrix {
  labels: string[];
  matrix: number[][];
}

/**
 * Recognises a confusion matrix in a report value: `{labels, matrix}` (or `classes` for the
 * labels), a square matrix of numbers with one label per row. Anything else is not one.
 */
export function asConfusionMatrix(value: unknown): ConfusionMatrix | undefined {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return undefined;
  const record = value as Record<string, unknown>;
  const labels = record['labels'] ?? record['classes'];
  const matrix = record['matrix'];
  if (!Array.isArray(labels) || !Array.isArray(matrix) || matrix.length !== labels.length)
    return undefined;
  const square = matrix.every(
    (row) =>
      Array.isArray(row) &&
      row.length === labels.length &&
      row.every((cell) => typeof cell === 'number'),
  );
  return square ? { labels: labels.map(String), matrix: matrix as number[][] } : undefined;
}

/** Whether a value is shown as-is in a table cell. */
export function isScalar(value: unknown): value is string | number | boolean | null {
  return value === null || ['string', 'number', 'boolean'].includes(typeof value);
}

/** Whether a value is a list of objects, shown as a table with one column per key. */
export function isRecordList(value: unknown): value is Record<string, unknown>[] {
  return (
    Array.isArray(value) &&
    value.length > 0 &&
    value.every((item) => typeof item === 'object' && item !== null && !Array.isArray(item))
  );
}

/** The columns of a record list: every key, in first-seen order. */
export function columnsOf(rows: readonly Record<string, unknown>[]): string[] {
  return [...new Set(rows.flatMap((row) => Object.keys(row)))];
}
