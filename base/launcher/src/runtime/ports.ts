import net from 'node:net';
import { LauncherError, LauncherErrorCode } from '../launcher-error.js';

/** Whether `port` can be bound on `host` right now. */
function isPortFree(port: number, host: string): Promise<boolean> {
  return new Promise((resolve) => {
    const server = net.createServer();
    server.once('error', () => resolve(false));
    server.listen({ port, host, exclusive: true }, () => server.close(() => resolve(true)));
  });
}

/** A port the system hands out as free on `host`. */
function anyFreePort(host: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once('error', reject);
    server.listen({ port: 0, host, exclusive: true }, () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
  });
}

/**
 * Hands out ports for the services: `next(preferred)` gives `preferred` or the first free port
 * after it (never one already handed out); `preferred` 0 lets the system pick.
 */
export class PortAllocator {
  readonly #host: string;
  readonly #taken = new Set<number>();

  constructor(host: string) {
    this.#host = host;
  }

  /** `port` itself, or a {@link LauncherError} when it is taken. */
  async exactly(port: number): Promise<number> {
    if (this.#taken.has(port) || !(await isPortFree(port, this.#host))) {
      throw new LauncherError(
        LauncherErrorCode.PortUnavailable,
        `port ${port} on ${this.#host} is in use`,
      );
    }
    this.#taken.add(port);
    return port;
  }

  /** The first free port from `preferred` on, or any free port when `preferred` is 0. */
  async next(preferred: number): Promise<number> {
    if (preferred === 0) {
      for (;;) {
        const port = await anyFreePort(this.#host);
        if (!this.#taken.has(port)) {
          this.#taken.add(port);
          return port;
        }
      }
    }
    for (let port = preferred; port < Math.min(preferred + 200, 65536); port++) {
      if (!this.#taken.has(port) && (await isPortFree(port, this.#host))) {
        this.#taken.add(port);
        return port;
      }
    }
    throw new LauncherError(
      LauncherErrorCode.PortUnavailable,
      `no free port on ${this.#host} from ${preferred} to ${preferred + 199}`,
    );
  }
}
