import { databaseUnavailable } from '../database-unavailable.js';

/** Node's codes for a connection that could not be made or was lost. */
const NETWORK_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ETIMEDOUT',
  'EPIPE',
  'ENOTFOUND',
  'EAI_AGAIN',
  'EHOSTUNREACH',
  'ENETUNREACH',
]);

/**
 * SQLSTATEs of a server that is going or not ready: admin_shutdown, crash_shutdown,
 * cannot_connect_now, too_many_connections. Class 08 (connection exceptions) is matched whole.
 */
const UNAVAILABLE_STATES = new Set(['57P01', '57P02', '57P03', '53300']);

/** What node-postgres says when a connection ends under a query or cannot be had in time. */
const LOST_CONNECTION =
  /Connection terminated|timeout exceeded when trying to connect|not queryable|Query read timeout|connection timeout/i;

/**
 * Whether an error of node-postgres means the database cannot be reached at the moment (as
 * opposed to a query it refused): such a call may succeed once the server is back.
 */
export function isConnectionError(error: unknown): boolean {
  if (typeof error !== 'object' || error === null) return false;
  const code = (error as { code?: unknown }).code;
  if (typeof code === 'string') {
    if (NETWORK_CODES.has(code) || UNAVAILABLE_STATES.has(code) || code.startsWith('08'))
      return true;
  }
  return LOST_CONNECTION.test((error as { message?: unknown }).message?.toString() ?? '');
}

/** A connection error becomes the 503 `DATABASE_UNAVAILABLE`; any other error stays as it is. */
export function translateError(error: unknown): unknown {
  return isConnectionError(error) ? databaseUnavailable(error) : error;
}
