/**
 * @module @kiln/gateway
 * The single-port reverse proxy in front of a Kiln project: routes `/containers/{name}/…` to
 * containers and everything else to the dashboard, streams without buffering, rewrites links
 * through the prefix, and checks the project token. See docs/gateway.md.
 */
export { createGateway, type Gateway } from './create-gateway.js';
export {
  DEFAULT_GATEWAY_LIMITS,
  resolveGatewayOptions,
  type GatewayLimits,
  type GatewayOptions,
  type ResolvedGatewayOptions,
  type Upstream,
} from './gateway-options.js';
export { SESSION_COOKIE } from './auth/token-auth.js';
export { SESSION_PATH } from './auth/session-routes.js';
