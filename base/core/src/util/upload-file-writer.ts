import { createHash, type Hash } from 'node:crypto';
import { constants } from 'node:fs';
import { open, type FileHandle } from 'node:fs/promises';
import { Writable } from 'node:stream';
import { collectYoung } from './exposed-gc.js';

/** Bytes per write: two such buffers alternate, one filling while the other is written. */
const BLOCK_BYTES = 2 << 20;
/** O_DIRECT wants buffer addresses, offsets and lengths in multiples of the logical block. */
const ALIGNMENT = 4096;
const WASM_PAGE_BYTES = 65536;
/** Bytes between two young-generation collections (see collectYoung). */
const COLLECT_EVERY_BYTES = 4 << 20;
/** Free blocks kept for the next upload; one upload uses two. */
const POOL_LIMIT = 2;
/**
 * Pooled blocks are dropped after this quiet spell, before the server's idle collection (2 s
 * after its last request) unmaps them: 4 MiB an idle container need not hold.
 */
const POOL_IDLE_MS = 1_000;

const freeBlocks: Buffer[] = [];
const dropPool = setTimeout(() => freeBlocks.splice(0), POOL_IDLE_MS);
dropPool.unref();

// The one piece of the WebAssembly global used here (the project compiles without the DOM lib).
declare const WebAssembly: {
  Memory: new (descriptor: { initial: number }) => { buffer: ArrayBuffer };
};

/**
 * A page-aligned block. Node's Buffers carry no alignment guarantee, but a WebAssembly memory
 * is mapped by V8 at a page boundary, which O_DIRECT needs. Null when the engine refuses one
 * (too many reservations), and the writer then falls back to the page cache.
 */
function takeAlignedBlock(): Buffer | null {
  const pooled = freeBlocks.pop();
  if (pooled) return pooled;
  try {
    return Buffer.from(new WebAssembly.Memory({ initial: BLOCK_BYTES / WASM_PAGE_BYTES }).buffer);
  } catch {
    return null;
  }
}

function returnBlocks(blocks: Buffer[]): void {
  for (const block of blocks) if (freeBlocks.length < POOL_LIMIT) freeBlocks.push(block);
  dropPool.refresh();
}

const roundUp = (bytes: number): number => Math.ceil(bytes / ALIGNMENT) * ALIGNMENT;
const isUnsupported = (error: unknown): boolean =>
  (error as NodeJS.ErrnoException).code === 'EINVAL';

/**
 * The sink of an uploaded file: hashes what passes and writes it in large blocks.
 *
 * Writes go around the page cache (O_DIRECT) where the file system allows it. On virtual
 * machines, filling page-cache pages that the guest has not touched recently costs several times
 * more than the copy itself (measured here: 370 MB/s buffered against 2 GB/s direct for a new
 * 512 MiB file), and an upload that is read once by the build gains nothing from staying cached.
 * Where O_DIRECT is refused (tmpfs, some network file systems) the same blocks go through the
 * page cache.
 */
export class UploadFileWriter extends Writable {
  readonly #path: string;
  readonly #hash: Hash = createHash('sha256');
  #file: FileHandle | undefined;
  #direct = true;
  #blocks: Buffer[] = [];
  #current = 0;
  #filled = 0;
  #position = 0;
  #size = 0;
  #uncollected = 0;
  /** The write of the block filled before the current one, which must end before it is refilled. */
  #inFlight: Promise<void> = Promise.resolve();
  #writeError: Error | undefined;

  constructor(path: string) {
    super({ highWaterMark: BLOCK_BYTES });
    this.#path = path;
  }

  /** Bytes written so far (all of them once `finish` has fired). */
  get size(): number {
    return this.#size;
  }

  /** Hex SHA-256 of the whole file; call after `finish`. */
  digest(): string {
    return this.#hash.digest('hex');
  }

  override _construct(callback: (error?: Error | null) => void): void {
    this.#openFile().then(() => callback(), callback);
  }

