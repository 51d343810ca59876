import type { ArtifactStatus, ArtifactSummary } from '@kiln/api';

/** An artifact as the tables show it: its summary and the container that holds it. */
export interface ArtifactRow extends ArtifactSummary {
  container: string;
}

/** Which rows a table shows. */
export interface ArtifactQuery {
  container?: string | undefined;
  status?: ArtifactStatus | undefined;
  /** Matched case-insensitively against the name and the message. */
  text?: string | undefined;
  /** Zero-based. Clamped to the last page. */
  page: number;
  pageSize: number;
}

/** One page of rows and where it sits. */
export interface ArtifactPage {
  rows: ArtifactRow[];
  /** Rows matching the filters, over all pages. */
  total: number;
  page: number;
  pages: number;
}

const keyOf = (container: string, name: string): string => `${container}\u0000${name}`;

/** Newest first, as `GET /artifacts` lists them; the name breaks ties so the order is stable. */
function newerFirst(a: ArtifactRow, b: ArtifactRow): number {
  return (
    b.createdAt.localeCompare(a.createdAt) ||
    b.name.localeCompare(a.name) ||
    a.container.localeCompare(b.container)
  );
}

/**
 * The artifacts a table knows, kept sorted so that a page of 10,000 rows costs one filter pass,
 * and live events update rows in place (a status change never moves a row: `createdAt` is fixed).
 */
export class ArtifactIndex {
  readonly #rows = new Map<string, ArtifactRow>();
  #sorted: ArtifactRow[] = [];

  get size(): number {
    return this.#rows.size;
  }

  /** Replaces everything (a fresh listing). */
  replaceAll(rows: readonly ArtifactRow[]): void {
    this.#rows.clear();
    for (const row of rows) this.#rows.set(keyOf(row.container, row.name), { ...row });
    this.#sorted = [...this.#rows.values()].sort(newerFirst);
  }

  /** Adds or updates one artifact (a live event). */
  upsert(row: ArtifactRow): void {
    const existing = this.#rows.get(keyOf(row.container, row.name));
    if (existing && existing.createdAt === row.createdAt) {
      Object.assign(existing, row);
      return;
    }
    if (existing) this.#removeSorted(existing);
    const copy = { ...row };
    this.#rows.set(keyOf(row.container, row.name), copy);
    this.#sorted.splice(this.#insertionIndex(copy), 0, copy);
  }

  remove(container: string, name: string): void {
    const existing = this.#rows.get(keyOf(container, name));
    if (!existing) return;
    this.#rows.delete(keyOf(container, name));
    this.#removeSorted(existing);
  }

  get(container: string, name: string): ArtifactRow | undefined {
    return this.#rows.get(keyOf(container, name));
  }

  /** The containers that hold at least one row, sorted. */
  containers(): string[] {
    return [...new Set(this.#sorted.map((row) => row.container))].sort();
  }

  query(query: ArtifactQuery): ArtifactPage {
    const text = query.text?.trim().toLowerCase() ?? '';
    const matching =
      !query.container && !query.status && !text
        ? this.#sorted
        : this.#sorted.filter(
            (row) =>
              (!query.container || row.container === query.container) &&
              (!query.status || row.status === query.status) &&
              (!text ||
                row.name.toLowerCase().includes(text) ||
                (row.message ?? '').toLowerCase().includes(text)),
          );
    const pageSize = Math.max(1, query.pageSize);
    const pages = Math.max(1, Math.ceil(matching.length / pageSize));
    const page = Math.min(Math.max(0, query.page), pages - 1);
    return {
      rows: matching.slice(page * pageSize, (page + 1) * pageSize),
      total: matching.length,
      page,
      pages,
    };
  }

  #insertionIndex(row: ArtifactRow): number {
    let low = 0;
    let high = this.#sorted.length;
    while (low < high) {
      const middle = (low + high) >>> 1;
      if (newerFirst(this.#sorted[middle] as ArtifactRow, row) < 0) low = middle + 1;
      else high = middle;
    }
    return low;
  }

  #removeSorted(row: ArtifactRow): void {
    const index = this.#sorted.indexOf(row);
    if (index >= 0) this.#sorted.splice(index, 1);
  }
}
