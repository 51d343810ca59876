import { KilnEventName } from '@kiln/api';
import { openEventStream } from '../http/event-stream.js';
import type { RouteSpec } from '../http/route-spec.js';
import type { ToolServerContext } from '../server/tool-server-context.js';

/** `GET /events`: Server-Sent Events, one `artifact` event per status or progress change. */
export function eventRoutes(ctx: ToolServerContext): RouteSpec[] {
  return [
    {
      method: 'get',
      path: '/events',
      operationId: 'events',
      summary:
        'Server-Sent Events: an `artifact` event with the summary at every status or progress change',
      responses: { '200': 'the event stream' },
      content: {
        'text/event-stream': {
          type: 'string',
          description: 'events `artifact`, each with an ArtifactSummary as JSON in its `data`',
        },
      },
      handler: (req, res) => {
        const stream = openEventStream(req, res);
        stream.onClose(
          ctx.events.onAnyArtifact((summary) => stream.send(KilnEventName.Artifact, summary)),
        );
      },
    },
  ];
}
