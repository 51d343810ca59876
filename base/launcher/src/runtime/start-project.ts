import { EventEmitter } from 'node:events';
import { dirname, resolve } from 'node:path';
import { Topology, TopologyEnv, topologyFromCompose } from '@kiln/topology';
import { loadComposeFile } from '../compose/load-compose-file.js';
import type { VariableSource } from '../compose/interpolate.js';
import type { ComposeFile } from '../compose/compose-types.js';
import { LauncherError, LauncherErrorCode } from '../launcher-error.js';
import { rewriteServiceUrls } from '../topology/local-urls.js';
import { resolveTopology } from '../topology/resolve-topology.js';
import {
  DependencyCondition,
  type ProjectTopology,
  type ServiceSpec,
} from '../topology/service-spec.js';
import { findHostedEntry } from '../hosting/hosted-entry.js';
import { HostedInstance } from '../hosting/hosted-instance.js';
import { describe, SERVICE_HOST } from '../hosting/service-host.js';
import { placeServices, type Placement } from './placement.js';
import { ProcessInstance } from './process-instance.js';
import type { InstanceStarter } from './service-instance.js';
import { createHandle, type ProjectHandle } from './project-handle.js';
import { servicePrefix } from './line-prefixer.js';
import {
  ServiceRunner,
  ServiceState,
  type RestartPolicy,
  type ServiceEvent,
} from './service-runner.js';

/** Options of {@link startProject}. */
export interface StartProjectOptions {
  /** The Compose file. @defaultValue `docker-compose.yml` in `root` */
  composeFile?: string;
  /** Where commands run and relative paths resolve. @defaultValue the Compose file's folder */
  root?: string;
  /** Holds one data folder per service. @defaultValue `<root>/.kiln` */
  dataDir?: string;
  /**
   * Variables for `${VAR}` in the Compose file, and the environment every service inherits
   * (pass `process.env`).
   */
  environment: VariableSource;
  /** The address the published service (the gateway) binds. @defaultValue '127.0.0.1' */
  host?: string;
  /**
   * The published service's port. Unset: the port the Compose file publishes, or the next free
   * one after it; 0: any free port.
   */
  port?: number;
  /** First port tried for the other services; 0: any free ports. @defaultValue the published port + 1 */
  basePort?: number;
  /** Run only these services and what they depend on. @defaultValue every service */
  services?: string[];
  /** Where service output and launcher messages go. @defaultValue discarded */
  output?: NodeJS.WritableStream;
  /** Colour the prefixes. @defaultValue false */
  color?: boolean;
  /** How long every service together has to become healthy. @defaultValue 120000 */
  healthTimeoutMs?: number;
  /** @defaultValue {@link DEFAULT_RESTART_POLICY} */
  restart?: Partial<RestartPolicy>;
  /** How long a service has to exit after SIGTERM. @defaultValue 10000 */
  stopGraceMs?: number;
  /** The Compose schema to validate against. */
  schemaPath?: string;
  /**
   * Run every service as a process of its own. By default a service the launcher knows how to
   * host (see docs/launcher.md, "One process for the whole project") runs inside the launcher's
   * own process, and any other as a process; `x-kiln.isolate` keeps one service apart.
   * @defaultValue false
   */
  isolate?: boolean;
}

/** The backoff used where {@link StartProjectOptions.restart} says nothing. */
export const DEFAULT_RESTART_POLICY: RestartPolicy = {
  initialDelayMs: 500,
  maxDelayMs: 30_000,
  stableAfterMs: 30_000,
};

const NO_OUTPUT: NodeJS.WritableStream = new (class extends EventEmitter {
  write(): boolean {
    return true;
  }
})() as unknown as NodeJS.WritableStream;

/**
 * Starts a project from its Compose file as local processes: one per service, on loopback
 * ports, each with its own data folder, in dependency order, each waiting for what it depends
 * on to be healthy. Resolves once every service is healthy; on failure stops what it started.
 *
 * @example
 * ```ts
 * const project = await startProject({ environment: process.env, output: process.stdout });
 * console.log(project.url);
 * await project.stop();
 * ```
 */
