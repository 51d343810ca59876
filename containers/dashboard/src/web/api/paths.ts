import type { Collection } from '@kiln/api';

export type { Collection };

const enc = encodeURIComponent;

/** The gateway path of a container (`/containers/{name}`), with no trailing slash. */
export function containerPath(container: string): string {
  return `/containers/${enc(container)}`;
}

/** The gateway path of one artifact (`/containers/{c}/{collection}/{name}`). */
export function artifactPath(container: string, collection: Collection, artifact: string): string {
  return `${containerPath(container)}/${collection}/${enc(artifact)}`;
}

/** The download link of one data file; each path segment is encoded on its own. */
export function dataFilePath(
  container: string,
  collection: Collection,
  artifact: string,
  file: string,
): string {
  return `${artifactPath(container, collection, artifact)}/data/${file.split('/').map(enc).join('/')}`;
}

/** The path of one view of one metric. */
export function metricViewPath(
  container: string,
  collection: Collection,
  artifact: string,
  metric: string,
  view: string,
): string {
  return `${artifactPath(container, collection, artifact)}/metrics/${enc(metric)}/${enc(view)}`;
}
