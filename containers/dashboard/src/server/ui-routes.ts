import { ErrorCode, KilnError } from '@kiln/api';
import express, { Router } from 'express';
import { existsSync } from 'node:fs';
import { join } from 'node:path';

/** The paths that answer with the single-page UI; the UI picks its view from the path and hash. */
export const UI_PAGES = ['/', '/signin'] as const;

/** Where the bundled assets are served from; the gateway lets this prefix through without a token. */
export const ASSETS_PREFIX = '/assets';

const CONTENT_SECURITY_POLICY = [
  "default-src 'self'",
  "img-src 'self' data: blob:",
  "style-src 'self' 'unsafe-inline'",
  "connect-src 'self'",
  "frame-ancestors 'none'",
  "base-uri 'none'",
  "form-action 'self'",
].join('; ');

/**
 * Serves the bundled UI from `staticDir` (`index.html` and `assets/`). Everything is revalidated
 * on each load (ETag), so a rebuilt bundle is picked up without stale caches.
 */
export function uiRoutes(staticDir: string): Router {
  const router = Router();
  const index = join(staticDir, 'index.html');
  router.use((_req, res, next) => {
    res.setHeader('Content-Security-Policy', CONTENT_SECURITY_POLICY);
    res.setHeader('X-Content-Type-Options', 'nosniff');
    res.setHeader('Referrer-Policy', 'no-referrer');
    next();
  });
  router.get([...UI_PAGES], (_req, res, next) => {
    if (!existsSync(index)) {
      next(
        new KilnError(ErrorCode.ServiceUnavailable, 'the UI is not built: run `npm run build`', {
          status: 503,
        }),
      );
      return;
    }
    res.setHeader('Cache-Control', 'no-cache');
    res.sendFile(index);
  });
  router.use(
    ASSETS_PREFIX,
    express.static(join(staticDir, 'assets'), {
      index: false,
      fallthrough: true,
      setHeaders: noCache,
    }),
  );
  return router;
}

function noCache(res: { setHeader(name: string, value: string): unknown }): void {
  res.setHeader('Cache-Control', 'no-cache');
}
