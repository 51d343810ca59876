#!/usr/bin/env node
/**
 * The gateway container's entry: reads its configuration from the environment, listens, and
 * stops cleanly on SIGTERM or SIGINT.
 *
 * PORT (8080), HOST (127.0.0.1), KILN_COMPOSE_FILE and KILN_SERVICE_ADDRESSES (the project's
 * topology, see @kiln/topology), KILN_TOKEN, KILN_PUBLIC_URL, KILN_GATEWAY_MAX_BODY_BYTES,
 * KILN_GATEWAY_IDLE_TIMEOUT_MS, KILN_LOG_FORMAT (`text` or `json`), KILN_LOG_LEVEL.
 */
import { createStreamLogger } from '@kiln/api';
import { loadTopology, TopologyEnv } from '@kiln/topology';
import { createGateway } from './create-gateway.js';
import type { GatewayLimits } from './gateway-options.js';

const env = process.env;
const logger = createStreamLogger({
  stream: process.stderr,
  format: env['KILN_LOG_FORMAT'] === 'json' ? 'json' : 'text',
  level: env['KILN_LOG_LEVEL'] === 'debug' ? 'debug' : 'info',
});

function positiveNumber(name: string): number | undefined {
  const raw = env[name];
  if (raw === undefined || raw === '') return undefined;
  const value = Number(raw);
  if (!Number.isFinite(value) || value <= 0) throw new Error(`${name} must be a positive number`);
  return value;
}

function limitsFromEnv(): Partial<GatewayLimits> {
  const limits: Partial<GatewayLimits> = {};
  const maxBody = positiveNumber('KILN_GATEWAY_MAX_BODY_BYTES');
  const idle = positiveNumber('KILN_GATEWAY_IDLE_TIMEOUT_MS');
  if (maxBody !== undefined) limits.maxBodyBytes = maxBody;
  if (idle !== undefined) limits.idleTimeoutMs = idle;
  return limits;
}

try {
  const topology = await loadTopology({
    composeFile: env[TopologyEnv.ComposeFile],
    addresses: env[TopologyEnv.Addresses],
  });
  const gateway = createGateway({
    topology,
    ...(env['KILN_TOKEN'] ? { token: env['KILN_TOKEN'] } : {}),
    ...(env['KILN_PUBLIC_URL'] ? { publicUrl: env['KILN_PUBLIC_URL'] } : {}),
    limits: limitsFromEnv(),
    logger,
  });
  const port = env['PORT'] ? Number(env['PORT']) : 8080;
  const url = await gateway.listen(port, env['HOST'] || '127.0.0.1');
  process.stdout.write(
    `kiln: gateway listening on ${url} (${gateway.containers.length} container${gateway.containers.length === 1 ? '' : 's'}, token ${env['KILN_TOKEN'] ? 'required' : 'not set'})\n`,
  );
  const stop = (signal: string): void => {
    logger.info('stopping', { signal });
    gateway.close().then(
      () => process.exit(0),
      () => process.exit(1),
    );
  };
  process.once('SIGTERM', () => stop('SIGTERM'));
  process.once('SIGINT', () => stop('SIGINT'));
} catch (error) {
  logger.error('gateway failed to start', {
    error: error instanceof Error ? error.message : String(error),
  });
  process.exit(1);
}
