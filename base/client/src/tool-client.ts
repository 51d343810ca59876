import { Collection } from '@kiln/api';
import { ArtifactCollectionClient } from './collection/artifact-collection-client.js';
import type { HttpClient } from './http/http-client.js';

/**
 * A typed handle on one tool container: the artifact API of docs/api.md on `/artifacts`.
 * Get one from `kiln.container(name)` (through a gateway) or `Kiln.direct(url).container()`.
 *
 * @example
 * ```ts
 * const train = kiln.container('train');
 * const { name } = await train.create({ parameters: { epochs: 3 } });
 * const done = await train.wait(name, { onProgress: (s) => console.log(s.progress) });
 * if (done.status === 'completed') await train.download(name, './model');
 * ```
 */
export class ToolClient extends ArtifactCollectionClient {
  /** The container's name, when addressed through a gateway. */
  readonly name: string | undefined;

  constructor(http: HttpClient, name?: string) {
    super(http, Collection.Artifacts);
    this.name = name;
  }
}
