import type { JsonSchema, ValidationIssue } from '@kiln/api';

/** How a schema property is edited. */
export const FieldKind = {
  Text: 'text',
  Number: 'number',
  Integer: 'integer',
  Boolean: 'boolean',
  Choice: 'choice',
  Artifact: 'artifact',
  Json: 'json',
  Group: 'group',
} as const;
export type FieldKind = (typeof FieldKind)[keyof typeof FieldKind];

/** One field of a form generated from a JSON Schema. */
export interface FormField {
  /** The JSON Pointer of the value (`/optimizer/learningRate`), the key errors come back with. */
  path: string;
  key: string;
  label: string;
  description: string | undefined;
  kind: FieldKind;
  required: boolean;
  defaultValue: unknown;
  /** The allowed values of a `choice` field. */
  options: unknown[];
  minimum: number | undefined;
  maximum: number | undefined;
  /** The fields of a `group` (a nested object). */
  children: FormField[];
}

/** What the user typed, keyed by field path: text for inputs, a boolean for checkboxes. */
export type FormValues = Record<string, string | boolean>;

const pointerSegment = (key: string): string => key.replace(/~/g, '~0').replace(/\//g, '~1');

/** `learningRate` → `Learning rate`, `batch_size` → `Batch size`. */
export function humanize(key: string): string {
  const words = key
    .replace(/([a-z0-9])([A-Z])/g, '$1 $2')
    .replace(/[_-]+/g, ' ')
    .trim()
    .toLowerCase();
  return words.charAt(0).toUpperCase() + words.slice(1);
}

function kindOf(schema: JsonSchema): FieldKind {
  if (Array.isArray(schema['enum'])) return FieldKind.Choice;
  const type = schema['type'];
  if (type === 'string')
    return schema['format'] === 'kiln-artifact' ? FieldKind.Artifact : FieldKind.Text;
  if (type === 'number') return FieldKind.Number;
  if (type === 'integer') return FieldKind.Integer;
  if (type === 'boolean') return FieldKind.Boolean;
  if (type === 'object' && isObject(schema['properties'])) return FieldKind.Group;
  return FieldKind.Json; // arrays, unions, free objects: edited as JSON text
}

/** The fields of an object schema, in the order the schema lists its properties. */
export function fieldsOf(schema: JsonSchema, basePath = ''): FormField[] {
  const properties = isObject(schema['properties']) ? schema['properties'] : {};
  const required = new Set(
    Array.isArray(schema['required']) ? (schema['required'] as string[]) : [],
  );
  return Object.entries(properties).map(([key, value]) => {
    const property = isObject(value) ? value : {};
    const path = `${basePath}/${pointerSegment(key)}`;
    const kind = kindOf(property);
    return {
      path,
      key,
      label: typeof property['title'] === 'string' ? property['title'] : humanize(key),
      description:
        typeof property['description'] === 'string' ? property['description'] : undefined,
      kind,
      required: required.has(key),
      defaultValue: property['default'],
      options: Array.isArray(property['enum']) ? property['enum'] : [],
      minimum: numberOrUndefined(property['minimum'] ?? property['exclusiveMinimum']),
      maximum: numberOrUndefined(property['maximum'] ?? property['exclusiveMaximum']),
      children: kind === FieldKind.Group ? fieldsOf(property, path) : [],
    };
  });
}

/** The form's starting values: each field's default, as the input shows it. */
export function initialValues(fields: readonly FormField[], values: FormValues = {}): FormValues {
  for (const field of fields) {
    if (field.kind === FieldKind.Group) initialValues(field.children, values);
    else if (field.kind === FieldKind.Boolean) values[field.path] = field.defaultValue === true;
    else if (field.kind === FieldKind.Choice)
      values[field.path] =
        field.defaultValue === undefined ? '' : JSON.stringify(field.defaultValue);
    else if (field.kind === FieldKind.Json)
      values[field.path] =
        field.defaultValue === undefined ? '' : JSON.stringify(field.defaultValue);
    else values[field.path] = field.defaultValue === undefined ? '' : String(field.defaultValue);
  }
  return values;
}

/**
 * Turns the form's values into the `parameters` object. Empty inputs are left out (the server
 * fills defaults and reports missing required values); only what cannot even be sent (text in
 * a number field, JSON that does not parse) is reported here. Everything else, ranges
 * included, is the server's to validate against the schema, so there is one set of rules.
 */
export function collectParameters(
  fields: readonly FormField[],
  values: FormValues,
): { parameters: Record<string, unknown>; issues: ValidationIssue[] } {
  const parameters: Record<string, unknown> = {};
  const issues: ValidationIssue[] = [];
  for (const field of fields) {
    const value = collectField(field, values, issues);
    if (value !== undefined) parameters[field.key] = value;
  }
  return { parameters, issues };
}

function collectField(field: FormField, values: FormValues, issues: ValidationIssue[]): unknown {
  if (field.kind === FieldKind.Group) {
    const nested = collectParameters(field.children, values);
    issues.push(...nested.issues);
    return Object.keys(nested.parameters).length > 0 || field.required
      ? nested.parameters
      : undefined;
  }
  const raw = values[field.path];
  if (field.kind === FieldKind.Boolean) return raw === true;
  const text = typeof raw === 'string' ? raw.trim() : '';
  if (text === '') return undefined;
  switch (field.kind) {
    case FieldKind.Number:
    case FieldKind.Integer: {
      const number = Number(text);
      if (Number.isNaN(number)) issues.push({ path: field.path, message: 'must be a number' });
      return number;
    }
    case FieldKind.Choice:
    case FieldKind.Json:
      try {
        return JSON.parse(text) as unknown;
      } catch {
        issues.push({ path: field.path, message: 'must be valid JSON' });
        return undefined;
      }
    default:
      return text;
  }
}

/**
 * Sorts validation issues onto the fields they concern: an issue about `/layers/0` belongs to
 * the `/layers` field. Issues no field owns (the whole object, an unknown property) are `other`.
 */
export function issuesByField(
  fields: readonly FormField[],
  issues: readonly ValidationIssue[],
): { byPath: Map<string, string[]>; other: ValidationIssue[] } {
  const paths = flatten(fields).map((field) => field.path);
  const byPath = new Map<string, string[]>();
  const other: ValidationIssue[] = [];
  for (const issue of issues) {
    const owner = paths
      .filter((path) => issue.path === path || issue.path.startsWith(`${path}/`))
      .sort((a, b) => b.length - a.length)[0];
    if (owner === undefined) other.push(issue);
    else byPath.set(owner, [...(byPath.get(owner) ?? []), issue.message]);
  }
  return { byPath, other };
}

/** Every field, groups' children included. */
function flatten(fields: readonly FormField[]): FormField[] {
  return fields.flatMap((field) => [field, ...flatten(field.children)]);
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function numberOrUndefined(value: unknown): number | undefined {
  return typeof value === 'number' ? value : undefined;
}
