import { ErrorCode, KilnError, isValidName } from '@kiln/api';
import { serviceUrl, type Topology } from '@kiln/topology';
import type { PipelineWatch } from './pipeline-watch.js';

/**
 * Parses `KILN_SERVING_WATCH`: the pipelines whose first completed run's model is served by
 * itself, named as the topology names them (their service names in `docker-compose.yml`),
 * comma-separated. A pipeline's model is named after it; `model=pipeline` names it otherwise.
 * Every pipeline must be a service of `topology`, so a typo stops the container as it starts.
 *
 * @example
 * ```ts
 * parseWatchList('fashion-mnist', topology);
 * // [{ model: 'fashion-mnist', url: 'http://fashion-mnist:8080' }]
 * parseWatchList('shoes=fashion-mnist-linear', topology);
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
    const model = (at < 0 ? entry : entry.slice(0, at)).trim();
    const pipeline = (at < 0 ? entry : entry.slice(at + 1)).trim();
    for (const name of [model, pipeline]) {
      if (!isValidName(name)) {
        throw new KilnError(
          ErrorCode.InvalidName,
          `KILN_SERVING_WATCH: '${entry}' is not a pipeline's service name (or model=pipeline)`,
          { status: 400 },
        );
      }
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
