import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { parse } from 'yaml';
import { Ajv, type ErrorObject, type ValidateFunction } from 'ajv';
import { LauncherError, LauncherErrorCode } from '../launcher-error.js';
import { interpolateDeep, type VariableSource } from './interpolate.js';
import type { ComposeFile } from './compose-types.js';

/** The repository's copy of the Compose Specification schema (see `schemas/README.md`). */
export const DEFAULT_COMPOSE_SCHEMA_PATH = fileURLToPath(
  new URL('../../../../schemas/compose-spec.json', import.meta.url),
);

/** Options of {@link loadComposeFile}. */
export interface LoadComposeOptions {
  /** Values for `${VAR}` interpolation. @defaultValue {} */
  variables?: VariableSource;
  /** @defaultValue {@link DEFAULT_COMPOSE_SCHEMA_PATH} */
  schemaPath?: string;
}

const validators = new Map<string, Promise<ValidateFunction>>();

/**
 * Reads a Compose file as Docker Compose does: YAML with anchors and merge keys, variables
 * interpolated, then validated against the Compose Specification's JSON Schema.
 */
export async function loadComposeFile(
  path: string,
  options: LoadComposeOptions = {},
): Promise<ComposeFile> {
  let parsed: unknown;
  try {
    parsed = parse(await readFile(path, 'utf8'), { merge: true, maxAliasCount: 1000 });
  } catch (cause) {
    throw new LauncherError(
      LauncherErrorCode.ComposeUnreadable,
      `cannot read ${path}: ${(cause as Error).message}`,
      { cause },
    );
  }
  const document = interpolateDeep(parsed, options.variables ?? {});
  const issues = await validateCompose(document, options.schemaPath);
  if (issues.length > 0) {
    throw new LauncherError(
      LauncherErrorCode.ComposeInvalid,
      `${path} is not a valid Compose file:\n  ${issues.join('\n  ')}`,
    );
  }
  return document as ComposeFile;
}

/** Validates a parsed Compose document; returns one readable line per problem (none when valid). */
export async function validateCompose(
  document: unknown,
  schemaPath = DEFAULT_COMPOSE_SCHEMA_PATH,
): Promise<string[]> {
  const validate = await compiledSchema(schemaPath);
  if (validate(document)) {
    const services = (document as { services?: unknown }).services;
    return services && typeof services === 'object'
      ? []
      : ['/services: a project needs at least one service'];
  }
  return (validate.errors ?? []).map(describeIssue);
}

function compiledSchema(schemaPath: string): Promise<ValidateFunction> {
  let validator = validators.get(schemaPath);
  if (!validator) {
    validator = readFile(schemaPath, 'utf8').then((text) => {
      // The schema declares the https draft-07 URI, which Ajv does not ship; its keywords are draft-07.
      const ajv = new Ajv({ allErrors: true, strict: false, validateSchema: false });
      return ajv.compile(JSON.parse(text) as object);
    });
    validators.set(schemaPath, validator);
  }
  return validator;
}

function describeIssue(issue: ErrorObject): string {
  const where = issue.instancePath || '/';
  const extra =
    issue.keyword === 'additionalProperties'
      ? ` '${String(issue.params['additionalProperty'])}'`
      : '';
  return `${where}: ${issue.message ?? 'is invalid'}${extra}`;
}
