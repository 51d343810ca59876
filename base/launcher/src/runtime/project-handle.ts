import type { EventEmitter } from 'node:events';
import type { Topology } from '@kiln/topology';
import { LauncherError, LauncherErrorCode } from '../launcher-error.js';
import type { ProjectTopology } from '../topology/service-spec.js';
import type { Placement } from './placement.js';
import type { ServiceEvent, ServiceRunner, ServiceState } from './service-runner.js';

/** A service of a running project. */
export interface RunningService {
  name: string;
  /** Its loopback base URL (`http://127.0.0.1:8083`). */
  url: string;
  port: number;
  dataDir: string;
  /** Whether it runs inside the launcher's process rather than as a process of its own. */
  hosted: boolean;
  readonly state: ServiceState;
  /** Its process's id; undefined when it is hosted (or not running). */
  readonly pid: number | undefined;
  readonly restarts: number;
}

/** A started project. */
export interface ProjectHandle {
  name: string;
  /**
   * The project's topology as this launcher's processes see it: every service of the compose
   * file, the running ones at their loopback addresses.
   */
  topology: Topology;
  /** The published service's URL (the gateway's: the dashboard and everything else). */
  url: string;
  /** The folder holding every service's data folder. */
  dataDir: string;
  services: ReadonlyMap<string, RunningService>;
  /** Every service state change. */
  events: EventEmitter<{ service: [ServiceEvent] }>;
  /** Resolves at `service`'s next (or current) `state`; register before causing it. */
  waitFor(service: string, state: ServiceState, timeoutMs?: number): Promise<ServiceEvent>;
  /**
   * Ends a running service at once, as a crash would, and lets its restart policy bring it back:
   * `signal` (SIGKILL by default) to a process's group; a hosted service is closed at once
   * (its connections cut, its mules stopped) and counts as killed by `signal`.
   */
  kill(service: string, signal?: NodeJS.Signals): void;
  /** Stops every service, dependents first; resolves when all have exited. */
  stop(): Promise<void>;
}

/** The handle `startProject` returns, over its runners. */
export function createHandle(
  topology: ProjectTopology,
  declared: Topology,
  placed: Map<string, Placement>,
  runners: Map<string, ServiceRunner>,
  events: EventEmitter<{ service: [ServiceEvent] }>,
  say: (message: string) => void,
  dataDir: string,
): ProjectHandle {
  const services = new Map<string, RunningService>();
  for (const spec of topology.services) {
    const place = placed.get(spec.name)!;
    const runner = runners.get(spec.name)!;
    services.set(spec.name, {
      name: spec.name,
      url: place.url,
      port: place.port,
      dataDir: place.dataDir,
      hosted: runner.hosted,
      get state() {
        return runner.state;
      },
      get pid() {
        return runner.pid;
      },
      get restarts() {
        return runner.restarts;
      },
    });
  }
  const published = topology.services.find((service) => service.published) ?? topology.services[0];
  let stopping: Promise<void> | undefined;
  return {
    name: topology.name,
    topology: declared,
    url: published ? `${placed.get(published.name)!.url}/` : '',
    dataDir,
    services,
    events,
    waitFor(service, state, timeoutMs = 60_000) {
      const runner = runners.get(service);
      if (!runner) return Promise.reject(noSuchService(service));
      let timer: NodeJS.Timeout | undefined;
      return Promise.race([
        runner.reach(state).finally(() => clearTimeout(timer)),
        new Promise<never>((_resolve, reject) => {
          timer = setTimeout(
            () => reject(new Error(`${service} did not reach '${state}' within ${timeoutMs} ms`)),
            timeoutMs,
          );
        }),
      ]);
    },
    kill(service, signal = 'SIGKILL') {
      const runner = runners.get(service);
      if (!runner) throw noSuchService(service);
      runner.kill(signal);
    },
    stop() {
      stopping ??= (async () => {
        say('stopping');
        // Dependents first, so nothing loses a dependency while it is still serving.
        for (const wave of stopWaves(topology))
          await Promise.all(wave.map((name) => runners.get(name)!.stop()));
        say('stopped');
      })();
      return stopping;
    },
  };
}

function noSuchService(name: string): LauncherError {
  return new LauncherError(LauncherErrorCode.ServiceUnrunnable, `no service named '${name}'`);
}

/** Groups services so each group holds only services nothing left running depends on. */
function stopWaves(topology: ProjectTopology): string[][] {
  const remaining = new Set(topology.services.map((service) => service.name));
  const waves: string[][] = [];
  while (remaining.size > 0) {
    const needed = new Set(
      topology.services
        .filter((service) => remaining.has(service.name))
        .flatMap((service) => service.dependsOn.map((d) => d.name)),
    );
    const wave = [...remaining].filter((name) => !needed.has(name));
    waves.push(wave);
    wave.forEach((name) => remaining.delete(name));
  }
  return waves;
}
