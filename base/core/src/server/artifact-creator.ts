import {
  ArtifactStatus,
  ErrorCode,
  KilnError,
  isValidName,
  type ArtifactSummary,
  type InputArtifactRef,
  type InputFileSpec,
  type ValidationIssue,
} from '@kiln/api';
import type { Topology } from '@kiln/topology';
import { createHash, randomBytes } from 'node:crypto';
import { rm } from 'node:fs/promises';
import type { StagedInputFile } from '../store/artifact-creation.js';
import { toSummary } from '../store/artifact-row.js';
import type { ArtifactStore } from '../store/artifact-store.js';
import { canonicalJson } from '../util/canonical-json.js';
import type { ParameterValidator } from '../validation/parameter-validator.js';

/** A create request once its body is parsed (JSON or multipart). */
export interface CreateInput {
  name: string | undefined;
  parameters: unknown;
  cache: boolean;
  callback: string | undefined;
  files: StagedInputFile[];
}

export interface ArtifactCreatorOptions {
  toolName: string;
  toolVersion: string;
  inputFiles: readonly InputFileSpec[];
  validator: ParameterValidator;
  store: ArtifactStore;
  /** Resolves the compose URLs of artifact references (`http://import:8080/…`). */
  topology: Topology;
  /** A new queued artifact exists. */
  onQueued(summary: ArtifactSummary): void;
  /** A new artifact was completed at once from the cache. */
  onCached(summary: ArtifactSummary): void;
}

/**
 * Looks up a referenced artifact's record with `@kiln/client`, reaching its container through
 * the topology. The SDK is loaded on the first reference: most tools never see one.
 */
async function fetchReference(
  url: string,
  topology: Topology,
): Promise<{ status: string; digest: string | null }> {
  const { Kiln } = await import('@kiln/client');
  const { client, name } = Kiln.artifactAt(url, { topology, timeout: 10_000, retries: 2 });
  return client.get(name);
}

/**
 * Turns a parsed create request into an artifact: name, parameters, input files and artifact
 * references checked first, then either a cache hit or a queued build.
 */
export class ArtifactCreator {
  readonly #options: ArtifactCreatorOptions;

  constructor(options: ArtifactCreatorOptions) {
    this.#options = options;
  }

  async create(input: CreateInput): Promise<ArtifactSummary> {
    try {
      return await this.#create(input);
    } catch (error) {
      // Files not moved into an artifact (a refused request) are dropped.
      await Promise.all(input.files.map((file) => rm(file.tempPath, { force: true })));
      throw error;
    }
  }

  async #create(input: CreateInput): Promise<ArtifactSummary> {
    const { store, validator } = this.#options;
    const name = input.name ?? this.#generateName();
    if (!isValidName(name)) {
      throw new KilnError(ErrorCode.InvalidName, `'${String(name)}' is not a valid artifact name`, {
        status: 400,
      });
    }
    // A name of one's own may be taken; one made here is new (and the insert would say so).
    if (input.name !== undefined && (await store.get(name))) {
      throw new KilnError(ErrorCode.ArtifactExists, `an artifact named '${name}' already exists`, {
        status: 409,
      });
    }
    const parameters = validator.validate(input.parameters);
    this.#checkFiles(input.files);
    const callback = this.#checkCallback(input.callback);
    const inputs = await this.#resolveReferences(parameters);
    const cacheKey = this.#cacheKey(parameters, input.files, inputs);
    const artifact = { name, parameters, inputFiles: input.files, inputs, cacheKey, callback };
    const source = input.cache ? await store.findCacheSource(cacheKey) : null;
    if (source) {
      const summary = toSummary(await store.createCached(artifact, source));
      this.#options.onCached(summary);
      return summary;
    }
    const summary = toSummary(await store.create(artifact));
    this.#options.onQueued(summary);
    return summary;
  }

  #generateName(): string {
    const stem = this.#options.toolName.replace(/[^A-Za-z0-9._-]/g, '-').slice(0, 80) || 'artifact';
    return `${stem}-${Date.now().toString(36)}-${randomBytes(4).toString('hex')}`;
  }

  #checkFiles(files: readonly StagedInputFile[]): void {
    const given = new Set(files.map((file) => file.name));
    const errors: ValidationIssue[] = this.#options.inputFiles
      .filter((spec) => spec.required && !given.has(spec.name))
      .map((spec) => ({ path: `/inputFiles/${spec.name}`, message: 'is a required input file' }));
    if (errors.length > 0) {
      throw new KilnError(
        ErrorCode.ValidationFailed,
        `missing input files: ${errors.map((e) => e.path).join(', ')}`,
        { status: 422, errors },
      );
    }
  }

  #checkCallback(callback: string | undefined): string | null {
    if (callback === undefined) return null;
    const url = URL.canParse(callback) ? new URL(callback) : null;
    if (!url || (url.protocol !== 'http:' && url.protocol !== 'https:')) {
      throw new KilnError(ErrorCode.ValidationFailed, `'callback' must be an http(s) URL`, {
        status: 422,
        errors: [{ path: '/callback', message: 'must be an http(s) URL' }],
      });
    }
    return callback;
  }

  /** Each referenced artifact must be reachable and completed; its digest joins the cache key. */
  async #resolveReferences(parameters: Record<string, unknown>): Promise<InputArtifactRef[]> {
    const refs: InputArtifactRef[] = [];
    const errors: ValidationIssue[] = [];
    await Promise.all(
      this.#options.validator.artifactParameters.map(async (parameter) => {
        const url = parameters[parameter];
        if (typeof url !== 'string') return;
        try {
          const record = await fetchReference(url, this.#options.topology);
          if (record.status !== ArtifactStatus.Completed) {
            errors.push({
              path: `/${parameter}`,
              message: `the artifact at ${url} is ${record.status}, not completed`,
            });
          } else {
            refs.push({ parameter, url, digest: record.digest });
          }
        } catch (error) {
          errors.push({
            path: `/${parameter}`,
            message: `the artifact at ${url} could not be read: ${(error as Error).message}`,
          });
        }
      }),
    );
    if (errors.length > 0) {
      throw new KilnError(
        ErrorCode.InputArtifactUnavailable,
        errors.map((e) => e.message).join('; '),
        { status: 422, errors },
      );
    }
    // Code-unit order, not the locale's: it feeds the cache key, the same on every machine.
    return refs.sort((a, b) =>
      a.parameter < b.parameter ? -1 : a.parameter > b.parameter ? 1 : 0,
    );
  }

  /**
   * What makes two builds the same: tool and version, parameters, input-file digests and the
   * digests of referenced artifacts. A reference counts by its data's digest, not its URL, so the
   * same data reached through another artifact or another address is a hit.
   */
  #cacheKey(
    parameters: Record<string, unknown>,
    files: readonly StagedInputFile[],
    inputs: readonly InputArtifactRef[],
  ): string {
    const withoutUrls = { ...parameters };
    for (const ref of inputs) delete withoutUrls[ref.parameter];
    const material = canonicalJson({
      tool: this.#options.toolName,
      version: this.#options.toolVersion,
      parameters: withoutUrls,
      files: Object.fromEntries(files.map((file) => [file.name, file.sha256])),
      inputs: Object.fromEntries(inputs.map((ref) => [ref.parameter, ref.digest])),
    });
    return createHash('sha256').update(material).digest('hex');
  }
}
