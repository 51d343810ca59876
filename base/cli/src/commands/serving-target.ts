import { Kiln, type ServingClient } from '@kiln/client';
import { Command, InvalidArgumentError } from 'commander';
import { isHttpUrl, type CliContext } from '../cli-context.js';

/** The serving container the example project runs (its name behind the gateway). */
const DEFAULT_SERVING = 'serving';

/** Adds `--serving <container>` to a serving command. */
export function withServingOption(command: Command): Command {
  return command.option(
    '--serving <container>',
    'the serving container: a name behind the gateway or a URL',
    DEFAULT_SERVING,
  );
}

/** The serving client for `--serving`: a name through the gateway, or a URL directly. */
export function servingClient(context: CliContext, target: string): ServingClient {
  return isHttpUrl(target)
    ? Kiln.direct(target, context.options).serving()
    : context.kiln.serving(target);
}

/** A version number argument (1, 2, …). */
export function parseVersion(value: string): number {
  if (!/^[1-9]\d{0,8}$/.test(value))
    throw new InvalidArgumentError('must be a version number (1, 2, …)');
  return Number(value);
}

/** `0.931` → `93.1%`; null → `-`. */
export function formatShare(value: number | null | undefined): string {
  return value === null || value === undefined ? '-' : `${(value * 100).toFixed(1)}%`;
}
