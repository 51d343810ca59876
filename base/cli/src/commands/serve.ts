import type { ServiceContext, StartedService } from '@kiln/api';
import { Command, InvalidArgumentError } from 'commander';
import { resolve } from 'node:path';

function parsePort(value: string): number {
  const port = Number(value);
  if (!Number.isInteger(port) || port < 0 || port > 65535) {
    throw new InvalidArgumentError('must be an integer from 0 to 65535');
  }
  return port;
}

function parseBytes(value: string): number {
  const bytes = Number(value);
  if (!Number.isSafeInteger(bytes) || bytes < 1)
    throw new InvalidArgumentError('must be a positive integer');
  return bytes;
}

/** `kiln serve <module>`: serves a tool module as a tool container until SIGTERM or SIGINT. */
export function createServeCommand(): Command {
  return new Command('serve')
    .description('serve a tool module (default export defineTool(...)) as a tool container')
    .argument('<module>', 'path of the tool module (compiled JavaScript)')
    .option('-p, --port <port>', 'port to listen on (env PORT; 0 picks a free one)', parsePort)
    .option('-H, --host <host>', 'address to bind (env HOST)')
    .option('-d, --data <dir>', 'data folder (env DATA_DIR)')
    .option(
      '--max-upload-bytes <bytes>',
      'largest accepted input file (env KILN_MAX_UPLOAD_BYTES)',
      parseBytes,
    )
    .option(
      '-w, --workers <n>',
      'builds at once, each in its own mule (env KILN_WORKERS; default one per GPU, or 1)',
    )
    .option(
      '--gpus <list>',
      'GPU indices, one per worker, e.g. 0,1: CUDA_VISIBLE_DEVICES of each mule (env KILN_GPUS)',
    )
    .option(
      '--mule-idle-ms <ms>',
      'an idle mule exits after this long (one whose build took over 0.5 s, when it ends); 0 keeps mules (env KILN_MULE_IDLE_MS; default 5000)',
    )
    .option(
      '--database-url <url>',
      'cluster mode: keep the index, queue and events in this PostgreSQL database, shared by every replica on the same data folder (env KILN_DATABASE_URL)',
    )
    .option(
      '--database-schema <name>',
      "the PostgreSQL schema of this container's tables (env KILN_DATABASE_SCHEMA; default kiln_<tool>)",
    )
    .option(
      '--lease-ms <ms>',
      "how long a build's lease lasts; a replica that dies has its builds taken over once it runs out (env KILN_LEASE_MS; default 30000)",
    )
    .option('--log-format <format>', 'text or json (env KILN_LOG_FORMAT)')
    .action(async (modulePath: string, options: ServeCliOptions) => {
      await serve(modulePath, options);
    });
}

/** The options of `kiln serve`, as commander parses them. */
export interface ServeCliOptions {
  port?: number;
  host?: string;
  data?: string;
  maxUploadBytes?: number;
  workers?: string;
  gpus?: string;
  muleIdleMs?: string;
  databaseUrl?: string;
  databaseSchema?: string;
  leaseMs?: string;
  logFormat?: string;
}

/**
 * What `startToolServer` takes from the worker and cluster flags (the parsers come with
 * @kiln/core).
 */
interface WorkerFlags {
  workers?: number;
  gpus?: number[];
  muleIdleMs?: number;
  databaseUrl?: string;
  databaseSchema?: string;
  leaseMs?: number;
}

/**
 * The worker and cluster flags, each from its flag or else its environment variable. A bad value is refused
 * with one line naming where it came from (`--workers must be an integer from 1 to 256, got '0'`).
 */
