import type { InputFileSpec } from '@kiln/client';
import { InvalidArgumentError } from 'commander';
import { usageError } from '../cli-error.js';

/** commander collector for a repeatable `--file name=path`. */
export function collectFile(
  value: string,
  previous: Record<string, string> = {},
): Record<string, string> {
  const equals = value.indexOf('=');
  if (equals <= 0 || equals === value.length - 1)
    throw new InvalidArgumentError('expected input=path');
  const name = value.slice(0, equals);
  if (name in previous) throw new InvalidArgumentError(`input file '${name}' given twice`);
  return { ...previous, [name]: value.slice(equals + 1) };
}

/** Refuses input files the container does not take, and names the ones it does. */
export function checkInputFiles(
  files: Record<string, string>,
  specs: readonly InputFileSpec[],
): void {
  const known = specs.map((spec) => spec.name);
  for (const name of Object.keys(files)) {
    if (!known.includes(name)) {
      throw usageError(
        `--file ${name}: this container takes ${known.length === 0 ? 'no input files' : `input files ${known.join(', ')}`}`,
      );
    }
  }
}
