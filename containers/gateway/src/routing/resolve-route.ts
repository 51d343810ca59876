import { KilnError, isValidName } from '@kiln/api';

/** Where a request goes. */
export const RouteKind = {
  /** The gateway's own health check. */
  Health: 'health',
  /** The sign-in API. */
  Session: 'session',
  /** A container, prefix stripped. */
  Container: 'container',
  /** The dashboard: everything else, `/pipelines/` and `/containers/` included. */
  Dashboard: 'dashboard',
} as const;
export type RouteKind = (typeof RouteKind)[keyof typeof RouteKind];

/** The outcome of {@link resolveRoute}. */
export type Route =
  | {
      kind: typeof RouteKind.Health | typeof RouteKind.Session | typeof RouteKind.Dashboard;
      path: string;
    }
  | { kind: typeof RouteKind.Container; name: string; prefix: string; path: string };

const CONTAINERS_PREFIX = '/containers';

/**
 * Maps a request target to its route. `path` is what is forwarded: for a container, the rest
 * after `/containers/{name}` (at least `/`) with the query kept. Only origin-form targets are
 * accepted, so an absolute-form target (`GET http://elsewhere/`) can never pick the upstream.
 */
export function resolveRoute(target: string): Route {
  if (!target.startsWith('/')) {
    throw new KilnError('BAD_REQUEST', 'the request target must be a path', { status: 400 });
  }
  const queryAt = target.indexOf('?');
  const pathname = queryAt === -1 ? target : target.slice(0, queryAt);
  const query = queryAt === -1 ? '' : target.slice(queryAt);
  if (pathname === '/healthz') return { kind: RouteKind.Health, path: target };
  if (pathname === '/auth/session' || pathname === '/auth/session/')
    return { kind: RouteKind.Session, path: target };
  if (pathname !== CONTAINERS_PREFIX && !pathname.startsWith(`${CONTAINERS_PREFIX}/`)) {
    return { kind: RouteKind.Dashboard, path: target };
  }
  // `/containers/` itself is the dashboard's list of every container.
  if (pathname === CONTAINERS_PREFIX || pathname === `${CONTAINERS_PREFIX}/`) {
    return { kind: RouteKind.Dashboard, path: `${CONTAINERS_PREFIX}/${query}` };
  }
  const rest = pathname.slice(CONTAINERS_PREFIX.length + 1);
  const slash = rest.indexOf('/');
  const rawName = slash === -1 ? rest : rest.slice(0, slash);
  const name = decodeSegment(rawName);
  if (!isValidName(name))
    throw new KilnError('INVALID_NAME', `'${name}' is not a valid container name`, { status: 400 });
  const forwarded = slash === -1 ? '/' : rest.slice(slash);
  return {
    kind: RouteKind.Container,
    name,
    prefix: `${CONTAINERS_PREFIX}/${name}`,
    path: `${forwarded}${query}`,
  };
}

function decodeSegment(segment: string): string {
  try {
    return decodeURIComponent(segment);
  } catch {
    throw new KilnError('INVALID_NAME', 'the container name is not valid percent-encoding', {
      status: 400,
    });
  }
}
