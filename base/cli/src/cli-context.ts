import {
  Kiln,
  type KilnOptions,
  type PipelineClient,
  type ToolClient,
  type ToolDescription,
} from '@kiln/client';
import type { Command } from 'commander';
import { DEFAULT_KILN_URL, type CliEnvironment } from './cli-environment.js';
import { usageError } from './cli-error.js';
import { Output } from './output/output.js';

/** The global options every subcommand accepts. */
export interface GlobalOptions {
  url?: string;
  token?: string;
  json?: boolean;
}

/** What a command runs with: the resolved gateway client and where to write. */
export interface CliContext {
  kiln: Kiln;
  options: KilnOptions;
  out: Output;
}

/** A container argument opened for use, with its description. */
export interface OpenedContainer {
  client: ToolClient | PipelineClient;
  description: ToolDescription;
  /** How to name it in messages: the name given, or for a URL the container's own name. */
  label: string;
  /** Addressed through the gateway (false for a URL argument). */
  viaGateway: boolean;
}

/** Resolves `--url`/`KILN_URL`, `--token`/`KILN_TOKEN` and `--json` for a command. */
export function cliContext(command: Command, env: CliEnvironment): CliContext {
  const globals = command.optsWithGlobals<GlobalOptions>();
  const token = globals.token ?? env.token;
  const options: KilnOptions = token ? { token } : {};
  const url = globals.url ?? env.url ?? DEFAULT_KILN_URL;
  if (!isHttpUrl(url))
    throw usageError(`--url/KILN_URL must be an http(s) URL, not ${JSON.stringify(url)}`);
  return {
    kiln: new Kiln(url, options),
    options,
    out: new Output(env.stdout, env.stderr, globals.json === true),
  };
}

/** True for an `http://` or `https://` URL: a container argument given as a URL is used directly. */
export function isHttpUrl(value: string): boolean {
  return /^https?:\/\//i.test(value);
}

/** The gateway client for a name, or a direct one for a URL. */
function kilnFor(context: CliContext, container: string): { kiln: Kiln; name: string | undefined } {
  return isHttpUrl(container)
    ? { kiln: Kiln.direct(container, context.options), name: undefined }
    : { kiln: context.kiln, name: container };
}

/** A tool client for a container argument (a name behind the gateway, or a URL). */
export function toolClient(context: CliContext, container: string): ToolClient {
  const { kiln, name } = kilnFor(context, container);
  return kiln.container(name);
}

/** A pipeline client for a container argument. */
function pipelineClient(context: CliContext, container: string): PipelineClient {
  const { kiln, name } = kilnFor(context, container);
  return kiln.pipeline(name);
}

/** Asks the container what it is, and returns the client of the right kind (runs for pipelines). */
export async function openContainer(
  context: CliContext,
  container: string,
): Promise<OpenedContainer> {
  const tool = toolClient(context, container);
  const description = await tool.describe();
  const client = description.kind === 'pipeline' ? pipelineClient(context, container) : tool;
  const viaGateway = !isHttpUrl(container);
  return { client, description, label: viaGateway ? container : description.name, viaGateway };
}
