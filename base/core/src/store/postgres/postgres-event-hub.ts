import type { ArtifactSummary, Logger } from '@kiln/api';
import pg from 'pg';
import type { EventHub, Unsubscribe } from '../../events/event-hub.js';
import { LocalEventHub } from '../../events/local-event-hub.js';
import type { StopRequest } from '../build-queue.js';
import { PostgresDatabase } from './postgres-database.js';
import { quoteIdentifier } from './postgres-schema.js';

/** One change on the wire: a summary (or, when too large, its name), a log, metrics, a stop. */
type WireEvent =
  | ['a', ArtifactSummary]
  | ['A', string]
  | ['l', string]
  | ['m', string]
  | ['s', string, StopRequest];

/** A notification: the replica it came from and the changes it gathers. */
interface WireMessage {
  o: string;
  e: WireEvent[];
}

/** A NOTIFY payload must be shorter than 8,000 bytes. */
const MAX_PAYLOAD_BYTES = 7_900;
/** Waits between attempts to listen again after the connection was lost. */
const RECONNECT_MS = [100, 250, 500, 1_000, 2_000, 5_000];

export interface PostgresEventHubOptions {
  db: PostgresDatabase;
  /** This process: its own notifications, which it has delivered already, are skipped. */
  replica: string;
  logger: Logger;
  /** Reads an artifact's summary: for a change too large for a notification, and resyncs. */
  readSummary(name: string): Promise<ArtifactSummary | null>;
}

/**
 * The `EventHub` of a cluster: every change is delivered in this process at once and sent to
 * the other replicas with NOTIFY on a channel of the schema; one connection LISTENs for theirs.
 * Changes made in the same turn of the event loop travel in one notification, and one is in
 * flight at a time, so a burst costs a few round trips rather than one per change. When the
 * listening connection is lost it is made again; the listeners of each artifact are then told
 * its current summary and `onResync` listeners are called, since changes may have been missed.
 */
export class PostgresEventHub implements EventHub {
  readonly #local = new LocalEventHub();
  readonly #options: PostgresEventHubOptions;
  readonly #channel: string;
  readonly #resyncListeners = new Set<() => void>();
  #pending: WireEvent[] = [];
  /** Log and metric changes already pending, which need not be sent twice. */
  readonly #pendingKeys = new Set<string>();
  #sending: Promise<void> | null = null;
  #scheduled = false;
  #listener: pg.Client | null = null;
  #closed = false;

  private constructor(options: PostgresEventHubOptions) {
    this.#options = options;
    this.#channel = `${options.db.schema}:events`;
  }

  /** Starts listening; rejects when the database cannot be reached. */
  static async start(options: PostgresEventHubOptions): Promise<PostgresEventHub> {
    const hub = new PostgresEventHub(options);
    await hub.#listen();
    return hub;
  }

  artifactChanged(summary: ArtifactSummary): void {
    this.#local.artifactChanged(summary);
    this.#publish(['a', summary]);
  }

  logAppended(name: string): void {
    this.#local.logAppended(name);
    this.#publishOnce(['l', name]);
  }

  metricsChanged(name: string): void {
    this.#local.metricsChanged(name);
    this.#publishOnce(['m', name]);
  }

  stopRequested(name: string, request: StopRequest): void {
    this.#local.stopRequested(name, request);
    this.#publish(['s', name, request]);
  }

  onAnyArtifact(listener: (summary: ArtifactSummary) => void): Unsubscribe {
    return this.#local.onAnyArtifact(listener);
  }

  onArtifact(name: string, listener: (summary: ArtifactSummary) => void): Unsubscribe {
    return this.#local.onArtifact(name, listener);
  }

  onLog(name: string, listener: () => void): Unsubscribe {
    return this.#local.onLog(name, listener);
  }

  onMetrics(name: string, listener: () => void): Unsubscribe {
    return this.#local.onMetrics(name, listener);
  }

  onStopRequest(listener: (name: string, request: StopRequest) => void): Unsubscribe {
    return this.#local.onStopRequest(listener);
  }

  onResync(listener: () => void): Unsubscribe {
    this.#resyncListeners.add(listener);
    return () => this.#resyncListeners.delete(listener);
  }

