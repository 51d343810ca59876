import type {
  ArtifactRecord,
  ArtifactSummary,
  ContainerArtifactSummary,
  ContainerInfo,
  ContainerListing,
  CreateArtifactRequest,
  InputFileEntry,
  MetricInfo,
  MetricPoint,
  PipelineListing,
  ProblemDocument,
  RunVariants,
  SessionState,
  StepInfo,
  TaskDescription,
  ToolDescription,
} from '@kiln/api';
import { ApiError } from './api-error.js';
import { LiveEvents } from './live-events.js';
import { artifactPath, containerPath, metricViewPath, type Collection } from './paths.js';
import { ServingApi } from './serving-api.js';
import { ServingEvents } from './serving-events.js';

/** The gateway name of the visualization container (docker-compose.yml's service name). */
const VISUALIZATION = 'visualization';

/** The TensorBoard export of every series, through the gateway. */
export const TENSORBOARD_PATH = `${containerPath(VISUALIZATION)}/tensorboard`;

/** What the create form sends: JSON, or multipart when there are files. */
export interface CreateRequest extends CreateArtifactRequest {
  files?: Record<string, File>;
}

/**
 * The dashboard's client of the Kiln API behind the gateway (same origin). Every call goes
 * through {@link KilnApi.request}, which turns failures into {@link ApiError} and reports a
 * 401 to `onUnauthorized`, so the app can show its sign-in view from one place.
 */
export class KilnApi {
  /** Shared EventSource subscriptions to containers' `/events`. */
  readonly live: LiveEvents;
  readonly #base: string;
  /** Each serving container's client and event stream, made on first use. */
  readonly #serving = new Map<string, { api: ServingApi; events: ServingEvents }>();
  #onUnauthorized: () => void = () => {};
  #containerNames: Promise<Set<string>> | undefined;
  #servingContainers: Promise<string[]> | undefined;

  constructor(base = '') {
    this.#base = base;
    this.live = new LiveEvents((path) => `${this.#base}${path}`);
  }

  /** Called whenever the gateway answers 401 (no or wrong token). */
  set onUnauthorized(listener: () => void) {
    this.#onUnauthorized = listener;
  }

  /** Any request; resolves with the response when it is a 2xx. */
  async request(path: string, init: RequestInit = {}): Promise<Response> {
    const response = await fetch(`${this.#base}${path}`, { credentials: 'same-origin', ...init });
    if (response.ok) return response;
    if (response.status === 401) this.#onUnauthorized();
    throw new ApiError(
      response.status,
      await readProblem(response),
      `${response.status} ${response.statusText}`,
    );
  }

  async json<T>(path: string, init: RequestInit = {}): Promise<T> {
    const headers = { accept: 'application/json', ...init.headers };
    return (await (await this.request(path, { ...init, headers })).json()) as T;
  }

  pipelines(signal?: AbortSignal): Promise<PipelineListing[]> {
    return this.json('/pipelines/', { signal });
  }

  /** Every container of the project (`GET /containers/`), tools no pipeline uses included. */
  projectContainers(signal?: AbortSignal): Promise<ContainerListing[]> {
    return this.json('/containers/', { signal });
  }

  /**
   * The project's serving containers, in the compose file's order: the containers of
   * `GET /containers/` whose `GET /` says `kind: "serving"`, whatever their service names.
   * Kept once some are found; asked again while there are none (one may not answer yet).
   */
  async servingContainers(signal?: AbortSignal): Promise<string[]> {
    // Shared by every caller, so no caller's signal may end it.
    const asked = (this.#servingContainers ??= this.projectContainers().then((containers) =>
      containers
        .filter((container) => container.kind === 'serving')
        .map((container) => container.name),
    ));
    const names = await asked.catch((error: unknown) => {
      if (this.#servingContainers === asked) this.#servingContainers = undefined;
      throw error;
    });
    if (names.length === 0 && this.#servingContainers === asked)
      this.#servingContainers = undefined;
    signal?.throwIfAborted();
    return names;
  }

  /** A serving container's routes (the Serving pages). */
  serving(container: string): ServingApi {
    return this.#servingOf(container).api;
  }

  /** A serving container's `/events`, shared by every page that follows it. */
  servingEvents(container: string): ServingEvents {
    return this.#servingOf(container).events;
  }

  #servingOf(container: string): { api: ServingApi; events: ServingEvents } {
    let serving = this.#serving.get(container);
    if (!serving) {
      const api = new ServingApi(this, container);
      serving = { api, events: new ServingEvents(`${this.#base}${api.eventsPath}`) };
      this.#serving.set(container, serving);
    }
    return serving;
  }

