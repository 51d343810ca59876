import {
  ErrorCode,
  KilnError,
  type ArtifactRecord,
  type ArtifactSummary,
  type CreateArtifactRequest,
  type HealthResponse,
  type ProblemDocument,
  type ToolDescription,
} from '@kiln/api';
import got, { type Got, type OptionsInit, type Response } from 'got';

/** Options of {@link ContainerClient}. */
export interface ContainerClientOptions {
  /**
   * How long one ordinary request may take (a long-poll gets its wait on top).
   * @defaultValue 30000
   */
  timeoutMs?: number;
}

/** How a create request ended: made now, or the name was already taken. */
export type CreateOutcome = { kind: 'created'; summary: ArtifactSummary } | { kind: 'exists' };

const ERROR_CODES = new Set<string>(Object.values(ErrorCode));

/**
 * Speaks the tool artifact API (docs/api.md) to one container over got. Every non-2xx answer becomes
 * a `KilnError` carrying the container's problem detail; a container that does not answer
 * becomes a retryable `CONTAINER_UNAVAILABLE`.
 */
export class ContainerClient {
  readonly name: string;
  readonly url: string;
  readonly #http: Got;

  constructor(name: string, url: string, options: ContainerClientOptions = {}) {
    this.name = name;
    this.url = url;
    this.#http = got.extend({
      prefixUrl: url,
      timeout: { request: options.timeoutMs ?? 30_000 },
      retry: { limit: 0 },
      throwHttpErrors: false,
    });
  }

  /** The absolute URL of an artifact, as artifact references carry it. */
  artifactUrl(artifact: string): string {
    return `${this.url}/artifacts/${encodeURIComponent(artifact)}/`;
  }

  /** `GET /`. */
  describe(signal?: AbortSignal): Promise<ToolDescription> {
    return this.#json('', { signal });
  }

  /** `GET /health`: the answer, whatever its status (503 is meaningful there). */
  async health(signal?: AbortSignal): Promise<{ healthy: boolean; body: HealthResponse | null }> {
    const response = await this.#send('health', { signal });
    const body = parseJson<HealthResponse>(response);
    return { healthy: response.statusCode === 200 && body?.status === 'ok', body };
  }

  /** `GET /artifacts`, optionally filtered by status. */
  list(status?: string, signal?: AbortSignal): Promise<ArtifactSummary[]> {
    return this.#json('artifacts', { signal, searchParams: status ? { status } : {} });
  }

  /** `POST /artifacts` with a JSON body; a 409 (name taken) is an outcome, not an error. */
  async create(request: CreateArtifactRequest, signal?: AbortSignal): Promise<CreateOutcome> {
    const response = await this.#send('artifacts', { method: 'POST', json: request, signal });
    if (response.statusCode === 409) return { kind: 'exists' };
    return { kind: 'created', summary: this.#check<ArtifactSummary>('artifacts', response) };
  }

  /** `GET /artifacts/{name}/status`, holding up to `waitSeconds` for a final state. */
  status(artifact: string, waitSeconds: number, signal?: AbortSignal): Promise<ArtifactSummary> {
    const timeoutMs = (this.#timeoutMs() ?? 30_000) + waitSeconds * 1000;
    return this.#json(`${this.#path(artifact)}/status`, {
      signal,
      searchParams: waitSeconds > 0 ? { wait: waitSeconds } : {},
      timeout: { request: timeoutMs },
    });
  }

  /** `GET /artifacts/{name}/`. */
  record(artifact: string, signal?: AbortSignal): Promise<ArtifactRecord> {
    return this.#json(`${this.#path(artifact)}/`, { signal });
  }

  /** `GET /artifacts/{name}/log?offset=N`: the log's bytes from `offset`. */
  async log(artifact: string, offset: number, signal?: AbortSignal): Promise<Buffer> {
    const path = `${this.#path(artifact)}/log`;
    const response = await this.#send(path, {
      signal,
      searchParams: { offset },
      responseType: 'buffer',
    });
    if (response.statusCode !== 200) this.#check(path, response);
    return response.rawBody;
  }

  /** `POST /artifacts/{name}/cancel`; an artifact already final (409) is not an error. */
  async cancel(artifact: string, signal?: AbortSignal): Promise<void> {
    const path = `${this.#path(artifact)}/cancel`;
    const response = await this.#send(path, { method: 'POST', signal });
    if (response.statusCode !== 409) this.#check(path, response);
  }

  /** `DELETE /artifacts/{name}/`. */
  async remove(artifact: string, signal?: AbortSignal): Promise<void> {
    const path = `${this.#path(artifact)}/`;
    this.#check(path, await this.#send(path, { method: 'DELETE', signal }));
  }

  /** One data file of a completed artifact, parsed as JSON. */
  dataJson<T>(artifact: string, file: string, signal?: AbortSignal): Promise<T> {
    const encoded = file.split('/').map(encodeURIComponent).join('/');
    return this.#json(`${this.#path(artifact)}/data/${encoded}`, { signal });
  }

  /** A report metric of an artifact (`/metrics/{metric}/json`). */
  report<T>(artifact: string, metric: string, signal?: AbortSignal): Promise<T> {
    return this.#json(`${this.#path(artifact)}/metrics/${encodeURIComponent(metric)}/json`, {
      signal,
    });
  }

  #path(artifact: string): string {
    return `artifacts/${encodeURIComponent(artifact)}`;
  }

  #timeoutMs(): number | undefined {
    return this.#http.defaults.options.timeout.request;
  }

  async #json<T>(path: string, options: OptionsInit): Promise<T> {
    return this.#check<T>(path, await this.#send(path, options));
  }

  async #send(path: string, options: OptionsInit): Promise<Response> {
    try {
      return (await this.#http(path, {
        ...options,
        isStream: false,
        resolveBodyOnly: false,
      })) as Response;
    } catch (error) {
      if (options.signal?.aborted) throw error;
      throw new KilnError(
        ErrorCode.ContainerUnavailable,
        `container '${this.name}' did not answer (${describe(error)})`,
        {
          status: 502,
          retryable: true,
          cause: error,
        },
      );
    }
  }

  #check<T>(path: string, response: Response): T {
    const status = response.statusCode;
    if (status >= 200 && status < 300) {
      return (status === 204 ? undefined : parseJson<T>(response)) as T;
    }
    const problem = parseJson<ProblemDocument>(response);
    const code =
      problem?.code && ERROR_CODES.has(problem.code) ? (problem.code as ErrorCode) : undefined;
    const detail = problem?.detail ?? problem?.title ?? `status ${status}`;
    throw new KilnError(
      code ?? (status >= 500 ? ErrorCode.ContainerUnavailable : ErrorCode.BadRequest),
      `container '${this.name}' refused /${path}: ${detail}`,
      { status: status >= 500 ? 502 : status, retryable: status >= 500, errors: problem?.errors },
    );
  }
}

function parseJson<T>(response: Response): T | null {
  const body = response.rawBody;
  if (!body || body.length === 0) return null;
  try {
    return JSON.parse(body.toString('utf8')) as T;
  } catch {
    return null;
  }
}

function describe(error: unknown): string {
  const code = (error as { code?: unknown }).code;
  return typeof code === 'string' ? code : error instanceof Error ? error.message : String(error);
}