  /** Sends what is pending, stops listening. */
  async close(): Promise<void> {
    this.#closed = true;
    while (this.#sending) await this.#sending;
    if (this.#pending.length > 0) await this.#send();
    const listener = this.#listener;
    this.#listener = null;
    await listener?.end().catch(() => undefined);
  }

  #publishOnce(event: WireEvent): void {
    const key = `${event[0]}:${event[1] as string}`;
    if (this.#pendingKeys.has(key)) return;
    this.#pendingKeys.add(key);
    this.#publish(event);
  }

  #publish(event: WireEvent): void {
    this.#pending.push(event);
    if (this.#scheduled || this.#sending) return;
    this.#scheduled = true;
    setImmediate(() => {
      this.#scheduled = false;
      if (!this.#sending) this.#sending = this.#send();
    });
  }

  /** Sends every pending change, then again whatever arrived meanwhile. Never rejects. */
  async #send(): Promise<void> {
    while (this.#pending.length > 0) {
      const events = this.#pending;
      this.#pending = [];
      this.#pendingKeys.clear();
      for (const payload of this.#pack(events)) {
        try {
          await this.#options.db.query('SELECT pg_notify($1, $2)', [this.#channel, payload]);
        } catch (error) {
          // The other replicas catch up when their connection is back (a resync).
          this.#options.logger.debug('could not send a notification', { error: String(error) });
        }
      }
    }
    this.#sending = null;
  }

  /** The changes as notification payloads, each under the size limit, in order. */
  #pack(events: readonly WireEvent[]): string[] {
    const head = `{"o":${JSON.stringify(this.#options.replica)},"e":[`;
    const payloads: string[] = [];
    let items: string[] = [];
    let bytes = Buffer.byteLength(head) + 2;
    for (const event of events) {
      let item = JSON.stringify(event);
      // A summary with a long error: the others read it from the database.
      if (
        event[0] === 'a' &&
        Buffer.byteLength(item) + Buffer.byteLength(head) + 2 > MAX_PAYLOAD_BYTES
      )
        item = JSON.stringify(['A', event[1].name]);
      const size = Buffer.byteLength(item) + 1;
      if (items.length > 0 && bytes + size > MAX_PAYLOAD_BYTES) {
        payloads.push(`${head}${items.join(',')}]}`);
        items = [];
        bytes = Buffer.byteLength(head) + 2;
      }
      items.push(item);
      bytes += size;
    }
    if (items.length > 0) payloads.push(`${head}${items.join(',')}]}`);
    return payloads;
  }

  #receive(payload: string | undefined): void {
    let message: WireMessage;
    try {
      message = JSON.parse(payload ?? '') as WireMessage;
    } catch {
      return;
    }
    if (message.o === this.#options.replica || !Array.isArray(message.e)) return;
    for (const event of message.e) {
      if (event[0] === 'a') this.#local.artifactChanged(event[1]);
      else if (event[0] === 'l') this.#local.logAppended(event[1]);
      else if (event[0] === 'm') this.#local.metricsChanged(event[1]);
      else if (event[0] === 's') this.#local.stopRequested(event[1], event[2]);
      else if (event[0] === 'A') void this.#announce(event[1]);
    }
  }

  /** Tells local listeners the current summary of an artifact, read from the database. */
  async #announce(name: string): Promise<void> {
    const summary = await this.#options.readSummary(name).catch(() => null);
    if (summary) this.#local.artifactChanged(summary);
  }

  async #listen(): Promise<void> {
    const client = new pg.Client(PostgresDatabase.connectionConfig(this.#options.db.url));
    client.on('notification', (message) => this.#receive(message.payload));
    client.on('error', (error) => this.#lost(client, error));
    client.on('end', () => this.#lost(client, null));
    try {
      await client.connect();
      await client.query(`LISTEN ${quoteIdentifier(this.#channel)}`);
    } catch (error) {
      await client.end().catch(() => undefined);
      throw error;
    }
    this.#listener = client;
  }

  #lost(client: pg.Client, error: Error | null): void {
    if (this.#listener !== client || this.#closed) return;
    this.#listener = null;
    void client.end().catch(() => undefined);
    this.#options.logger.warn('lost the database notifications; listening again', {
      error: error?.message ?? 'the connection ended',
    });
    void this.#reconnect();
  }

  async #reconnect(): Promise<void> {
    for (let attempt = 0; !this.#closed; attempt += 1) {
      const wait = RECONNECT_MS[Math.min(attempt, RECONNECT_MS.length - 1)]!;
      await new Promise((done) => setTimeout(done, wait).unref());
      if (this.#closed) return;
      try {
        await this.#listen();
      } catch {
        continue;
      }
      this.#options.logger.info('database notifications are back', { attempts: attempt + 1 });
      await this.#resync();
      return;
    }
  }

  /** After an outage: each watched artifact's listeners get its summary, then `onResync`. */
  async #resync(): Promise<void> {
    for (const name of this.#local.watchedNames()) {
      await this.#announce(name);
      this.#local.logAppended(name);
    }
    for (const listener of this.#resyncListeners) listener();
  }
}
