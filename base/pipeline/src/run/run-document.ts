import type { RunDocument } from '@kiln/api';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';

/** The file a completed run's data holds (`GET /runs/{name}/data` answers with it). */
export const RUN_DATA_FILE = 'run.json';

/** The report holding a run's headline figures, for dashboards that read metrics. */
export const FIGURES_REPORT = 'figures';

/** Writes a run's data document (`RunDocument` of `@kiln/api`) into its output folder. */
export async function writeRunDocument(outputDir: string, document: RunDocument): Promise<void> {
  await writeFile(join(outputDir, RUN_DATA_FILE), `${JSON.stringify(document, null, 2)}\n`);
}
