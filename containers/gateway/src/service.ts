/**
 * The gateway as a service of a project (`startService`, see `ServiceContext` in `@kiln/api`):
 * its settings from the service's environment, then listening. `main.ts` runs it as a process
 * of its own; `kiln up` hosts it in its own process (package.json, `kiln.services`).
 *
 * PORT (8080), HOST (127.0.0.1), KILN_COMPOSE_FILE and KILN_SERVICE_ADDRESSES (the project's
 * topology, see @kiln/topology), KILN_TOKEN, KILN_PUBLIC_URL, KILN_GATEWAY_MAX_BODY_BYTES,
 * KILN_GATEWAY_IDLE_TIMEOUT_MS, KILN_LOG_FORMAT (`text` or `json`), KILN_LOG_LEVEL.
 */
import { createStreamLogger, type ServiceContext, type StartedService } from '@kiln/api';
import { loadTopology, TopologyEnv } from '@kiln/topology';
import { createGateway } from './create-gateway.js';
import type { GatewayLimits } from './gateway-options.js';

type Env = ServiceContext['env'];

function positiveNumber(env: Env, name: string): number | undefined {
  const raw = env[name];
  if (raw === undefined || raw === '') return undefined;
  const value = Number(raw);
  if (!Number.isFinite(value) || value <= 0) throw new Error(`${name} must be a positive number`);
  return value;
}

function limitsFromEnv(env: Env): Partial<GatewayLimits> {
  const limits: Partial<GatewayLimits> = {};
  const maxBody = positiveNumber(env, 'KILN_GATEWAY_MAX_BODY_BYTES');
  const idle = positiveNumber(env, 'KILN_GATEWAY_IDLE_TIMEOUT_MS');
  if (maxBody !== undefined) limits.maxBodyBytes = maxBody;
  if (idle !== undefined) limits.idleTimeoutMs = idle;
  return limits;
}

/** Starts the gateway from its environment; resolves once it listens. */
export async function startService(context: ServiceContext): Promise<StartedService> {
  const { env } = context;
  const logger = createStreamLogger({
    stream: context.stderr,
    format: env['KILN_LOG_FORMAT'] === 'json' ? 'json' : 'text',
    level: env['KILN_LOG_LEVEL'] === 'debug' ? 'debug' : 'info',
  });
  const topology = await loadTopology({
    composeFile: env[TopologyEnv.ComposeFile],
    addresses: env[TopologyEnv.Addresses],
  });
  const gateway = createGateway({
    topology,
    ...(env['KILN_TOKEN'] ? { token: env['KILN_TOKEN'] } : {}),
    ...(env['KILN_PUBLIC_URL'] ? { publicUrl: env['KILN_PUBLIC_URL'] } : {}),
    limits: limitsFromEnv(env),
    logger,
  });
  const port = env['PORT'] ? Number(env['PORT']) : 8080;
  const url = await gateway.listen(port, env['HOST'] || '127.0.0.1');
  const count = gateway.containers.length;
  context.stdout.write(
    `kiln: gateway listening on ${url} (${count} container${count === 1 ? '' : 's'}, token ${env['KILN_TOKEN'] ? 'required' : 'not set'})\n`,
  );
  return {
    url,
    close: async () => {
      logger.info('stopping');
      await gateway.close();
    },
  };
}
