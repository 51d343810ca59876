import type { Collection } from '../api/paths.js';

/** The views of the dashboard, each with what it needs from the URL. */
export type Route =
  | { view: 'home' }
  | { view: 'pipeline'; pipeline: string }
  | { view: 'create'; container: string; collection: Collection; pipeline: string | undefined }
  | { view: 'artifact'; container: string; artifact: string }
  | { view: 'run'; pipeline: string; run: string }
  | { view: 'serving'; model: string | undefined; container: string | undefined }
  | { view: 'not-found'; hash: string };

/**
 * Reads a route from `location.hash`. The UI uses hash routes so that it needs only `/` from
 * the gateway, whatever path the gateway serves it under.
 *
 * - `#/` home: the pipelines
 * - `#/pipelines/{p}` a pipeline: task, containers, runs, artifacts
 * - `#/pipelines/{p}/runs/new` start a run; `#/pipelines/{p}/runs/{r}` a run
 * - `#/containers/{c}/new` create an artifact (`?pipeline=` for artifact suggestions)
 * - `#/containers/{c}/artifacts/{a}` an artifact
 * - `#/serving` the served models; `#/serving/{model}` one model's versions, aliases and "try it"
 *   (`?container=` names the serving container; the project's first one without it)
 */
export function parseRoute(hash: string): Route {
  const [pathPart = '', query = ''] = hash.replace(/^#/, '').split('?');
  const parts = pathPart.split('/').filter(Boolean).map(safeDecode);
  const params = new URLSearchParams(query);
  if (parts.some((part) => part === undefined)) return { view: 'not-found', hash };
  const [a, b, c, d, ...rest] = parts as string[];
  if (rest.length > 0) return { view: 'not-found', hash };
  if (a === undefined) return { view: 'home' };
  if (a === 'pipelines' && b !== undefined) {
    if (c === undefined) return { view: 'pipeline', pipeline: b };
    if (c === 'runs' && d === 'new')
      return { view: 'create', container: b, collection: 'runs', pipeline: b };
    if (c === 'runs' && d !== undefined) return { view: 'run', pipeline: b, run: d };
  }
  if (a === 'serving' && c === undefined) {
    return { view: 'serving', model: b, container: params.get('container') ?? undefined };
  }
  if (a === 'containers' && b !== undefined) {
    if (c === 'new' && d === undefined) {
      return {
        view: 'create',
        container: b,
        collection: 'artifacts',
        pipeline: params.get('pipeline') ?? undefined,
      };
    }
    if (c === 'artifacts' && d !== undefined)
      return { view: 'artifact', container: b, artifact: d };
  }
  return { view: 'not-found', hash };
}

function safeDecode(part: string): string | undefined {
  try {
    return decodeURIComponent(part);
  } catch {
    return undefined;
  }
}

const enc = encodeURIComponent;

/** Links to each view, the inverse of {@link parseRoute}. */
export const href = {
  home: (): string => '#/',
  pipeline: (pipeline: string): string => `#/pipelines/${enc(pipeline)}`,
  startRun: (pipeline: string): string => `#/pipelines/${enc(pipeline)}/runs/new`,
  run: (pipeline: string, run: string): string => `#/pipelines/${enc(pipeline)}/runs/${enc(run)}`,
  create: (container: string, pipeline?: string): string =>
    `#/containers/${enc(container)}/new${pipeline ? `?pipeline=${enc(pipeline)}` : ''}`,
  artifact: (container: string, artifact: string): string =>
    `#/containers/${enc(container)}/artifacts/${enc(artifact)}`,
  serving: (model?: string, container?: string): string =>
    `#/serving${model ? `/${enc(model)}` : ''}${container ? `?container=${enc(container)}` : ''}`,
} as const;
