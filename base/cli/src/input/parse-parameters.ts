import type { JsonSchema } from '@kiln/client';
import { InvalidArgumentError } from 'commander';
import { readFile } from 'node:fs/promises';
import { usageError } from '../cli-error.js';

/** One `--param key=value` as typed. */
export interface RawParam {
  key: string;
  value: string;
}

/** commander collector for a repeatable `--param key=value`. */
export function collectParam(value: string, previous: RawParam[] = []): RawParam[] {
  const equals = value.indexOf('=');
  if (equals <= 0) throw new InvalidArgumentError('expected key=value');
  return [...previous, { key: value.slice(0, equals), value: value.slice(equals + 1) }];
}

/**
 * The parameters of a create: the `--params-file` object, then each `--param` on top. A value is
 * typed by the parameter's schema: kept as a string for string parameters, read as JSON
 * otherwise (`epochs=3` is a number, `layers=[64,32]` an array); `a.b=v` sets a nested property.
 */
export async function buildParameters(
  schema: JsonSchema,
  params: readonly RawParam[],
  file: string | undefined,
): Promise<Record<string, unknown>> {
  const parameters = file === undefined ? {} : await readParamsFile(file);
  for (const { key, value } of params) {
    const path = key.split('.');
    if (path.some((part) => part === '')) throw usageError(`--param ${key}: empty key segment`);
    setPath(parameters, path, coerce(value, schemaAt(schema, path)));
  }
  return parameters;
}

async function readParamsFile(file: string): Promise<Record<string, unknown>> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (error) {
    throw usageError(
      `--params-file: cannot read ${file} (${(error as NodeJS.ErrnoException).code ?? String(error)})`,
      error,
    );
  }
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    throw usageError(
      `--params-file: ${file} is not valid JSON (${(error as Error).message})`,
      error,
    );
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value))
    throw usageError(`--params-file: ${file} must hold a JSON object`);
  return value as Record<string, unknown>;
}

function schemaAt(schema: JsonSchema, path: readonly string[]): JsonSchema | undefined {
  let current: JsonSchema | undefined = schema;
  for (const part of path) {
    const properties = current?.['properties'] as Record<string, JsonSchema> | undefined;
    current = properties?.[part];
  }
  return current;
}

function types(schema: JsonSchema | undefined): string[] {
  const type = schema?.['type'];
  if (typeof type === 'string') return [type];
  return Array.isArray(type) ? type.filter((t): t is string => typeof t === 'string') : [];
}

function coerce(raw: string, schema: JsonSchema | undefined): unknown {
  const allowed = types(schema);
  if (allowed.length === 1 && allowed[0] === 'string') return raw;
  let parsed: unknown;
  try {
    parsed = JSON.parse(raw);
  } catch {
    return raw;
  }
  // A value typed as JSON that the schema would not take stays the string it was, if strings are allowed.
  if (allowed.includes('string') && !allowed.includes(jsonType(parsed))) return raw;
  return parsed;
}

function jsonType(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'array';
  if (Number.isInteger(value)) return 'integer';
  return typeof value;
}

function setPath(target: Record<string, unknown>, path: readonly string[], value: unknown): void {
  let current = target;
  for (const part of path.slice(0, -1)) {
    const next = current[part];
    if (typeof next !== 'object' || next === null || Array.isArray(next)) current[part] = {};
    current = current[part] as Record<string, unknown>;
  }
  current[path[path.length - 1]!] = value;
}