export async function startProject(options: StartProjectOptions): Promise<ProjectHandle> {
  const root = resolve(options.root ?? (options.composeFile ? dirname(options.composeFile) : '.'));
  const composeFile = resolve(root, options.composeFile ?? 'docker-compose.yml');
  const compose = await loadComposeFile(composeFile, {
    variables: options.environment,
    ...(options.schemaPath ? { schemaPath: options.schemaPath } : {}),
  });
  const topology = selectServices(resolveTopology(compose, composeFile), options.services);
  const declared = declaredTopology(compose);
  const output = options.output ?? NO_OUTPUT;
  const width = Math.max(4, ...topology.services.map((service) => service.name.length));
  const say = (message: string): void =>
    void output.write(
      `${servicePrefix('kiln', width, topology.services.length, options.color ?? false)}${message}\n`,
    );
  const placed = await placeServices(topology, options, root);
  const addresses = Object.fromEntries([...placed].map(([name, place]) => [name, place.url]));
  const topologyEnv = {
    [TopologyEnv.ComposeFile]: composeFile,
    [TopologyEnv.Addresses]: Object.entries(addresses)
      .map(([name, url]) => `${name}=${url}`)
      .join(','),
  };
  const runners = new Map<string, ServiceRunner>();
  const events = new EventEmitter<{ service: [ServiceEvent] }>();
  const stopGraceMs = options.stopGraceMs ?? 10_000;
  topology.services.forEach((spec, index) => {
    const place = placed.get(spec.name)!;
    const report = (message: string): void => say(`${spec.name} ${message}`);
    const env = { ...serviceEnvironment(spec, place, options.environment), ...topologyEnv };
    const argv = localCommand(spec, place.urls);
    // The command as the compose file has it (`node …`), its URLs rewritten: hosted, or not.
    const hosted =
      options.isolate === true || spec.isolate
        ? null
        : findHostedEntry([spec.command[0]!, ...argv.slice(1)], root);
    const start: InstanceStarter = hosted
      ? (output) =>
          new HostedInstance(
            { entry: hosted, name: spec.name, cwd: root, env, graceMs: stopGraceMs, report },
            output,
          )
      : (output) => new ProcessInstance({ argv, cwd: root, env, report }, output);
    const runner = new ServiceRunner({
      name: spec.name,
      start,
      hosted: hosted !== null,
      healthUrl: spec.healthPath === null ? null : `${place.url}${spec.healthPath}`,
      restart: spec.restart ? { ...DEFAULT_RESTART_POLICY, ...options.restart } : null,
      stopGraceMs,
      output,
      prefix: servicePrefix(spec.name, width, index, options.color ?? false),
      report,
    });
    runner.on('event', (event) => events.emit('service', event));
    runners.set(spec.name, runner);
  });
  const handle = createHandle(
    topology,
    declared.withAddresses(addresses),
    placed,
    runners,
    events,
    say,
    resolve(root, options.dataDir ?? '.kiln'),
  );
  const killOnExit = (): void => runners.forEach((runner) => runner.killNow());
  process.once('exit', killOnExit);
  // An error that escapes no hosted service is the launcher's own, or a stray one: it is shown,
  // and every service goes on (docs/launcher.md, "When a hosted service fails").
  const stopHearing = SERVICE_HOST.onUnclaimedError((error) =>
    say(`an error no service claims (every service goes on): ${describe(error)}`),
  );
  const stop = handle.stop;
  handle.stop = async () => {
    await stop();
    process.off('exit', killOnExit);
    stopHearing();
  };
  say(`starting ${topology.services.length} services of '${topology.name}' from ${composeFile}`);
  try {
    await startInOrder(topology, runners, options.healthTimeoutMs ?? 120_000, say);
  } catch (error) {
    await handle.stop();
    throw error;
  }
  return handle;
}

function localCommand(spec: ServiceSpec, urls: ReadonlyMap<string, string>): string[] {
  const [first, ...rest] = spec.command;
  // `node` in the image is this launcher's Node.js here, whatever PATH says.
  return [
    first === 'node' ? process.execPath : first!,
    ...rest.map((arg) => rewriteServiceUrls(arg, urls)),
  ];
}

function serviceEnvironment(
  spec: ServiceSpec,
  place: Placement,
  inherited: VariableSource,
): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...inherited };
  for (const [key, value] of Object.entries(spec.environment))
    env[key] = rewriteServiceUrls(value, place.urls);
  env['PORT'] = String(place.port);
  env['HOST'] = place.host;
  env['DATA_DIR'] = place.dataDir;
  return env;
}

/** What the compose file declares, roles included; a role it does not know is refused here. */
function declaredTopology(compose: ComposeFile): Topology {
  try {
    return new Topology(topologyFromCompose(compose));
  } catch (error) {
    throw new LauncherError(LauncherErrorCode.ComposeInvalid, (error as Error).message, {
      cause: error,
    });
  }
}

function selectServices(topology: ProjectTopology, wanted: string[] | undefined): ProjectTopology {
  if (!wanted) return topology;
  const byName = new Map(topology.services.map((service) => [service.name, service]));
  const keep = new Set<string>();
  const add = (name: string): void => {
    const service = byName.get(name);
    if (!service)
      throw new LauncherError(LauncherErrorCode.ServiceUnrunnable, `no service named '${name}'`);
    if (keep.has(name)) return;
    keep.add(name);
    service.dependsOn.forEach((dependency) => add(dependency.name));
  };
  wanted.forEach(add);
  return { ...topology, services: topology.services.filter((service) => keep.has(service.name)) };
}

async function startInOrder(
  topology: ProjectTopology,
  runners: Map<string, ServiceRunner>,
  timeoutMs: number,
  say: (message: string) => void,
): Promise<void> {
  const started = Date.now();
  const ready = new Map<string, Promise<unknown>>();
  for (const spec of topology.services) {
    const runner = runners.get(spec.name)!;
    const dependencies = spec.dependsOn.map((dependency) => {
      const other = runners.get(dependency.name)!;
      if (dependency.condition === DependencyCondition.Started) return other.started();
      if (dependency.condition === DependencyCondition.CompletedSuccessfully)
        return other.reach(ServiceState.Exited);
      return ready.get(dependency.name)!;
    });
    ready.set(
      spec.name,
      Promise.all(dependencies).then(async () => {
        runner.start();
        await runner.reach(ServiceState.Healthy);
        say(`${spec.name} is healthy (${((Date.now() - started) / 1000).toFixed(1)} s)`);
      }),
    );
  }
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_resolve, reject) => {
    timer = setTimeout(() => {
      const waiting = [...runners.values()].filter(
        (runner) => runner.state !== ServiceState.Healthy,
      );
      const details = waiting.map(
        (runner) =>
          `${runner.name} (${runner.state})${runner.recentOutput.length ? `:\n    ${runner.recentOutput.slice(-5).join('\n    ')}` : ''}`,
      );
      reject(
        new LauncherError(
          LauncherErrorCode.ServiceUnhealthy,
          `not healthy after ${timeoutMs / 1000} s: ${details.join('\n  ')}`,
        ),
      );
    }, timeoutMs);
  });
  try {
    await Promise.race([Promise.all(ready.values()), timeout]);
  } finally {
    clearTimeout(timer);
  }
}
