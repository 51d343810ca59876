import { usageError } from '../cli-error.js';

/** What `kiln new` makes. */
export const ScaffoldKind = { Tool: 'tool', Pipeline: 'pipeline' } as const;
export type ScaffoldKind = (typeof ScaffoldKind)[keyof typeof ScaffoldKind];

/** The language of a container's module (`--lang`). */
export const ScaffoldLanguage = { TypeScript: 'ts', JavaScript: 'js', Python: 'python' } as const;
export type ScaffoldLanguage = (typeof ScaffoldLanguage)[keyof typeof ScaffoldLanguage];

/**
 * A container's name is also its compose service, its folder, its npm package (`@kiln/<name>`),
 * its image and part of environment variables: lower case, digits and single dashes keep it
 * valid as all of them.
 */
const CONTAINER_NAME = /^[a-z][a-z0-9]*(-[a-z0-9]+)*$/;
const MAX_NAME_LENGTH = 50;

/** Everything the templates need to write one container. */
export interface ScaffoldSpec {
  kind: ScaffoldKind;
  name: string;
  lang: ScaffoldLanguage;
  description: string;
  /** A pipeline's steps: the containers its run calls, in order. */
  steps: readonly string[];
}

/** Refuses a name that cannot be a folder, a service, a package and an image at once. */
export function checkContainerName(name: string): string {
  if (!CONTAINER_NAME.test(name) || name.length > MAX_NAME_LENGTH) {
    throw usageError(
      `'${name}' cannot name a container: use lower-case letters, digits and single dashes, ` +
        `starting with a letter (at most ${MAX_NAME_LENGTH} characters)`,
    );
  }
  return name;
}

/** True when the container's module is TypeScript, compiled into `dist/`. */
export function isCompiled(spec: Pick<ScaffoldSpec, 'lang'>): boolean {
  return spec.lang === ScaffoldLanguage.TypeScript;
}

/** The module `kiln serve` runs, relative to the container's folder. */
export function moduleFile(spec: Pick<ScaffoldSpec, 'kind' | 'lang'>): string {
  return isCompiled(spec) ? `dist/${spec.kind}.js` : `${spec.kind}.js`;
}

/** `fashion-mnist` → `FashionMnist`, for type names. */
export function pascalCase(name: string): string {
  return name
    .split('-')
    .map((part) => part.charAt(0).toUpperCase() + part.slice(1))
    .join('');
}

/** A JavaScript string literal in the quotes Prettier picks (single, unless that needs more escapes). */
export function jsString(text: string): string {
  const singles = text.split("'").length - 1;
  const doubles = text.split('"').length - 1;
  if (singles > doubles) return `"${text.replace(/\\/g, '\\\\').replace(/"/g, '\\"')}"`;
  return `'${text.replace(/\\/g, '\\\\').replace(/'/g, "\\'")}'`;
}
