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
    .option('--log-format <format>', 'text or json (env KILN_LOG_FORMAT)')
    .action(async (modulePath: string, options: ServeCliOptions) => {
      await serve(modulePath, options);
    });
}

interface ServeCliOptions {
  port?: number;
  host?: string;
  data?: string;
  maxUploadBytes?: number;
  logFormat?: string;
}

async function serve(modulePath: string, options: ServeCliOptions): Promise<void> {
  // Loaded here rather than at the top: every other kiln command starts faster without the server.
  const [{ createStreamLogger, startToolServer }, { loadTopology, TopologyEnv }] =
    await Promise.all([import('@kiln/core'), import('@kiln/topology')]);
  const env = process.env;
  const logFormat = (options.logFormat ?? env['KILN_LOG_FORMAT']) === 'json' ? 'json' : 'text';
  const logger = createStreamLogger({ format: logFormat });
  const maxUpload =
    options.maxUploadBytes ??
    (env['KILN_MAX_UPLOAD_BYTES'] ? parseBytes(env['KILN_MAX_UPLOAD_BYTES']) : undefined);
  const server = await startToolServer({
    modulePath: resolve(modulePath),
    dataDir: resolve(options.data ?? env['DATA_DIR'] ?? '.kiln/data'),
    port: options.port ?? (env['PORT'] ? parsePort(env['PORT']) : 8080),
    host: options.host ?? env['HOST'] ?? '127.0.0.1',
    logger,
    // The project this container belongs to: references name its services as the compose file does.
    topology: await loadTopology({
      composeFile: env[TopologyEnv.ComposeFile],
      addresses: env[TopologyEnv.Addresses],
    }),
    ...(maxUpload === undefined ? {} : { maxUploadBytes: maxUpload }),
  });
  process.stdout.write(
    `kiln: ${server.description.kind} '${server.description.name}' listening on ${server.url}\n`,
  );
  const stop = (signal: string): void => {
    logger.info('stopping', { signal });
    server.close().then(
      () => process.exit(0),
      (error: unknown) => {
        logger.error('failed to stop cleanly', { error: String(error) });
        process.exit(1);
      },
    );
  };
  process.once('SIGTERM', () => stop('SIGTERM'));
  process.once('SIGINT', () => stop('SIGINT'));
}
