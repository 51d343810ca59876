import { isMap, isScalar, parseDocument, type Document, type YAMLMap } from 'yaml';
import { usageError } from '../cli-error.js';

/** One container's service in docker-compose.yml. */
export interface ComposeEntry {
  name: string;
  /** The Dockerfile, relative to the project root (the build context). */
  dockerfile: string;
  /** The command, run from the project root (in the image and by `kiln up` alike). */
  command: readonly string[];
}

/**
 * The shared service settings every Kiln service merges in: restart, network, health check, and
 * the compose file itself mounted as the service's topology (`configs:`, `KILN_COMPOSE_FILE`).
 */
const SERVICE_ANCHOR = 'service';

/** A single-quoted YAML scalar. */
function yamlQuote(text: string): string {
  return `'${text.replace(/'/g, "''")}'`;
}

/**
 * The service's YAML, indented under `services:`. Prettier may reflow it afterwards. It names no
 * other service and sets no environment (its own `environment:` would replace the merged one
 * that points at the topology): the rest of the project learns the new container from this
 * entry, and the container learns the rest from the file.
 */
function serviceBlock(entry: ComposeEntry, indent: string, anchored: boolean): string {
  const inner = `${indent}  `;
  const lines = [`${indent}${entry.name}:`];
  if (anchored) lines.push(`${inner}<<: *${SERVICE_ANCHOR}`);
  lines.push(
    `${inner}image: \${KILN_IMAGE_PREFIX:-kiln/}${entry.name}:\${KILN_IMAGE_TAG:-latest}`,
    `${inner}build: { context: ., dockerfile: ${entry.dockerfile} }`,
    `${inner}command: [${entry.command.map(yamlQuote).join(', ')}]`,
  );
  lines.push(`${inner}volumes: [${entry.name}-data:/data]`);
  return `${lines.join('\n')}\n`;
}

/** The column of a map's first key: the indentation its entries use. */
function indentOf(text: string, map: YAMLMap): string {
  const first = map.items[0]?.key;
  if (!isScalar(first) || !first.range) return '  ';
  const lineStart = text.lastIndexOf('\n', first.range[0]) + 1;
  return ' '.repeat(first.range[0] - lineStart);
}

function topLevelMap(document: Document, key: string): YAMLMap | undefined {
  const node = document.get(key, true);
  return isMap(node) ? node : undefined;
}

/** `text` with `insertion` at `offset`, starting on a line of its own. */
function insertAt(text: string, offset: number, insertion: string): string {
  const before = text.slice(0, offset);
  const separator = before.endsWith('\n') || before === '' ? '' : '\n';
  return `${before}${separator}${insertion}${text.slice(offset)}`;
}

/**
 * Adds a container's service, and its data volume, to the text of a docker-compose.yml, leaving
 * every other line as it was (comments, anchors and layout included). The service merges the
 * file's shared `x-service` settings when it has them, as the other Kiln services do.
 */
export function addComposeService(text: string, entry: ComposeEntry): string {
  const document = parseDocument(text);
  const services = topLevelMap(document, 'services');
  if (!services?.range) throw usageError('docker-compose.yml has no services');
  if (services.has(entry.name))
    throw usageError(`docker-compose.yml already has a service named ${entry.name}`);
  const anchored = isMap(document.get('x-service', true))
    ? (document.get('x-service', true) as YAMLMap).anchor === SERVICE_ANCHOR
    : false;
  const block = serviceBlock(entry, indentOf(text, services), anchored);
  let result = insertAt(text, services.range[2], `\n${block}`);

  const volume = `${entry.name}-data: {}\n`;
  const volumes = topLevelMap(parseDocument(result), 'volumes');
  result = volumes?.range
    ? insertAt(result, volumes.range[2], `${indentOf(result, volumes)}${volume}`)
    : `${result.replace(/\n*$/, '\n')}\nvolumes:\n  ${volume}`;
  return result;
}
