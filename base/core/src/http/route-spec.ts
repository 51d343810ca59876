import { ErrorCode, KilnError } from '@kiln/api';
import type { NextFunction, Request, RequestHandler, Response, Router } from 'express';

export type HttpMethod = 'get' | 'post' | 'put' | 'delete';

/** A query parameter (or a request header) as documented in OpenAPI. */
export interface QuerySpec {
  name: string;
  description: string;
  schema: Record<string, unknown>;
}

/**
 * One route: the express handler and its OpenAPI description come from the same object, so the
 * served `/openapi.json` cannot drift from what the server does.
 */
export interface RouteSpec {
  method: HttpMethod;
  /** OpenAPI path, e.g. `/artifacts/{name}/data/{path}`; a `{path}` parameter spans segments. */
  path: string;
  operationId: string;
  summary: string;
  query?: QuerySpec[];
  /** Request headers the route reads (`Range`, `If-None-Match`). */
  headers?: QuerySpec[];
  /**
   * JSON Schemas of path parameters that are not plain strings (`{ version: { type: 'integer' } }`).
   * @defaultValue every path parameter is a string (a Kiln name for `{name}`)
   */
  params?: Record<string, Record<string, unknown>>;
  /**
   * The request body: `create` documents a tool's JSON and multipart create bodies; any other
   * route gives its OpenAPI Request Body Object (`{ required, content: { … } }`).
   */
  requestBody?: 'create' | Record<string, unknown>;
  /** Status → description; the success content is described by `content`. */
  responses: Record<string, string>;
  /** Status → header name → description, for headers a success answer sets (`Location`). */
  responseHeaders?: Record<string, Record<string, string>>;
  /** Error statuses answered with `content` rather than a problem document (`/health`'s 503). */
  contentOn?: string[];
  /** Media type → JSON Schema (or a `$ref`) of the success body. */
  content?: Record<string, Record<string, unknown>>;
  handler: (req: Request, res: Response) => Promise<void> | void;
}

/** `/artifacts/{name}/data/{path}` → `/artifacts/:name/data/*path`. */
function toExpressPath(path: string): string {
  return path.replace(/\{path\}/g, '*path').replace(/\{(\w+)\}/g, ':$1');
}

function wrap(handler: RouteSpec['handler']): RequestHandler {
  return (req: Request, res: Response, next: NextFunction) => {
    try {
      const result = handler(req, res);
      if (result instanceof Promise) result.catch(next);
    } catch (error) {
      next(error);
    }
  };
}

/**
 * Mounts routes on a router, then a 405 with `Allow` for every other method on the same paths.
 */
export function mountRoutes(router: Router, routes: readonly RouteSpec[]): void {
  const allowed = new Map<string, Set<string>>();
  for (const route of routes) {
    const path = toExpressPath(route.path);
    router[route.method](path, wrap(route.handler));
    const methods = allowed.get(path) ?? new Set<string>();
    methods.add(route.method.toUpperCase());
    if (route.method === 'get') methods.add('HEAD');
    allowed.set(path, methods);
  }
  for (const [path, methods] of allowed) {
    const allow = [...methods].join(', ');
    router.all(path, (req, res, next) => {
      res.setHeader('Allow', allow);
      next(
        new KilnError(
          ErrorCode.MethodNotAllowed,
          `${req.method} is not served here; use ${allow}`,
          { status: 405 },
        ),
      );
    });
  }
}
