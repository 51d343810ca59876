import { isFinalStatus } from '@kiln/api';
import { toSummary } from '../store/artifact-row.js';
import { waitSeconds } from '../http/query.js';
import { SUMMARY_REF } from '../http/openapi.js';
import { schemaRef } from '../http/openapi-schemas.js';
import type { RouteSpec } from '../http/route-spec.js';
import type { ToolServerContext } from '../server/tool-server-context.js';
import { FinalWatch } from '../server/final-watch.js';
import { nameParam } from './route-params.js';

/** The record, status (with `?wait=` long-poll), cancel and delete of one artifact. */
export function artifactRoutes(ctx: ToolServerContext): RouteSpec[] {
  const base = `${ctx.collectionPath}/{name}`;
  return [
    {
      method: 'get',
      path: base,
      operationId: 'getArtifact',
      summary:
        'The full record: summary, parameters, input files, data files, metrics, inputs, digest',
      responses: { '200': 'the record', '400': 'a bad name', '404': 'no such artifact' },
      content: { 'application/json': schemaRef('ArtifactRecord') },
      handler: async (req, res) => {
        res.json(await ctx.store.record(nameParam(req)));
      },
    },
    {
      method: 'delete',
      path: base,
      operationId: 'deleteArtifact',
      summary: 'Delete the artifact, cancelling its build first; answers once it is gone',
      responses: { '204': 'deleted', '400': 'a bad name', '404': 'no such artifact' },
      handler: async (req, res) => {
        await ctx.scheduler.delete(nameParam(req));
        res.status(204).end();
      },
    },
    {
      method: 'post',
      path: `${base}/cancel`,
      operationId: 'cancelArtifact',
      summary: 'End a queued or running build as cancelled, keeping its record and log',
      responses: { '202': 'cancelled', '404': 'no such artifact', '409': 'already final' },
      content: { 'application/json': SUMMARY_REF },
      handler: async (req, res) => {
        const name = nameParam(req);
        await ctx.scheduler.cancel(name);
        res.status(202).json(toSummary(await ctx.store.require(name)));
      },
    },
    {
      method: 'get',
      path: `${base}/status`,
      operationId: 'getStatus',
      summary: 'The summary; with ?wait=N, held up to N seconds until the artifact is final',
      query: [
        {
          name: 'wait',
          description: 'seconds to wait for a final state (0-60, fractions allowed)',
          schema: { type: 'number', minimum: 0, maximum: 60 },
        },
      ],
      responses: { '200': 'the summary', '400': 'a bad wait', '404': 'no such artifact' },
      content: { 'application/json': SUMMARY_REF },
      handler: async (req, res) => {
        const name = nameParam(req);
        const seconds = waitSeconds(req);
        // Watching before reading: an end that lands while the state is read is not missed.
        const watch = seconds > 0 ? new FinalWatch(ctx.events, name) : null;
        try {
          const current = toSummary(await ctx.store.require(name));
          if (!watch || isFinalStatus(current.status)) {
            res.json(current);
            return;
          }
          const aborted = new AbortController();
          res.once('close', () => aborted.abort());
          await watch.within(seconds * 1000, aborted.signal);
          if (aborted.signal.aborted && res.destroyed) return;
          // The final summary as announced; else (time is up) the current one.
          res.json(watch.final ?? toSummary(await ctx.store.require(name)));
        } finally {
          watch?.close();
        }
      },
    },
  ];
}
