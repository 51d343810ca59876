import { ErrorCode, KilnError, isValidName } from '@kiln/api';
import { serviceUrl, type Topology } from '@kiln/topology';
import type { PipelineWatch } from './pipeline-watch.js';

/** `http://<service>:8080`, a service's compose URL, with an optional trailing slash. */
const COMPOSE_URL = /^http:\/\/([^/:?#]+):8080\/?$/;

/**
 * Parses `KILN_SERVING_WATCH`: the pipelines whose first completed run's model is served by
 * itself, comma-separated, each named as the topology names it: its service name in
 * `docker-compose.yml` (`fashion-mnist`), or its compose URL (`http://fashion-mnist:8080`). A
 * pipeline's model is named after it; `model=pipeline` names it otherwise. Every pipeline must
 * be a service of `topology`, so a typo stops the container as it starts.
 *
 * @example
 * ```ts
 * parseWatchList('fashion-mnist', topology);
 * // [{ model: 'fashion-mnist', url: 'http://fashion-mnist:8080' }]
 * parseWatchList('shoes=http://fashion-mnist-linear:8080', topology);
 * // [{ model: 'shoes', url: 'http://fashion-mnist-linear:8080' }]
 * ```
 */
export function parseWatchList(text: string | undefined, topology: Topology): PipelineWatch[] {
  const watches: PipelineWatch[] = [];
  for (const entry of (text ?? '')
    .split(',')
    .map((part) => part.trim())
    .filter(Boolean)) {
    const at = entry.indexOf('=');
    const pipeline = serviceName(at < 0 ? entry : entry.slice(at + 1).trim());
    const model = at < 0 ? pipeline : entry.slice(0, at).trim();
    if (pipeline === undefined || model === undefined || !isValidName(model)) {
      throw new KilnError(
        ErrorCode.InvalidName,
        `KILN_SERVING_WATCH: '${entry}' names no pipeline (a service name, or model=service)`,
        { status: 400 },
      );
    }
    if (!topology.service(pipeline)) {
      throw new KilnError(
        ErrorCode.InvalidTopology,
        `KILN_SERVING_WATCH names '${pipeline}', which is not a service of the topology (KILN_COMPOSE_FILE, KILN_SERVICE_ADDRESSES)`,
        { status: 500 },
      );
    }
    if (watches.some((watch) => watch.model === model)) {
      throw new KilnError(
        ErrorCode.InvalidName,
        `KILN_SERVING_WATCH names the model '${model}' twice`,
        { status: 400 },
      );
    }
    watches.push({ model, url: serviceUrl(pipeline) });
  }
  return watches;
}

/** The service a pipeline is named by: its name, or the name in its compose URL. */
function serviceName(text: string): string | undefined {
  const name = COMPOSE_URL.exec(text)?.[1] ?? text;
  return isValidName(name) ? name : undefined;
}