  task(pipeline: string, signal?: AbortSignal): Promise<TaskDescription> {
    return this.json(`${containerPath(pipeline)}/task`, { signal });
  }

  containers(pipeline: string, signal?: AbortSignal): Promise<ContainerInfo[]> {
    return this.json(`${containerPath(pipeline)}/containers`, { signal });
  }

  pipelineArtifacts(pipeline: string, signal?: AbortSignal): Promise<ContainerArtifactSummary[]> {
    return this.json(`${containerPath(pipeline)}/artifacts`, { signal });
  }

  /**
   * The names of the project's containers, to tell artifact references into the project from
   * other URLs. Asked for once; asked again after a failure.
   */
  containerNames(): Promise<Set<string>> {
    this.#containerNames ??= this.projectContainers()
      .then((containers) => new Set(containers.map((container) => container.name)))
      .catch((error: unknown) => {
        this.#containerNames = undefined;
        throw error;
      });
    return this.#containerNames;
  }

  describe(container: string, signal?: AbortSignal): Promise<ToolDescription> {
    return this.json(`${containerPath(container)}/`, { signal });
  }

  list(
    container: string,
    collection: Collection,
    signal?: AbortSignal,
  ): Promise<ArtifactSummary[]> {
    return this.json(`${containerPath(container)}/${collection}`, { signal });
  }

  record(
    container: string,
    collection: Collection,
    artifact: string,
    signal?: AbortSignal,
  ): Promise<ArtifactRecord> {
    return this.json(`${artifactPath(container, collection, artifact)}/`, { signal });
  }

  inputParameters(
    container: string,
    collection: Collection,
    artifact: string,
    signal?: AbortSignal,
  ): Promise<Record<string, unknown>> {
    return this.json(`${artifactPath(container, collection, artifact)}/input-parameters`, {
      signal,
    });
  }

  inputFiles(
    container: string,
    collection: Collection,
    artifact: string,
    signal?: AbortSignal,
  ): Promise<InputFileEntry[]> {
    return this.json(`${artifactPath(container, collection, artifact)}/input-files`, { signal });
  }

  metrics(
    container: string,
    collection: Collection,
    artifact: string,
    signal?: AbortSignal,
  ): Promise<MetricInfo[]> {
    return this.json(`${artifactPath(container, collection, artifact)}/metrics`, { signal });
  }

  series(
    container: string,
    collection: Collection,
    artifact: string,
    metric: string,
    signal?: AbortSignal,
  ): Promise<MetricPoint[]> {
    return this.json(metricViewPath(container, collection, artifact, metric, 'values'), { signal });
  }

  report(
    container: string,
    collection: Collection,
    artifact: string,
    metric: string,
    signal?: AbortSignal,
  ): Promise<unknown> {
    return this.json(metricViewPath(container, collection, artifact, metric, 'json'), { signal });
  }

  steps(pipeline: string, run: string, signal?: AbortSignal): Promise<StepInfo[]> {
    return this.json(`${artifactPath(pipeline, 'runs', run)}/steps`, { signal });
  }