function workerFlags(
  options: ServeCliOptions,
  env: ServiceContext['env'],
  core: Pick<
    typeof import('@kiln/core'),
    | 'parseWorkerCount'
    | 'parseGpuList'
    | 'parseMilliseconds'
    | 'parseDatabaseUrl'
    | 'parseDatabaseSchema'
    | 'parseLeaseMs'
  >,
): WorkerFlags {
  const pick = <T>(
    flag: string | undefined,
    flagName: string,
    envName: string,
    parse: (text: string, source: string) => T,
  ): T | undefined => {
    if (flag !== undefined) return parse(flag, flagName);
    const fromEnv = env[envName];
    return fromEnv === undefined || fromEnv.trim() === '' ? undefined : parse(fromEnv, envName);
  };
  const flags: WorkerFlags = {};
  const workers = pick(options.workers, '--workers', 'KILN_WORKERS', core.parseWorkerCount);
  const gpus = pick(options.gpus, '--gpus', 'KILN_GPUS', core.parseGpuList);
  const idle = pick(
    options.muleIdleMs,
    '--mule-idle-ms',
    'KILN_MULE_IDLE_MS',
    core.parseMilliseconds,
  );
  const databaseUrl = pick(
    options.databaseUrl,
    '--database-url',
    'KILN_DATABASE_URL',
    core.parseDatabaseUrl,
  );
  const databaseSchema = pick(
    options.databaseSchema,
    '--database-schema',
    'KILN_DATABASE_SCHEMA',
    core.parseDatabaseSchema,
  );
  const leaseMs = pick(options.leaseMs, '--lease-ms', 'KILN_LEASE_MS', core.parseLeaseMs);
  if (workers !== undefined) flags.workers = workers;
  if (gpus !== undefined) flags.gpus = gpus;
  if (idle !== undefined) flags.muleIdleMs = idle;
  if (databaseUrl !== undefined) flags.databaseUrl = databaseUrl;
  if (databaseSchema !== undefined) flags.databaseSchema = databaseSchema;
  if (leaseMs !== undefined) flags.leaseMs = leaseMs;
  return flags;
}

/**
 * Starts the tool container `kiln serve <module>` describes: each setting from its flag or else
 * the service's environment, paths from its folder. Shared by the command, which runs it in its
 * own process, and `startService` (serve-service.ts), through which `kiln up` hosts it.
 */
export async function startServe(
  modulePath: string,
  options: ServeCliOptions,
  context: ServiceContext,
): Promise<StartedService> {
  // Loaded here rather than at the top: every other kiln command starts faster without the server.
  const [core, { loadTopology, TopologyEnv }] = await Promise.all([
    import('@kiln/core'),
    import('@kiln/topology'),
  ]);
  const { createStreamLogger, startToolServer } = core;
  const { env, cwd } = context;
  const workers = workerFlags(options, env, core);
  const logFormat = (options.logFormat ?? env['KILN_LOG_FORMAT']) === 'json' ? 'json' : 'text';
  const logger = createStreamLogger({ format: logFormat, stream: context.stderr });
  const maxUpload =
    options.maxUploadBytes ??
    (env['KILN_MAX_UPLOAD_BYTES'] ? parseBytes(env['KILN_MAX_UPLOAD_BYTES']) : undefined);
  const server = await startToolServer({
    modulePath: resolve(cwd, modulePath),
    dataDir: resolve(cwd, options.data ?? env['DATA_DIR'] ?? '.kiln/data'),
    port: options.port ?? (env['PORT'] ? parsePort(env['PORT']) : 8080),
    host: options.host ?? env['HOST'] ?? '127.0.0.1',
    logger,
    // The project this container belongs to: references name its services as the compose file does.
    topology: await loadTopology({
      composeFile: env[TopologyEnv.ComposeFile],
      addresses: env[TopologyEnv.Addresses],
    }),
    // Its mules run where, and with what environment, a process of its own would.
    cwd,
    environment: env,
    ...(maxUpload === undefined ? {} : { maxUploadBytes: maxUpload }),
    ...workers,
  });
  context.stdout.write(
    `kiln: ${server.description.kind} '${server.description.name}' listening on ${server.url}\n`,
  );
  return {
    url: server.url,
    close: async () => {
      logger.info('stopping');
      await server.close();
    },
  };
}

async function serve(modulePath: string, options: ServeCliOptions): Promise<void> {
  const server = await startServe(modulePath, options, {
    argv: process.argv.slice(2),
    env: process.env,
    cwd: process.cwd(),
    stdout: process.stdout,
    stderr: process.stderr,
  });
  const stop = (): void => {
    server.close().then(
      () => process.exit(0),
      (error: unknown) => {
        process.stderr.write(`kiln: failed to stop cleanly: ${String(error)}\n`);
        process.exit(1);
      },
    );
  };
  process.once('SIGTERM', stop);
  process.once('SIGINT', stop);
}
