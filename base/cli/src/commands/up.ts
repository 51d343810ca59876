import { Command, InvalidArgumentError } from 'commander';
import { ErrorCode, KilnError } from '@kiln/api';
import type { ProjectHandle } from '@kiln/launcher';

function parsePort(value: string): number {
  const port = Number(value);
  if (!Number.isInteger(port) || port < 0 || port > 65535)
    throw new InvalidArgumentError('must be an integer from 0 to 65535');
  return port;
}

interface UpCliOptions {
  file: string;
  port?: number;
  host: string;
  basePort?: number;
  data?: string;
  color: boolean;
  isolate?: boolean;
}

/**
 * `kiln up [services...]` (what `npm start` runs): starts every service of docker-compose.yml as
 * a local process, prints the dashboard URL, and stops them all on Ctrl-C. See docs/launcher.md.
 */
export function createUpCommand(): Command {
  return new Command('up')
    .description(
      'run the project in docker-compose.yml on this machine, no Docker needed (npm start)',
    )
    .argument('[services...]', 'only these services, and those they depend on')
    .option('-f, --file <file>', 'the Compose file', 'docker-compose.yml')
    .option(
      '-p, --port <port>',
      "the gateway's port (default: the published port, 8080, or the next free one)",
      parsePort,
    )
    .option(
      '-H, --host <host>',
      'the address the gateway binds (0.0.0.0 to reach it from other machines)',
      '127.0.0.1',
    )
    .option(
      '--base-port <port>',
      'first port for the other services (0: any free ports)',
      parsePort,
    )
    .option(
      '-d, --data <dir>',
      "folder for every service's data folder (default: .kiln beside the Compose file)",
    )
    .option(
      '--isolate',
      'run every service as a process of its own, not inside this one (env KILN_ISOLATE=1)',
    )
    .option('--no-color', 'plain prefixes, without colours')
    .action(async (services: string[], options: UpCliOptions, command: Command) => {
      const globals = command.optsWithGlobals<{ token?: string }>();
      await up(services, options, globals.token);
    });
}

async function up(
  services: string[],
  options: UpCliOptions,
  token: string | undefined,
): Promise<void> {
  const output = process.stdout;
  const environment = { ...process.env, ...(token ? { KILN_TOKEN: token } : {}) };
  // Loaded here, not at the top: every `kiln` command imports this file.
  const { LauncherError, startProject } = await import('@kiln/launcher');
  let project: ProjectHandle;
  try {
    project = await startProject({
      composeFile: options.file,
      environment,
      host: options.host,
      ...(options.port === undefined ? {} : { port: options.port }),
      ...(options.basePort === undefined ? {} : { basePort: options.basePort }),
      ...(options.data === undefined ? {} : { dataDir: options.data }),
      ...(services.length > 0 ? { services } : {}),
      isolate: options.isolate === true || isTrue(process.env['KILN_ISOLATE']),
      output,
      color: options.color && output.isTTY === true,
    });
  } catch (error) {
    if (!(error instanceof LauncherError)) throw error;
    process.stderr.write(`kiln: ${error.message}\n`);
    throw new KilnError(ErrorCode.ServiceUnavailable, `the project did not start (${error.code})`, {
      status: 503,
      cause: error,
    });
  }
  const secured = environment['KILN_TOKEN']
    ? 'sign in with the token in KILN_TOKEN'
    : 'no token set: anyone who can reach this port can use it';
  // Listening before saying so: whoever reads the line may press Ctrl-C at once.
  const signalled = untilSignal();
  output.write(
    `\n  Kiln is up: ${project.url}\n  ${secured}\n  Ctrl-C stops everything; the data stays in ${project.dataDir}\n\n`,
  );
  await signalled;
  await project.stop();
}

/** `1`, `true` or `yes`, as a switch in the environment says it. */
function isTrue(value: string | undefined): boolean {
  return ['1', 'true', 'yes'].includes((value ?? '').trim().toLowerCase());
}

/** Resolves at the first SIGINT or SIGTERM; a second one while stopping exits at once. */
function untilSignal(): Promise<void> {
  return new Promise((resolve) => {
    const onSignal = (): void => {
      process.off('SIGINT', onSignal).off('SIGTERM', onSignal);
      process.once('SIGINT', () => process.exit(130)).once('SIGTERM', () => process.exit(143));
      resolve();
    };
    process.on('SIGINT', onSignal).on('SIGTERM', onSignal);
  });
}
