import { Collection, ErrorCode, KilnError, type ArtifactRecord } from '@kiln/api';
import {
  Kiln,
  isKilnApiError,
  parseArtifactUrl,
  type KilnOptions,
  type ParsedArtifactUrl,
  type ToolClient,
} from '@kiln/client';
import { DATASET_FORMAT, MANIFEST_FILE, type DatasetManifest } from '@kiln/fashion-mnist';
import { createHash } from 'node:crypto';
import { createWriteStream, existsSync } from 'node:fs';
import { mkdir, mkdtemp, rename, rm, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';

/** How long fetching one artifact's files may take. */
const DOWNLOAD_TIMEOUT_MS = 10 * 60_000;

/** The model's topology file, which every model artifact of the train container has. */
const MODEL_JSON = 'model.json';

/** A client for the container that holds an artifact, and the artifact's name there. */
interface ArtifactAddress {
  client: ToolClient;
  name: string;
}

function unavailable(url: string, why: string, cause?: unknown): KilnError {
  return new KilnError(ErrorCode.InputArtifactUnavailable, `${url}: ${why}`, {
    status: 422,
    cause,
  });
}

/** A relative file name of a manifest that stays inside the artifact. */
function isSafeFile(file: unknown): file is string {
  return (
    typeof file === 'string' &&
    file.length > 0 &&
    !file.startsWith('/') &&
    !file.includes('\\') &&
    file.split('/').every((part) => part !== '' && part !== '.' && part !== '..')
  );
}

/**
 * Fetches what a version needs from other containers, through `@kiln/client` and the project's
 * topology (so artifact URLs in compose form, `http://train:8080/artifacts/…/`, work in every
 * mode): the model
 * artifact itself (checked against its digest), and one set of an evaluation dataset (only
 * that set's files, checked against their sha256, cached by the dataset's digest).
 */
export class ArtifactFetcher {
  readonly #options: KilnOptions;
  readonly #datasetsDir: string;

  /** @param options - how containers are reached: `topology`, timeouts. */
  constructor(datasetsDir: string, options: KilnOptions = {}) {
    this.#datasetsDir = datasetsDir;
    this.#options = options;
  }

  /** The record of a completed model artifact, or a 422 saying why it is not one. */
  async modelRecord(url: string): Promise<ArtifactRecord> {
    const record = await this.#completedRecord(url);
    if (!record.files.some((file) => file.path === MODEL_JSON)) {
      throw unavailable(
        url,
        `has no ${MODEL_JSON}: it is not a model artifact of the train container`,
      );
    }
    return record;
  }

  /** The record of a completed dataset artifact, or a 422 saying why it is not one. */
  async datasetRecord(url: string): Promise<ArtifactRecord> {
    const record = await this.#completedRecord(url);
    if (!record.files.some((file) => file.path === MANIFEST_FILE)) {
      throw unavailable(url, `has no ${MANIFEST_FILE}: it is not a dataset artifact`);
    }
    return record;
  }

  /** Downloads a model artifact's files into `dest`; returns its digest. */
  async fetchModel(url: string, dest: string): Promise<string> {
    const { client, name } = this.#address(url);
    try {
      const result = await client.download(name, dest, { timeout: DOWNLOAD_TIMEOUT_MS });
      return result.digest;
    } catch (error) {
      throw unavailable(url, `could not be downloaded (${describe(error)})`, error);
    }
  }

  /**
   * Fetches one set of a dataset artifact into a local folder holding a manifest with only that
   * set, and returns the folder. Fetched once per dataset digest and set.
   */
  async fetchEvaluationSet(url: string, set: string): Promise<string> {
    const record = await this.datasetRecord(url);
    const dir = join(this.#datasetsDir, `${record.digest ?? record.name}-${set}`);
    if (existsSync(join(dir, MANIFEST_FILE))) return dir;
    const { client, name } = this.#address(url);
    const manifest = await client.http
      .json<DatasetManifest>('GET', `artifacts/${encodeURIComponent(name)}/data/${MANIFEST_FILE}`)
      .catch((error: unknown) => {
        throw unavailable(
          url,
          `its ${MANIFEST_FILE} could not be read (${describe(error)})`,
          error,
        );
      });
    const chosen = manifest.sets?.[set];
    if (manifest.format !== DATASET_FORMAT || !chosen) {
      const have = Object.keys(manifest.sets ?? {}).join(', ') || 'none';
      throw unavailable(url, `has no '${set}' set to evaluate on (it has: ${have})`);
    }
    const files = [chosen.images.file, chosen.labels.file];
    if (!files.every(isSafeFile)) throw unavailable(url, 'its manifest names unsafe file paths');
    await mkdir(this.#datasetsDir, { recursive: true });
    const staging = await mkdtemp(join(this.#datasetsDir, '.fetch-'));
    try {
      for (const file of files) {
        const expected = record.files.find((entry) => entry.path === file)?.sha256;
        await this.#fetchFile(client, name, file, join(staging, file), expected, url);
      }
      const local = {
        ...manifest,
        sets: { [set]: { ...chosen, oneHot: undefined, origins: undefined } },
      };
      await writeFile(join(staging, MANIFEST_FILE), JSON.stringify(local));
      await rm(dir, { recursive: true, force: true });
      await rename(staging, dir);
      return dir;
    } catch (error) {
      await rm(staging, { recursive: true, force: true });
      throw error;
    }
  }

  async #fetchFile(
    client: ToolClient,
    name: string,
    file: string,
    target: string,
    expected: string | undefined,
    url: string,
  ): Promise<void> {
    await mkdir(dirname(target), { recursive: true });
    const hash = createHash('sha256');
    try {
      const stream = await client.http.stream(
        `artifacts/${encodeURIComponent(name)}/data/${file.split('/').map(encodeURIComponent).join('/')}`,
        { call: { timeout: DOWNLOAD_TIMEOUT_MS } },
      );
      const hashing = new Transform({
        transform(chunk: Buffer, _encoding, done) {
          hash.update(chunk);
          done(null, chunk);
        },
      });
      await pipeline(stream.body, hashing, createWriteStream(target));
    } catch (error) {
      throw unavailable(url, `${file} could not be downloaded (${describe(error)})`, error);
    }
    if (expected !== undefined && hash.digest('hex') !== expected) {
      throw unavailable(url, `${file} does not match its sha256`);
    }
  }

  async #completedRecord(url: string): Promise<ArtifactRecord> {
    const { client, name } = this.#address(url);
    let record: ArtifactRecord;
    try {
      record = await client.get(name);
    } catch (error) {
      throw unavailable(url, `could not be read (${describe(error)})`, error);
    }
    if (record.status !== 'completed') throw unavailable(url, `is ${record.status}, not completed`);
    return record;
  }

  #address(url: string): ArtifactAddress {
    const { base, name } = checkArtifactUrl(url);
    return { client: Kiln.direct(base, this.#options).container(), name };
  }
}

/**
 * Checks that `url` is the URL of an artifact (`http://train:8080/artifacts/dense/`, or
 * through a gateway `http://host/containers/train/artifacts/dense/`) and takes it apart;
 * anything else (a run's URL included) is a 422 naming `field`.
 */
export function checkArtifactUrl(url: string, field = 'artifact'): ParsedArtifactUrl {
  let parsed: ParsedArtifactUrl | undefined;
  try {
    parsed = parseArtifactUrl(url);
  } catch {
    parsed = undefined;
  }
  if (parsed?.collection !== Collection.Artifacts) {
    throw new KilnError(
      ErrorCode.ValidationFailed,
      `${field}: '${url}' is not the URL of an artifact (http://<container>/artifacts/<name>/)`,
      { status: 422, errors: [{ path: `/${field}`, message: 'must be an artifact URL' }] },
    );
  }
  return parsed;
}

function describe(error: unknown): string {
  if (isKilnApiError(error)) return error.message;
  return error instanceof Error ? error.message : String(error);
}
