import { isAlias, isMap, isScalar, parseDocument, type Scalar } from 'yaml';
import { yamlQuote } from './compose-entry.js';
import { ScaffoldKind } from './scaffold-spec.js';

// Until every container learns the topology from docker-compose.yml itself, the gateway, the
// visualization container, the pipelines and the dashboard each carry a list of the containers
// they reach (`KILN_CONTAINER_URLS`, `KILN_PIPELINE_URLS`). A new container joins those lists
// here, in the same file. A list that is gone is simply not touched, so this step does nothing
// once the lists are derived.

/** One `name=url,…` list in the file, with the services that use it. */
interface UrlList {
  variable: string;
  scalar: Scalar;
  owners: string[];
}

function urlLists(text: string): UrlList[] {
  const document = parseDocument(text);
  const services = document.get('services', true);
  const lists = new Map<Scalar, UrlList>();
  if (!isMap(services)) return [];
  for (const pair of services.items) {
    const owner = String(isScalar(pair.key) ? pair.key.value : pair.key);
    const environment = isMap(pair.value) ? pair.value.get('environment', true) : undefined;
    if (!isMap(environment)) continue;
    for (const variable of ['KILN_CONTAINER_URLS', 'KILN_PIPELINE_URLS']) {
      const node = environment.get(variable, true);
      // A list shared through an anchor (`*tool-urls`) is edited once, where it is written.
      const scalar = isAlias(node) ? node.resolve(document) : node;
      if (!isScalar(scalar) || typeof scalar.value !== 'string' || !scalar.range) continue;
      const list = lists.get(scalar) ?? { variable, scalar, owners: [] };
      list.owners.push(owner);
      lists.set(scalar, list);
    }
  }
  return [...lists.values()];
}

function namesIn(list: UrlList | undefined): string[] {
  return String(list?.scalar.value ?? '')
    .split(',')
    .map((entry) => entry.split('=')[0]!.trim())
    .filter(Boolean);
}

/** Whether the new container belongs in a list: pipelines' own lists name only tools. */
function belongs(list: UrlList, kind: ScaffoldKind, pipelines: readonly string[]): boolean {
  if (list.variable === 'KILN_PIPELINE_URLS') return kind === ScaffoldKind.Pipeline;
  const ownedByPipelines = list.owners.every((owner) => pipelines.includes(owner));
  return kind === ScaffoldKind.Tool || !ownedByPipelines;
}

/** Adds `name=http://name:8080` to every list of docker-compose.yml the container belongs in. */
export function joinTopologyLists(text: string, name: string, kind: ScaffoldKind): string {
  const lists = urlLists(text);
  const pipelines = [
    ...namesIn(lists.find((list) => list.variable === 'KILN_PIPELINE_URLS')),
    ...(kind === ScaffoldKind.Pipeline ? [name] : []),
  ];
  const entry = `${name}=http://${name}:8080`;
  const edits = lists
    .filter((list) => belongs(list, kind, pipelines) && !namesIn(list).includes(name))
    .map((list) => {
      const [, valueEnd] = list.scalar.range!;
      const quoted = list.scalar.type === 'QUOTE_SINGLE' || list.scalar.type === 'QUOTE_DOUBLE';
      const empty = String(list.scalar.value).trim() === '';
      return { at: quoted ? valueEnd - 1 : valueEnd, insert: empty ? entry : `,${entry}` };
    })
    .sort((a, b) => b.at - a.at);
  return edits.reduce(
    (result, edit) => result.slice(0, edit.at) + edit.insert + result.slice(edit.at),
    text,
  );
}

/**
 * A new pipeline's `KILN_CONTAINER_URLS`: the list the other pipelines share (`*tool-urls`)
 * where the file has one, so it reaches every tool as they do; else its own steps.
 */
export function pipelineContainerUrls(text: string, steps: readonly string[]): string {
  if (/&tool-urls\b/.test(text)) return '*tool-urls';
  return yamlQuote(steps.map((step) => `${step}=http://${step}:8080`).join(','));
}
