import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parse, parseAllDocuments } from 'yaml';
import { PersistentVolumeClaim, Secret, Service } from 'kubernetes-models/v1';
import { Deployment, StatefulSet } from 'kubernetes-models/apps/v1';
import { loadComposeFile, validateCompose, type ComposeService } from '../src/index.js';

// Cluster mode's deployment files (docs/deploy.md, docs/cluster.md), checked as far as they can
// be without a Docker engine or a Kubernetes cluster: the Compose overrides against the Compose
// Specification schema, the Kubernetes manifests against the Kubernetes API's own schemas
// (kubernetes-models), and both for what cluster mode needs of them.
const ROOT = fileURLToPath(new URL('../../../', import.meta.url));
const CLUSTER = join(ROOT, 'docker-compose.cluster.yml');
const NFS = join(ROOT, 'deploy/swarm/train-data-nfs.yml');
const KUBERNETES = join(ROOT, 'deploy/kubernetes');

const readYaml = (path: string): unknown => parse(readFileSync(path, 'utf8'), { merge: true });

interface Manifest {
  apiVersion: string;
  kind: string;
  metadata: { name: string };
  [key: string]: unknown;
}

/** The Kubernetes API's schema for each kind these manifests use. */
const MODELS: Record<string, new (data: never) => { validate(): void }> = {
  Secret,
  Service,
  PersistentVolumeClaim,
  Deployment,
  StatefulSet,
};

function manifests(): Manifest[] {
  const kustomization = readYaml(join(KUBERNETES, 'kustomization.yaml')) as {
    kind: string;
    resources: string[];
  };
  expect(kustomization.kind).toBe('Kustomization');
  return kustomization.resources.flatMap((file) =>
    parseAllDocuments(readFileSync(join(KUBERNETES, file), 'utf8')).map(
      (document) => document.toJS() as Manifest,
    ),
  );
}

function validateManifest(manifest: Manifest): void {
  const Model = MODELS[manifest.kind];
  if (!Model) throw new Error(`no schema for ${manifest.kind}`);
  new Model(manifest as never).validate();
}

const byKind = <T>(all: Manifest[], kind: string, name: string): T => {
  const found = all.find((m) => m.kind === kind && m.metadata.name === name);
  expect(found, `${kind} ${name}`).toBeDefined();
  return found as T;
};

interface PodSpec {
  initContainers?: Array<{ env?: EnvVar[] }>;
  containers: Array<{
    image: string;
    env?: EnvVar[];
    ports?: Array<{ containerPort: number }>;
    volumeMounts?: Array<{ name: string; mountPath: string }>;
    resources?: { limits?: Record<string, unknown> };
  }>;
  volumes?: Array<{
    name: string;
    persistentVolumeClaim?: { claimName: string };
    configMap?: { name: string };
  }>;
}
interface EnvVar {
  name: string;
  value?: string;
  valueFrom?: { secretKeyRef?: { name: string; key: string } };
}
interface Workload {
  spec: {
    replicas: number;
    selector: { matchLabels: Record<string, string> };
    template: { metadata: { labels: Record<string, string> }; spec: PodSpec };
  };
}

describe('docker-compose.cluster.yml', () => {
  it('validates against the Compose Specification schema, as does the Swarm NFS override', async () => {
    expect(await validateCompose(readYaml(CLUSTER))).toEqual([]);
    expect(await validateCompose(readYaml(NFS))).toEqual([]);
    // The check can fail: a misspelt key is caught.
    const broken = readYaml(CLUSTER) as { services: Record<string, Record<string, unknown>> };
    broken.services['postgres']!['healthchek'] = {};
    expect(await validateCompose(broken)).toEqual([
      "/services/postgres: must NOT have additional properties 'healthchek'",
    ]);
  });

  it('adds PostgreSQL and replicas of train that share its volume and connect to it', async () => {
    const base = await loadComposeFile(join(ROOT, 'docker-compose.yml'), { variables: {} });
    const cluster = await loadComposeFile(CLUSTER, { variables: { KILN_POSTGRES_PASSWORD: 's3' } });
    const postgres = cluster.services['postgres'] as ComposeService & {
      environment: Record<string, string>;
      healthcheck: { test: string[] };
    };
    expect(postgres.image).toMatch(/^postgres:\d+/);
    expect(postgres.volumes).toEqual(['postgres-data:/var/lib/postgresql/data']);
    expect(Object.keys(cluster.volumes ?? {})).toEqual(['postgres-data']);
    expect(postgres.healthcheck.test).toContain('pg_isready');
    expect(postgres['networks']).toEqual(Object.keys(base.networks ?? {}));
    // Nothing outside the project's network reaches the database.
    expect(postgres.ports).toBeUndefined();

    // Only train changes: it keeps the base file's image, command and its one data volume,
    // which its replicas share.
    expect(Object.keys(cluster.services).sort()).toEqual(['postgres', 'train']);
    expect(base.services['train']!.volumes).toEqual(['train-data:/data']);
    const train = cluster.services['train'] as ComposeService & {
      environment: Record<string, string>;
      deploy: { replicas: number | string };
      depends_on: Record<string, { condition: string }>;
    };
    expect(train.volumes).toBeUndefined();
    expect(train.image).toBeUndefined();
    expect(Number(train.deploy.replicas)).toBeGreaterThanOrEqual(2);
    expect(train.depends_on['postgres']!.condition).toBe('service_healthy');
    const url = new URL(train.environment['KILN_DATABASE_URL']!);
    expect([url.protocol, url.hostname, url.port, url.password, url.pathname]).toEqual([
      'postgres:',
      'postgres',
      '5432',
      's3',
      `/${postgres.environment['POSTGRES_DB']}`,
    ]);
    expect(url.username).toBe(postgres.environment['POSTGRES_USER']);
    expect(postgres.environment['POSTGRES_PASSWORD']).toBe('s3');
  });

  it('makes train-data an NFS volume for Swarm across nodes, and asks for the server', async () => {
    const nfs = await loadComposeFile(NFS, { variables: { KILN_NFS_ADDRESS: '10.0.0.5' } });
    const volume = nfs.volumes?.['train-data'] as { driver_opts: Record<string, string> };
    const train = nfs.services['train'] as { deploy: { placement: Record<string, number> } };
    expect(train.deploy.placement['max_replicas_per_node']).toBe(1);
    expect(volume.driver_opts).toEqual({
      type: 'nfs',
      o: 'addr=10.0.0.5,rw,nfsvers=4.1',
      device: ':/export/kiln/train',
    });
    await expect(loadComposeFile(NFS, { variables: {} })).rejects.toThrow(/KILN_NFS_ADDRESS/);
  });
});