  /** A run's sweep (`GET /runs/{run}/variants`, an extension): null when it swept none. */
  variants(pipeline: string, run: string, signal?: AbortSignal): Promise<RunVariants | null> {
    return this.json(`${artifactPath(pipeline, 'runs', run)}/variants`, { signal });
  }

  /** `POST /artifacts` (or `/runs`): JSON, or multipart when files are attached. */
  async create(
    container: string,
    collection: Collection,
    request: CreateRequest,
  ): Promise<ArtifactSummary> {
    const { files, ...body } = request;
    const path = `${containerPath(container)}/${collection}`;
    const fileEntries = Object.entries(files ?? {});
    if (fileEntries.length === 0) {
      return this.json(path, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(body),
      });
    }
    const form = new FormData();
    if (body.name) form.set('name', body.name);
    form.set('parameters', JSON.stringify(body.parameters ?? {}));
    if (body.cache) form.set('cache', 'true');
    for (const [name, file] of fileEntries) form.set(name, file, file.name);
    return this.json(path, { method: 'POST', body: form });
  }

  async cancel(container: string, collection: Collection, artifact: string): Promise<void> {
    await this.request(`${artifactPath(container, collection, artifact)}/cancel`, {
      method: 'POST',
    });
  }

  async remove(container: string, collection: Collection, artifact: string): Promise<void> {
    await this.request(`${artifactPath(container, collection, artifact)}/`, { method: 'DELETE' });
  }

  /**
   * `GET /auth/session` on the gateway: whether the project needs a token and whether this
   * browser has a session. Undefined when there is no gateway in front (no such route).
   */
  async session(signal?: AbortSignal): Promise<SessionState | undefined> {
    const response = await fetch(`${this.#base}/auth/session`, {
      credentials: 'same-origin',
      signal,
      headers: { accept: 'application/json' },
    });
    if (!response.ok || !/json/.test(response.headers.get('content-type') ?? '')) return undefined;
    const state = (await response.json()) as Partial<SessionState>;
    return typeof state.required === 'boolean'
      ? { required: state.required, authenticated: state.authenticated === true }
      : undefined;
  }

  /** `DELETE /auth/session`: forgets this browser's session. */
  async signOut(): Promise<void> {
    await this.request('/auth/session', { method: 'DELETE' });
  }

  /** Whether the project has a visualization container (for the TensorBoard export). */
  async hasVisualization(signal?: AbortSignal): Promise<boolean> {
    const response = await fetch(`${this.#base}${containerPath(VISUALIZATION)}/health`, {
      credentials: 'same-origin',
      signal,
    });
    return response.ok;
  }

  /** `POST /auth/session` on the gateway: sets the session cookie when the token is right. */
  async signIn(token: string): Promise<void> {
    await this.request('/auth/session', {
      method: 'POST',
      headers: { 'content-type': 'application/json', accept: 'application/json' },
      body: JSON.stringify({ token }),
    });
  }

  /**
   * Streams an artifact's log (`?follow=1`) from byte `offset` into `onText` until the build
   * ends or `signal` aborts. `onText` also gets the byte offset reached, so a stream that
   * breaks can resume there without repeating text.
   */
  async followLog(
    container: string,
    collection: Collection,
    artifact: string,
    offset: number,
    onText: (text: string, offset: number) => void,
    signal: AbortSignal,
  ): Promise<void> {
    const response = await this.request(
      `${artifactPath(container, collection, artifact)}/log?follow=1&offset=${offset}`,
      { signal },
    );
    const reader = response.body?.getReader();
    if (!reader) return;
    const decoder = new TextDecoder();
    let read = offset;
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      read += value.byteLength;
      onText(decoder.decode(value, { stream: true }), read);
    }
    onText(decoder.decode(), read);
  }
}

async function readProblem(response: Response): Promise<ProblemDocument | undefined> {
  const type = response.headers.get('content-type') ?? '';
  if (!/json/.test(type)) return undefined;
  try {
    return (await response.json()) as ProblemDocument;
  } catch {
    return undefined;
  }
}