  override _write(
    chunk: Buffer,
    _encoding: BufferEncoding,
    callback: (error?: Error | null) => void,
  ): void {
    this.#append(chunk).then(() => callback(), callback);
  }

  override _final(callback: (error?: Error | null) => void): void {
    this.#finish().then(() => callback(), callback);
  }

  override _destroy(error: Error | null, callback: (error?: Error | null) => void): void {
    // The blocks are not pooled again: an append cut short may still be copying into one.
    this.#inFlight
      .then(async () => {
        const file = this.#file;
        this.#file = undefined;
        await file?.close();
      })
      .then(
        () => callback(error),
        () => callback(error),
      );
  }

  async #openFile(): Promise<void> {
    const first = takeAlignedBlock();
    const second = first && takeAlignedBlock();
    if (first && second) {
      this.#blocks = [first, second];
      try {
        this.#file = await open(
          this.#path,
          constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL | constants.O_DIRECT,
          0o644,
        );
        return;
      } catch (error) {
        if (!isUnsupported(error)) throw error;
      }
    } else {
      returnBlocks([first, second].filter((block): block is Buffer => block !== null));
      this.#blocks = [Buffer.allocUnsafeSlow(BLOCK_BYTES), Buffer.allocUnsafeSlow(BLOCK_BYTES)];
    }
    this.#direct = false;
    this.#file = await open(this.#path, 'wx', 0o644);
  }

  async #append(chunk: Buffer): Promise<void> {
    this.#hash.update(chunk);
    this.#size += chunk.length;
    for (let offset = 0; offset < chunk.length;) {
      const block = this.#blocks[this.#current]!;
      const copied = chunk.copy(block, this.#filled, offset);
      this.#filled += copied;
      offset += copied;
      if (this.#filled === BLOCK_BYTES) await this.#flush();
    }
  }

  /** Starts writing the current block and switches to the other once its earlier write is done. */
  async #flush(): Promise<void> {
    await this.#inFlight;
    if (this.#writeError) throw this.#writeError;
    const block = this.#blocks[this.#current]!;
    const length = this.#filled;
    const position = this.#position;
    this.#position += length;
    this.#inFlight = this.#writeAt(block, length, position).catch((error: unknown) => {
      this.#writeError = error instanceof Error ? error : new Error(String(error));
    });
    this.#current = 1 - this.#current;
    this.#filled = 0;
    this.#uncollected += length;
    if (this.#uncollected >= COLLECT_EVERY_BYTES) {
      this.#uncollected = 0;
      collectYoung();
    }
  }

  async #finish(): Promise<void> {
    await this.#inFlight;
    if (this.#writeError) throw this.#writeError;
    const tail = this.#filled;
    if (tail > 0) {
      // A direct write must cover whole blocks: write the padding too, then cut it off.
      const length = this.#direct ? roundUp(tail) : tail;
      await this.#writeAt(this.#blocks[this.#current]!, length, this.#position);
      this.#position += tail;
      if (length !== tail) await this.#file!.truncate(this.#position);
    }
    const file = this.#file!;
    this.#file = undefined;
    await file.close();
    returnBlocks(this.#blocks.splice(0));
  }

  async #writeAt(block: Buffer, length: number, position: number): Promise<void> {
    if (!this.#file) throw new Error(`upload file ${this.#path} is closed`);
    for (let done = 0; done < length;) {
      try {
        const { bytesWritten } = await this.#file!.write(
          block,
          done,
          length - done,
          position + done,
        );
        done += bytesWritten;
      } catch (error) {
        if (!this.#direct || !isUnsupported(error)) throw error;
        await this.#reopenBuffered();
      }
    }
  }

  /** The file system accepted O_DIRECT at open but refuses the writes: go through the page cache. */
  async #reopenBuffered(): Promise<void> {
    this.#direct = false;
    const direct = this.#file!;
    this.#file = await open(this.#path, 'r+');
    await direct.close();
  }
}