describe('deploy/kubernetes', () => {
  it("validates every manifest against the Kubernetes API's schema", () => {
    const all = manifests();
    expect(all.map((m) => `${m.kind}/${m.metadata.name}`).sort()).toEqual([
      'Deployment/train',
      'PersistentVolumeClaim/train-data',
      'Secret/kiln-database',
      'Service/postgres',
      'Service/train',
      'StatefulSet/postgres',
    ]);
    for (const manifest of all) validateManifest(manifest);
    // The check can fail: a replica count that is no number is refused.
    const train = structuredClone(byKind<Manifest & Workload>(all, 'Deployment', 'train'));
    (train.spec as { replicas: unknown }).replicas = 'two';
    expect(() => validateManifest(train)).toThrow(/replicas must be integer/);
  });

  it('runs train as replicas on a ReadWriteMany volume and the database, with a GPU each', () => {
    const all = manifests();
    const claim = byKind<{ spec: { accessModes: string[] } }>(
      all,
      'PersistentVolumeClaim',
      'train-data',
    );
    expect(claim.spec.accessModes).toEqual(['ReadWriteMany']);
    const train = byKind<Workload>(all, 'Deployment', 'train');
    expect(train.spec.replicas).toBeGreaterThanOrEqual(2);
    expect(train.spec.template.metadata.labels).toMatchObject(train.spec.selector.matchLabels);
    const pod = train.spec.template.spec;
    const [container] = pod.containers;
    expect(container!.image).toMatch(/^registry\.example\.com\/kiln\/train:1\.0\.0$/);
    expect(container!.ports).toEqual([expect.objectContaining({ containerPort: 8080 })]);
    expect(container!.resources?.limits?.['nvidia.com/gpu']).toBe(1);
    const mounts = Object.fromEntries(container!.volumeMounts!.map((m) => [m.name, m.mountPath]));
    expect(mounts).toEqual({ data: '/data', topology: '/etc/kiln' });
    const volumes = Object.fromEntries(pod.volumes!.map((v) => [v.name, v]));
    expect(volumes['data']!.persistentVolumeClaim!.claimName).toBe('train-data');
    expect(volumes['topology']!.configMap!.name).toBe('kiln-topology');

    // The database URL comes from the Secret, which holds it.
    const secret = byKind<{ stringData: Record<string, string> }>(all, 'Secret', 'kiln-database');
    for (const env of [container!.env!, pod.initContainers![0]!.env!]) {
      const ref = env.find((e) => e.name === 'KILN_DATABASE_URL')!.valueFrom!.secretKeyRef!;
      expect(ref.name).toBe('kiln-database');
      const url = new URL(secret.stringData[ref.key]!);
      expect([url.protocol, url.hostname, url.port]).toEqual(['postgres:', 'postgres', '5432']);
      expect(url.password).toBe(secret.stringData['password']);
    }
    const service = byKind<{ spec: { selector: Record<string, string> } }>(all, 'Service', 'train');
    expect(train.spec.template.metadata.labels).toMatchObject(service.spec.selector);
  });

  it('runs PostgreSQL as a StatefulSet with its own volume behind the postgres Service', () => {
    const all = manifests();
    const postgres = byKind<
      Workload & {
        spec: { serviceName: string; volumeClaimTemplates: Array<{ metadata: { name: string } }> };
      }
    >(all, 'StatefulSet', 'postgres');
    expect(postgres.spec.replicas).toBe(1);
    expect(postgres.spec.serviceName).toBe('postgres');
    const [container] = postgres.spec.template.spec.containers;
    expect(container!.image).toMatch(/^postgres:\d+/);
    expect(container!.volumeMounts![0]!.name).toBe(
      postgres.spec.volumeClaimTemplates[0]!.metadata.name,
    );
    const password = container!.env!.find((e) => e.name === 'POSTGRES_PASSWORD')!;
    expect(password.valueFrom!.secretKeyRef).toEqual({ name: 'kiln-database', key: 'password' });
    const service = byKind<{ spec: { selector: Record<string, string>; ports: unknown[] } }>(
      all,
      'Service',
      'postgres',
    );
    expect(postgres.spec.template.metadata.labels).toMatchObject(service.spec.selector);
    expect(service.spec.ports).toEqual([expect.objectContaining({ port: 5432 })]);
  });
});
