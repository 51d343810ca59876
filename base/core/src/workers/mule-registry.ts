import type { Logger } from '@kiln/api';
import { mkdirSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { join, sep } from 'node:path';
import { setTimeout as delay } from 'node:timers/promises';

/** How long a killed orphan may take to go. */
const REAP_WAIT_MS = 5_000;

/** What is recorded of a running mule. */
interface MuleEntry {
  pid: number;
  host: string;
  /** The server that forked it. */
  server: number;
}

/** A mule's record file: host and pid, since replicas on several hosts may share the folder. */
function recordName(pid: number): string {
  return `${hostname().replace(/[^A-Za-z0-9._-]/g, '_')}-${pid}`;
}

/**
 * The mules a server has running, one file each under `<data>/run/mules/`, so that the next
 * server on the same data folder can kill those its predecessor left behind. A mule exits when
 * its server dies, but only once its event loop is free: a build in a synchronous loop would
 * live on and, when it ends, write into the folders of the build's next attempt. Only a process
 * that is really such a mule is killed: on the same host, alive, and running the mule entry for
 * this data folder (Linux's `/proc` tells; elsewhere nothing is killed).
 */
export class MuleRegistry {
  /** An argument every mule of this data folder gets, so that its command line says whose it is. */
  readonly argument: string;
  readonly #folder: string;

  constructor(dataDir: string) {
    this.argument = `--kiln-data=${dataDir}`;
    this.#folder = join(dataDir, 'run', 'mules');
    mkdirSync(this.#folder, { recursive: true });
  }

  /**
   * Records a mule just forked. Never throws: a record that cannot be written (a full disk) only
   * means that mule cannot be reaped should this server be killed.
   */
  add(pid: number): void {
    const entry: MuleEntry = { pid, host: hostname(), server: process.pid };
    try {
      writeFileSync(join(this.#folder, recordName(pid)), JSON.stringify(entry));
    } catch {
      // see above
    }
  }

  /** Forgets a mule that exited. */
  remove(pid: number): void {
    try {
      rmSync(join(this.#folder, recordName(pid)), { force: true });
    } catch {
      // the record is dropped at the next start anyway
    }
  }

  /**
   * Kills the mules a previous server on this data folder left running, and forgets them. The
   * mules of a server still alive on this host are left alone (and so is its record).
   */
  async reapOrphans(logger: Logger): Promise<void> {
    for (const file of readdirSync(this.#folder)) {
      const path = join(this.#folder, file);
      const entry = readEntry(path);
      // Another host's records are that host's business (a data folder may be shared).
      if (entry && entry.host !== hostname()) continue;
      if (entry) {
        // A process id is reused in a new container, where this server may have the old one's.
        const serverGone = entry.server === process.pid || !isAlive(entry.server);
        if (!serverGone) continue;
        if (this.#isOurMule(entry.pid)) {
          logger.warn('killing a mule a previous server left running', { pid: entry.pid });
          await killAndWait(entry.pid);
        }
      }
      rmSync(path, { force: true });
    }
  }

  #isOurMule(pid: number): boolean {
    try {
      const commandLine = readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0');
      return (
        commandLine.includes(this.argument) &&
        commandLine.some((arg) => arg.endsWith(`${sep}mule-entry.js`))
      );
    } catch {
      return false;
    }
  }
}

function readEntry(path: string): MuleEntry | null {
  try {
    const entry = JSON.parse(readFileSync(path, 'utf8')) as Partial<MuleEntry>;
    return typeof entry.pid === 'number' &&
      typeof entry.host === 'string' &&
      typeof entry.server === 'number'
      ? { pid: entry.pid, host: entry.host, server: entry.server }
      : null;
  } catch {
    return null;
  }
}

/** Alive and not a zombie (a killed orphan stays one until init reaps it, running nothing). */
function isAlive(pid: number): boolean {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3) !== 'Z';
  } catch {
    return false;
  }
}

/** SIGKILL, then wait until the process is gone (it is not our child: no exit event comes). */
async function killAndWait(pid: number): Promise<void> {
  try {
    process.kill(pid, 'SIGKILL');
  } catch {
    return;
  }
  for (let waited = 0; isAlive(pid) && waited < REAP_WAIT_MS; waited += 10) await delay(10);
}
