/**
 * The deployment files are code too: every Kubernetes object validates against the Kubernetes (kubernetes-models)
 * and KEDA (@kubernetes-models/keda) schemas, the production overlay's patches land on objects of the base, the
 * gateway's spool is a volume per pod where its config says, and docker-compose.yml runs every service with the
 * settings the code reads.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { parseAllDocuments, parse } from 'yaml';
import { ConsumerGroups } from '@hookbus/contracts';
import { DEFAULT_SHUTDOWN_TIMEOUT_MS, SOURCE_TEMPLATES, loadEnv, loadHookbusConfig } from '@hookbus/config';
import { stopBudget } from '../../apps/gateway/src/gateway.app';
import { serviceEnvironment, serviceNodeOptions, sourceCredentialsOf } from '@hookbus/platform';

const ROOT = join(__dirname, '..', '..');
const K8S = join(ROOT, 'deploy', 'k8s');
const SERVICES = { gateway: 3000, normalizer: 3001, tracker: 3002, orchestrator: 3003, projector: 3004, monitor: 3005, console: 3006 } as const;
const CONSUMERS = ['normalizer', 'tracker', 'orchestrator', 'projector'] as const;
/** Kind of each service's workload: the gateway owns a spool directory per pod (docs/store-and-forward.md). */
const WORKLOAD_KIND = (name: string): string => (name === 'gateway' ? 'StatefulSet' : 'Deployment');
/** spool.maxBytes in both configs; the spool alert divides by it (the gateway does not export its bound). */
const SPOOL_MAX_BYTES = 4294967296;

type K8sObject = { apiVersion: string; kind: string; metadata: { name: string }; spec?: Record<string, unknown> } & Record<string, unknown>;

/* eslint-disable @typescript-eslint/no-require-imports */
const MODELS: Record<string, () => new (data: K8sObject) => { validate(): void }> = {
  'apps/v1/Deployment': () => require('kubernetes-models/apps/v1').Deployment,
  'apps/v1/StatefulSet': () => require('kubernetes-models/apps/v1').StatefulSet,
  'v1/Service': () => require('kubernetes-models/v1').Service,
  'v1/Namespace': () => require('kubernetes-models/v1').Namespace,
  'v1/ConfigMap': () => require('kubernetes-models/v1').ConfigMap,
  'policy/v1/PodDisruptionBudget': () => require('kubernetes-models/policy/v1').PodDisruptionBudget,
  'autoscaling/v2/HorizontalPodAutoscaler': () => require('kubernetes-models/autoscaling/v2').HorizontalPodAutoscaler,
  'batch/v1/Job': () => require('kubernetes-models/batch/v1').Job,
  'keda.sh/v1alpha1/ScaledObject': () => require('@kubernetes-models/keda/keda.sh/v1alpha1').ScaledObject,
  'networking.k8s.io/v1/NetworkPolicy': () => require('kubernetes-models/networking.k8s.io/v1').NetworkPolicy,
};
/* eslint-enable @typescript-eslint/no-require-imports */

function readObjects(file: string): K8sObject[] {
  return parseAllDocuments(readFileSync(file, 'utf8')).map((doc) => {
    expect(doc.errors).toEqual([]);
    return doc.toJS() as K8sObject;
  }).filter(Boolean);
}

function validate(object: K8sObject): void {
  const model = MODELS[`${object.apiVersion}/${object.kind}`];
  if (!model) throw new Error(`no schema known for ${object.apiVersion} ${object.kind}`);
  const Model = model();
  new Model(object).validate();
}

interface Kustomization {
  resources?: string[];
  patches?: Array<{ path: string }>;
  configMapGenerator?: Array<{ name: string; literals?: string[]; files?: string[]; behavior?: string }>;
}

function kustomization(dir: string): Kustomization {
  return parse(readFileSync(join(dir, 'kustomization.yaml'), 'utf8')) as Kustomization;
}

/** The objects a kustomization lists, following directories (the overlay's ../../base). */
function resourcesOf(dir: string): K8sObject[] {
  return (kustomization(dir).resources ?? []).flatMap((r) => {
    const path = join(dir, r);
    return existsSync(join(path, 'kustomization.yaml')) ? resourcesOf(path) : readObjects(path);
  });
}

/** A small strategic merge: maps merge, lists of named items (containers) merge by name, other lists replace. */
function merge(base: unknown, patch: unknown): unknown {
  if (Array.isArray(base) && Array.isArray(patch)) {
    const named = (x: unknown): boolean => typeof x === 'object' && x !== null && 'name' in x;
    if (!patch.every(named) || !base.every(named)) return patch;
    const out = [...base];
    for (const item of patch as Array<{ name: string }>) {
      const i = out.findIndex((b) => (b as { name: string }).name === item.name);
      if (i >= 0) out[i] = merge(out[i], item);
      else out.push(item);
    }
    return out;
  }
  if (typeof base === 'object' && base !== null && typeof patch === 'object' && patch !== null && !Array.isArray(patch)) {
    const out: Record<string, unknown> = { ...(base as Record<string, unknown>) };
    for (const [k, v] of Object.entries(patch)) out[k] = k in out ? merge(out[k], v) : v;
    return out;
  }
  return patch;
}

function renderOverlay(dir: string): K8sObject[] {
  const objects = resourcesOf(dir);
  for (const { path } of kustomization(dir).patches ?? []) {
    for (const patch of readObjects(join(dir, path))) {
      const i = objects.findIndex((o) => o.kind === patch.kind && o.metadata.name === patch.metadata.name);
      if (i < 0) throw new Error(`${path}: patches ${patch.kind}/${patch.metadata.name}, which the base does not have`);
      objects[i] = merge(objects[i], patch) as K8sObject;
    }
  }
  return objects;
}

/** Loads a hookbus.yaml with every `${NAME}` it interpolates set, as the pods' secrets would. */
function loadConfigWithSecrets(path: string): ReturnType<typeof loadHookbusConfig> {
  const secrets = Object.fromEntries(
    readFileSync(join(K8S, 'base', 'secrets.example.env'), 'utf8').split('\n').filter((l) => /^[A-Z_]+=/.test(l)).map((l) => [l.split('=')[0]!, 'test-secret-of-16+chars']),
  );
  return loadHookbusConfig(path, { ...process.env, ...secrets });
}

/** Kubernetes quantities as bytes (the binary suffixes the manifests use). */
function quantityBytes(quantity: string): number {
  const match = /^(\d+)(Ki|Mi|Gi|Ti)?$/.exec(quantity);
  if (!match) throw new Error(`unsupported quantity ${quantity}`);
  const power = { Ki: 1, Mi: 2, Gi: 3, Ti: 4 }[match[2] as 'Ki' | 'Mi' | 'Gi' | 'Ti'] ?? 0;
  return Number(match[1]) * 1024 ** power;
}

function yamlFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const path = join(dir, e.name);
    if (e.isDirectory()) return e.name === 'config' ? [] : yamlFiles(path);
    return e.name.endsWith('.yaml') && e.name !== 'kustomization.yaml' ? [path] : [];
  });
}

describe('Kubernetes manifests', () => {
  const base = resourcesOf(join(K8S, 'base'));
  const production = renderOverlay(join(K8S, 'overlays', 'production'));

  it.each(yamlFiles(K8S).filter((f) => !f.includes('patches')).map((f) => [f.slice(K8S.length + 1)]))('%s validates against the schemas', (file) => {
    for (const object of readObjects(join(K8S, file))) validate(object);
  });

  it('would catch a broken object', () => {
    const broken = { ...base.find((o) => o.kind === 'ScaledObject')!, spec: { scaleTargetRef: {}, triggers: 'kafka' } } as unknown as K8sObject;
    expect(() => validate(broken)).toThrow();
    expect(() => validate({ ...base[0]!, kind: 'Deploymnet' })).toThrow(/no schema known/);
  });

  it('renders the production overlay into valid objects', () => {
    expect(production.length).toBe(base.length + 1);
    for (const object of production) validate(object);
    const gateway = production.find((o) => o.kind === 'StatefulSet' && o.metadata.name === 'gateway') as unknown as { spec: { template: { spec: { containers: Array<{ resources: { requests: { cpu: string } } }> } } } };
    expect(gateway.spec.template.spec.containers[0]!.resources.requests.cpu).toBe('500m');
  });

  it.each(Object.entries(SERVICES))('%s has a workload with probes and resources, a Service and a PodDisruptionBudget', (name, port) => {
    const deployment = base.find((o) => o.kind === WORKLOAD_KIND(name) && o.metadata.name === name) as unknown as {
      spec: { replicas?: number; template: { spec: { containers: Array<Record<string, any>>; volumes: Array<{ configMap?: { name: string } }> } } };
    };
    const container = deployment.spec.template.spec.containers[0]!;
    // The tracker's shell only computes its heap bound from the memory limit (tested below), then execs the same with
    // the rest of its Node options (its young generation).
    const others = serviceNodeOptions(name).split(' ').filter((option) => option !== '' && !option.startsWith('--max-old-space-size='));
    expect(name === 'tracker' ? container.command.at(-1)!.replace(/^exec node --max-old-space-size=\$\(\([^)]*\)\) /, 'node ').split(' ') : container.command).toEqual(['node', ...others, '--enable-source-maps', `dist/apps/${name}/src/main.js`]);
    // Variables glibc reads at process start (malloc arenas): the same as npm start and the bench set.
    for (const [variable, value] of Object.entries(serviceEnvironment(name))) expect(container.env?.find((e: { name: string }) => e.name === variable)?.value).toBe(value);
    expect(container.ports[0].containerPort).toBe(port);
    expect(container.readinessProbe.httpGet.path).toBe('/health/ready');
    expect(container.livenessProbe.httpGet.path).toBe('/health/live');
    expect(container.resources.requests.cpu).toBeDefined();
    expect(container.resources.limits.memory).toBeDefined();
    // Secrets come key by key (tested below), never the whole Secret.
    expect(container.envFrom).toEqual([{ configMapRef: { name: 'hookbus-env' } }]);
    expect(deployment.spec.template.spec.volumes.some((v) => v.configMap?.name === 'hookbus-config')).toBe(true);
    // Autoscalers own the other counts; the monitor (two would export every series twice) and the console (its
    // sessions live in its memory) are the fixed single replicas.
    expect(deployment.spec.replicas).toBe(name === 'monitor' || name === 'console' ? 1 : undefined);
    expect(base.some((o) => o.kind === 'Service' && o.metadata.name === name)).toBe(true);
    expect(base.some((o) => o.kind === 'PodDisruptionBudget' && o.metadata.name === name)).toBe(true);
  });

  it.each(CONSUMERS)('%s scales on its consumer group lag with KEDA', (name) => {
    const scaled = base.find((o) => o.kind === 'ScaledObject' && o.metadata.name === name) as unknown as { spec: { scaleTargetRef: { name: string }; triggers: Array<{ type: string; metadata: Record<string, string> }> } };
    expect(scaled.spec.scaleTargetRef.name).toBe(name);
    expect(scaled.spec.triggers[0]!.type).toBe('kafka');
    expect(scaled.spec.triggers[0]!.metadata.consumerGroup).toBe(ConsumerGroups[name]);
    expect(scaled.spec.triggers[0]!.metadata.bootstrapServersFromEnv).toBe('KAFKA_BROKERS');
  });

  it.each(Object.keys(SERVICES).filter((name) => name !== 'tracker'))('launches %s with the Node options npm start and the bench use, below its memory limit', (name) => {
    const workload = base.find((o) => o.kind === WORKLOAD_KIND(name) && o.metadata.name === name) as unknown as { spec: { template: { spec: { containers: Array<{ env?: Array<{ name: string; value: string }>; resources: { limits: { memory: string } } }> } } } };
    const container = workload.spec.template.spec.containers[0]!;
    expect(container.env?.find((e) => e.name === 'NODE_OPTIONS')?.value ?? '').toBe(serviceNodeOptions(name));
    const heapMb = Number(/--max-old-space-size=(\d+)/.exec(serviceNodeOptions(name))?.[1] ?? 0);
    expect(heapMb).toBeLessThan(Number(/^(\d+)Mi$/.exec(container.resources.limits.memory)![1]) / 2);
  });

  it.each([['base', () => base], ['production', () => production]] as const)('starts the tracker (%s) with a heap bound that follows its memory limit, under half of it', (_name, objects) => {
    type Tracker = { spec: { template: { spec: { containers: Array<{ name: string; command: string[]; env: Array<{ name: string; valueFrom?: { resourceFieldRef?: { containerName: string; resource: string; divisor: string } } }>; resources: { limits: { memory: string } } }> } } } };
    const container = (objects().find((o) => o.kind === 'Deployment' && o.metadata.name === 'tracker') as unknown as Tracker).spec.template.spec.containers[0]!;
    expect(container.env.find((e) => e.name === 'NODE_OPTIONS')).toBeUndefined();
    expect(container.env.find((e) => e.name === 'MEMORY_LIMIT_MIB')?.valueFrom?.resourceFieldRef).toEqual({ containerName: container.name, resource: 'limits.memory', divisor: '1Mi' });
    // What the container's shell computes, with the limit Kubernetes hands it.
    const limit = /^(\d+)(Mi|Gi)$/.exec(container.resources.limits.memory)!;
    const limitMib = Number(limit[1]) * (limit[2] === 'Gi' ? 1024 : 1);
    const script = container.command.at(-1)!;
    const shell = spawnSync('sh', ['-c', script.replace(/^exec node /, 'echo ')], { env: { ...process.env, MEMORY_LIMIT_MIB: String(limitMib) }, encoding: 'utf8' });
    const heapMb = Number(/--max-old-space-size=(\d+)/.exec(shell.stdout)?.[1]);
    expect(heapMb).toBeGreaterThanOrEqual(200);
    expect(heapMb).toBeLessThan(limitMib / 2);
    expect(script).toMatch(/ dist\/apps\/tracker\/src\/main\.js$/);
  });

  it('runs exactly one monitor, never two at once, and scales nothing on it', () => {
    const monitor = base.find((o) => o.kind === 'Deployment' && o.metadata.name === 'monitor') as unknown as { spec: { replicas: number; strategy: { type: string } } };
    expect(monitor.spec.replicas).toBe(1);
    expect(monitor.spec.strategy.type).toBe('Recreate');
    const scaled = production.filter((o) => ['ScaledObject', 'HorizontalPodAutoscaler'].includes(o.kind)).map((o) => (o.spec as { scaleTargetRef: { name: string } }).scaleTargetRef.name);
    expect(scaled).not.toContain('monitor');
    expect(production.find((o) => o.kind === 'Deployment' && o.metadata.name === 'monitor')).toMatchObject({ spec: { replicas: 1 } });
  });

  it('gives the tracker a volume for its state store, named by TRACKER_STORE_DIR', () => {
    type Workload = { spec: { template: { spec: { containers: Array<{ env: Array<{ name: string; value: string }>; volumeMounts: Array<{ name: string; mountPath: string }> }>; volumes: Array<{ name: string; emptyDir?: { sizeLimit?: string } }> } } } };
    const tracker = base.find((o) => o.kind === 'Deployment' && o.metadata.name === 'tracker') as unknown as Workload;
    const container = tracker.spec.template.spec.containers[0]!;
    const dir = container.env.find((e) => e.name === 'TRACKER_STORE_DIR')?.value;
    const mount = container.volumeMounts.find((m) => m.mountPath === dir);
    expect(mount).toBeDefined();
    expect(tracker.spec.template.spec.volumes.find((v) => v.name === mount!.name)?.emptyDir?.sizeLimit).toMatch(/^\d+Gi$/);
    expect(loadEnv({ TRACKER_STORE_DIR: dir }, () => false).trackerStoreDir).toBe(dir);
  });

  it('scales the gateway on CPU', () => {
    const hpa = base.find((o) => o.kind === 'HorizontalPodAutoscaler') as unknown as { spec: { scaleTargetRef: { kind: string; name: string }; metrics: Array<{ resource: { name: string } }> } };
    expect(hpa.spec.scaleTargetRef).toMatchObject({ kind: 'StatefulSet', name: 'gateway' });
    expect(hpa.spec.metrics[0]!.resource.name).toBe('cpu');
  });

  it('configures env settings the code accepts and a hookbus.yaml the code parses', () => {
    const generator = kustomization(join(K8S, 'base')).configMapGenerator!.find((g) => g.name === 'hookbus-env')!;
    const literals = Object.fromEntries(generator.literals!.map((l) => l.split(/=(.*)/s).slice(0, 2) as [string, string]));
    const env = loadEnv({ ...literals, DATABASE_URL: 'postgres://hookbus:x@postgres:5432/hookbus' }, () => true);
    expect(env.servicePorts).toEqual({ normalizer: 3001, tracker: 3002, orchestrator: 3003, projector: 3004, monitor: 3005, console: 3006 });
    const config = loadConfigWithSecrets(join(K8S, 'base', 'config', 'hookbus.yaml'));
    expect(config.sources.map((s) => s.id)).toHaveLength(9);
    for (const source of config.sources) expect(source.auth.type).not.toBe('none');
    expect(config.spool).toEqual({ directory: '/var/lib/hookbus/spool', maxBytes: SPOOL_MAX_BYTES });
  });

  it('runs production with production Kafka durability: settings the code accepts, against three brokers', () => {
    const literalsOf = (dir: string): Record<string, string> => {
      const generator = kustomization(dir).configMapGenerator?.find((g) => g.name === 'hookbus-env');
      return Object.fromEntries((generator?.literals ?? []).map((l) => l.split(/=(.*)/s).slice(0, 2) as [string, string]));
    };
    // The overlay's generator merges into the base's (behavior: merge).
    const literals = { ...literalsOf(join(K8S, 'base')), ...literalsOf(join(K8S, 'overlays', 'production')) };
    const env = loadEnv({ ...literals, DATABASE_URL: 'postgres://hookbus:x@postgres:5432/hookbus' }, () => true);
    expect(env.kafkaDurability).toEqual({ profile: 'production', replicationFactor: 3, minInsyncReplicas: 2 });
    expect(env.kafkaBrokers.length).toBeGreaterThanOrEqual(env.kafkaDurability.replicationFactor);
  });

  describe('gateway StatefulSet (store-and-forward spool)', () => {
    type Claim = { metadata: { name: string }; spec: { accessModes: string[]; resources: { requests: { storage: string } } } };
    type Pod = {
      terminationGracePeriodSeconds: number;
      securityContext: { fsGroup?: number };
      containers: Array<{ volumeMounts: Array<{ name: string; mountPath: string; readOnly?: boolean }> }>;
      volumes: Array<{ name: string }>;
    };
    type StatefulSet = {
      spec: {
        serviceName: string;
        podManagementPolicy: string;
        updateStrategy: { type: string };
        persistentVolumeClaimRetentionPolicy?: { whenScaled: string; whenDeleted: string };
        volumeClaimTemplates: Claim[];
        template: { spec: Pod };
      };
    };
    const statefulSet = base.find((o) => o.kind === 'StatefulSet' && o.metadata.name === 'gateway') as unknown as StatefulSet;
    const spool = loadConfigWithSecrets(join(K8S, 'base', 'config', 'hookbus.yaml')).spool!;

    it('replaces the Deployment: nothing else runs a gateway pod', () => {
      expect(statefulSet).toBeDefined();
      expect(base.some((o) => o.kind === 'Deployment' && o.metadata.name === 'gateway')).toBe(false);
      expect(production.filter((o) => o.metadata.name === 'gateway').map((o) => o.kind).sort()).toEqual(['HorizontalPodAutoscaler', 'NetworkPolicy', 'PodDisruptionBudget', 'Service', 'StatefulSet']);
    });

    it('is governed by a headless Service next to the traffic Service', () => {
      const headless = base.find((o) => o.kind === 'Service' && o.metadata.name === statefulSet.spec.serviceName) as unknown as { spec: { clusterIP: string; selector: Record<string, string> } };
      expect(statefulSet.spec.serviceName).toBe('gateway-headless');
      expect(headless.spec.clusterIP).toBe('None');
      expect(headless.spec.selector).toEqual({ 'app.kubernetes.io/name': 'gateway' });
      const traffic = base.find((o) => o.kind === 'Service' && o.metadata.name === 'gateway') as unknown as { spec: { clusterIP?: string } };
      expect(traffic.spec.clusterIP).toBeUndefined();
    });

    it('claims one ReadWriteOnce spool volume per pod, mounted at the configured spool directory', () => {
      const claim = statefulSet.spec.volumeClaimTemplates.find((c) => c.metadata.name === 'spool')!;
      expect(claim.spec.accessModes).toEqual(['ReadWriteOnce']);
      const mounts = statefulSet.spec.template.spec.containers[0]!.volumeMounts.filter((m) => m.name === 'spool');
      expect(mounts).toEqual([{ name: 'spool', mountPath: spool.directory }]);
      // A pod volume of the same name would shadow the claim (and an emptyDir would lose the spool with the pod).
      expect(statefulSet.spec.template.spec.volumes.some((v) => v.name === 'spool')).toBe(false);
      expect(statefulSet.spec.template.spec.securityContext.fsGroup).toBe(1000);
    });

    it('bounds the spool at about 80 % of the claim, leaving room for segment roll-over', () => {
      const claim = statefulSet.spec.volumeClaimTemplates.find((c) => c.metadata.name === 'spool')!;
      const ratio = spool.maxBytes / quantityBytes(claim.spec.resources.requests.storage);
      expect(ratio).toBeGreaterThanOrEqual(0.7);
      expect(ratio).toBeLessThanOrEqual(0.9);
      // Cellosign bodies reach 16 MiB: the bound must be far above one record.
      expect(spool.maxBytes).toBeGreaterThan(64 * 1024 * 1024);
    });

    it('starts pods in parallel, rolls one at a time, keeps claims and gives the drainer time to stop', () => {
      expect(statefulSet.spec.podManagementPolicy).toBe('Parallel');
      expect(statefulSet.spec.updateStrategy.type).toBe('RollingUpdate');
      expect(statefulSet.spec.persistentVolumeClaimRetentionPolicy).toEqual({ whenScaled: 'Retain', whenDeleted: 'Retain' });
      expect(statefulSet.spec.template.spec.terminationGracePeriodSeconds).toBeGreaterThanOrEqual(30);
    });

    it('gives the stop time to drain the spool into Kafka: a pod scaled down never comes back to its claim', () => {
      const env = (statefulSet.spec.template.spec.containers[0] as unknown as { env: Array<{ name: string; value?: string }> }).env;
      const shutdownTimeoutMs = Number(env.find((e) => e.name === 'SHUTDOWN_TIMEOUT_MS')?.value ?? DEFAULT_SHUTDOWN_TIMEOUT_MS);
      // After the HTTP server's close: answers in flight take at most the produce timeout, 2 s.
      const drainMs = stopBudget(0, shutdownTimeoutMs, () => 2_000).spoolDrainMs();
      expect(drainMs).toBeGreaterThanOrEqual(15_000);
    });
  });
});

/** A workload's pod template: the Deployments, the gateway's StatefulSet and the init Job. */
type PodTemplate = {
  metadata: { labels: Record<string, string> };
  spec: {
    terminationGracePeriodSeconds?: number;
    containers: Array<{
      name: string;
      envFrom?: Array<{ configMapRef?: { name: string }; secretRef?: { name: string } }>;
      env?: Array<{ name: string; value?: string; valueFrom?: { secretKeyRef?: { name: string; key: string; optional?: boolean } } }>;
      resources: { requests?: Record<string, string>; limits?: Record<string, string> };
      lifecycle?: { preStop?: { exec?: { command: string[] } } };
    }>;
  };
};
type NetworkPolicyRule = { from?: unknown[]; to?: unknown[]; ports?: Array<{ protocol: string; port: number }> };
type NetworkPolicy = { metadata: { name: string }; spec: { podSelector: { matchLabels?: Record<string, string> }; policyTypes: string[]; ingress?: NetworkPolicyRule[]; egress?: NetworkPolicyRule[] } };

const WORKLOADS = [...Object.keys(SERVICES), 'hookbus-init'] as const;
const WEBHOOK_SECRETS = ['AUTHVIA_WEBHOOK_SECRET', 'CELLOSIGN_WEBHOOK_TOKEN', 'CREDAS_WEBHOOK_SECRET', 'OCTAPUSH_WEBHOOK_TOKEN'];
/**
 * The keys of hookbus-secrets each workload reads, and no more: the webhook secrets only where webhooks are
 * authenticated (the internet-facing gateway), the database URL where Postgres is written (the projector; the init
 * step's migrations; the console reads it), the Credas key where Credas is called (the orchestrator).
 */
const SECRET_KEYS: Record<(typeof WORKLOADS)[number], string[]> = {
  gateway: WEBHOOK_SECRETS,
  normalizer: [],
  tracker: [],
  orchestrator: ['CREDAS_API_KEY'],
  projector: ['DATABASE_URL'],
  monitor: [],
  console: ['DATABASE_URL'],
  'hookbus-init': ['DATABASE_URL'],
};
const KAFKA = { protocol: 'TCP', port: 9092 };
const DNS = [{ protocol: 'UDP', port: 53 }, { protocol: 'TCP', port: 53 }];
const POSTGRES = { protocol: 'TCP', port: 5432 };
const HTTPS = { protocol: 'TCP', port: 443 };
const MONITOR = { protocol: 'TCP', port: 3005 };
/** Where each workload may connect to: Kafka and DNS for all, Postgres for who writes or reads it, 443 for who calls Credas, the monitor for the console. */
const EGRESS: Record<(typeof WORKLOADS)[number], Array<{ protocol: string; port: number }>> = {
  gateway: [KAFKA, ...DNS],
  normalizer: [KAFKA, ...DNS],
  tracker: [KAFKA, ...DNS],
  orchestrator: [KAFKA, HTTPS, ...DNS],
  projector: [KAFKA, POSTGRES, ...DNS],
  monitor: [KAFKA, ...DNS],
  console: [KAFKA, POSTGRES, MONITOR, ...DNS],
  'hookbus-init': [KAFKA, POSTGRES, ...DNS],
};
const portKey = (p: { protocol: string; port: number }): string => `${p.protocol}/${p.port}`;

describe.each<[string, () => K8sObject[]]>([
  ['base', () => resourcesOf(join(K8S, 'base'))],
  ...readdirSync(join(K8S, 'overlays')).map((overlay): [string, () => K8sObject[]] => [overlay, () => renderOverlay(join(K8S, 'overlays', overlay))]),
])('least privilege and rollouts (%s)', (_overlay, render) => {
  const objects = render();
  const podOf = (name: string): PodTemplate => {
    const workload = objects.find((o) => ['Deployment', 'StatefulSet', 'Job'].includes(o.kind) && o.metadata.name === name);
    if (!workload) throw new Error(`no workload ${name}`);
    return (workload.spec as { template: PodTemplate }).template;
  };
  const policies = objects.filter((o) => o.kind === 'NetworkPolicy') as unknown as NetworkPolicy[];
  const secretKeysOf = (name: string): string[] =>
    podOf(name).spec.containers.flatMap((c) => (c.env ?? []).flatMap((e) => (e.valueFrom?.secretKeyRef?.name === 'hookbus-secrets' ? [e.valueFrom.secretKeyRef.key] : []))).sort();

  it('lists every workload', () => {
    expect(objects.filter((o) => ['Deployment', 'StatefulSet', 'Job'].includes(o.kind)).map((o) => o.metadata.name).sort()).toEqual([...WORKLOADS].sort());
  });

  it.each(WORKLOADS)('%s loads no whole Secret and takes only the keys of hookbus-secrets it reads', (name) => {
    for (const container of podOf(name).spec.containers) {
      expect((container.envFrom ?? []).filter((source) => source.secretRef !== undefined)).toEqual([]);
      for (const variable of container.env ?? []) {
        const ref = variable.valueFrom?.secretKeyRef;
        if (!ref) continue;
        // Its own Kafka principal's credentials (managed Kafka), from an optional Secret of its own; else hookbus-secrets.
        if (variable.name === 'KAFKA_SASL_USERNAME' || variable.name === 'KAFKA_SASL_PASSWORD') {
          expect(ref).toEqual({ name: `hookbus-kafka-${name}`, key: variable.name === 'KAFKA_SASL_USERNAME' ? 'username' : 'password', optional: true });
        } else expect(ref).toEqual({ name: 'hookbus-secrets', key: variable.name });
      }
      const kafkaCredentials = (container.env ?? []).filter((variable) => variable.name.startsWith('KAFKA_SASL_')).map((variable) => variable.name);
      expect(kafkaCredentials.sort()).toEqual(['KAFKA_SASL_PASSWORD', 'KAFKA_SASL_USERNAME']);
    }
    expect(secretKeysOf(name)).toEqual([...SECRET_KEYS[name]].sort());
  });

  it.each(WORKLOADS)('%s has CPU and memory requests and limits on every container, limits above requests', (name) => {
    for (const container of podOf(name).spec.containers) {
      for (const resource of ['cpu', 'memory']) {
        expect(container.resources.requests?.[resource]).toBeDefined();
        expect(container.resources.limits?.[resource]).toBeDefined();
      }
      expect(quantityBytes(container.resources.limits!.memory!)).toBeGreaterThanOrEqual(quantityBytes(container.resources.requests!.memory!));
      const millicores = (q: string): number => (q.endsWith('m') ? Number(q.slice(0, -1)) : Number(q) * 1000);
      expect(millicores(container.resources.limits!.cpu!)).toBeGreaterThanOrEqual(millicores(container.resources.requests!.cpu!));
    }
  });

  it('denies all ingress and egress to every hookbus pod unless a policy allows it', () => {
    const deny = policies.find((p) => p.metadata.name === 'hookbus-default-deny')!;
    expect(deny.spec).toEqual({ podSelector: { matchLabels: { 'app.kubernetes.io/part-of': 'hookbus' } }, policyTypes: ['Ingress', 'Egress'] });
    for (const name of WORKLOADS) expect(podOf(name).metadata.labels['app.kubernetes.io/part-of']).toBe('hookbus');
  });

  it.each(WORKLOADS)('%s has a NetworkPolicy allowing exactly its peers', (name) => {
    const labels = podOf(name).metadata.labels;
    const selecting = policies.filter((p) => Object.entries(p.spec.podSelector.matchLabels ?? {}).every(([k, v]) => labels[k] === v));
    const own = selecting.filter((p) => p.metadata.name !== 'hookbus-default-deny');
    expect(own.map((p) => p.metadata.name)).toEqual([name]);
    const policy = own[0]!;
    expect(policy.spec.policyTypes).toEqual(['Ingress', 'Egress']);
    const egressPorts = (policy.spec.egress ?? []).flatMap((rule) => {
      // Every egress rule names its destinations: none is open to everything.
      expect(rule.to?.length).toBeGreaterThan(0);
      return (rule.ports ?? []).map(portKey);
    });
    expect(egressPorts.sort()).toEqual(EGRESS[name].map(portKey).sort());
    const ingress = policy.spec.ingress ?? [];
    if (name === 'hookbus-init') expect(ingress).toEqual([]);
    else if (name === 'gateway') {
      // Providers call from the internet: any source, its port only.
      expect(ingress).toEqual([{ ports: [{ protocol: 'TCP', port: SERVICES.gateway }] }]);
    } else {
      // Prometheus, on the metrics port; people reach the console through an ingress controller; the console reads the monitor.
      const prometheus = { namespaceSelector: {}, podSelector: { matchLabels: { 'app.kubernetes.io/name': 'prometheus' } } };
      const port = [{ protocol: 'TCP', port: SERVICES[name as keyof typeof SERVICES] }];
      if (name === 'console') expect(ingress).toEqual([{ from: [prometheus, { namespaceSelector: {}, podSelector: { matchLabels: { 'app.kubernetes.io/name': 'ingress-nginx' } } }], ports: port }]);
      else if (name === 'monitor') expect(ingress).toEqual([{ from: [prometheus], ports: port }, { from: [{ podSelector: { matchLabels: { 'app.kubernetes.io/name': 'console' } } }], ports: port }]);
      else expect(ingress).toEqual([{ from: [prometheus], ports: port }]);
    }
  });

  it('lets only the orchestrator reach addresses outside the cluster, and not private or metadata ones', () => {
    const withIpBlocks = policies.filter((p) => JSON.stringify(p.spec.egress ?? []).includes('ipBlock')).map((p) => p.metadata.name);
    expect(withIpBlocks).toEqual(['orchestrator']);
    const blocks = policies.find((p) => p.metadata.name === 'orchestrator')!.spec.egress!.flatMap((r) => (r.to ?? []) as Array<{ ipBlock?: { cidr: string; except?: string[] } }>).flatMap((t) => (t.ipBlock ? [t.ipBlock] : []));
    expect(blocks.find((b) => b.cidr === '0.0.0.0/0')!.except).toEqual(expect.arrayContaining(['10.0.0.0/8', '172.16.0.0/12', '192.168.0.0/16', '169.254.0.0/16']));
  });

  it('keeps a stopping gateway serving until its endpoint is gone, and within its grace period', () => {
    const pod = podOf('gateway');
    const preStop = pod.spec.containers[0]!.lifecycle?.preStop?.exec?.command;
    expect(preStop?.[0]).toBe('sleep');
    const preStopSeconds = Number(preStop![1]);
    expect(preStopSeconds).toBeGreaterThanOrEqual(5);
    const configured = pod.spec.containers[0]!.env?.find((e) => e.name === 'SHUTDOWN_TIMEOUT_MS')?.value;
    const shutdownSeconds = Number(configured ?? DEFAULT_SHUTDOWN_TIMEOUT_MS) / 1000;
    // The grace period runs from the start of preStop; SIGKILL must come well after the service's own bounded stop.
    expect(pod.spec.terminationGracePeriodSeconds).toBeGreaterThanOrEqual(preStopSeconds + shutdownSeconds + 10);
  });
});

describe('hookbus-secrets keys against what the code reads', () => {
  const config = join(K8S, 'base', 'config', 'hookbus.yaml');
  const exampleKeys = readFileSync(join(K8S, 'base', 'secrets.example.env'), 'utf8').split('\n').filter((l) => /^[A-Z_]+=/.test(l)).map((l) => l.split('=')[0]!);

  it('gives the gateway exactly the variables its hookbus.yaml interpolates, and it starts with those alone', () => {
    const interpolated = [...new Set([...readFileSync(config, 'utf8').matchAll(/\$\{([A-Z_]+)\}/g)].map((m) => m[1]!))].sort();
    expect(interpolated).toEqual(SECRET_KEYS.gateway);
    const only = Object.fromEntries(SECRET_KEYS.gateway.map((key) => [key, `${key.toLowerCase()}-0123456789`]));
    expect(loadHookbusConfig(config, only, sourceCredentialsOf('gateway')).sources).toHaveLength(9);
  });

  it.each(Object.keys(SERVICES).filter((name) => name !== 'gateway'))('starts %s from hookbus.yaml without any webhook secret', (name) => {
    expect(sourceCredentialsOf(name)).toBe('withheld');
    expect(loadHookbusConfig(config, {}, sourceCredentialsOf(name)).sources).toHaveLength(9);
  });

  it('documents every key a workload takes in secrets.example.env, and no key nobody takes', () => {
    expect([...new Set(Object.values(SECRET_KEYS).flat())].sort()).toEqual([...exampleKeys].sort());
  });
});

/** `${NAME:-default}` as its default, `${NAME:?message}` (required) as the value a filled-in .env would give. */
function resolveComposeVariables(value: string, required: string): string {
  return value.replace(/\$\{[A-Z_]+:-([^}]*)\}/g, '$1').replace(/\$\{[A-Z_]+:\?[^}]*\}/g, required);
}

describe('docker-compose.yml', () => {
  const composeText = readFileSync(join(ROOT, 'docker-compose.yml'), 'utf8');
  const compose = parse(composeText, { merge: true }) as {
    services: Record<string, {
      image?: string; command?: string[]; environment?: Record<string, string>; healthcheck?: { test: string[] }; depends_on?: Record<string, { condition: string }>;
      profiles?: string[]; build?: { dockerfile: string }; volumes?: string[]; stop_grace_period?: string; ports?: string[];
      deploy?: { resources?: { limits?: { cpus?: string; memory?: string }; reservations?: { cpus?: string; memory?: string } } };
    }>;
    volumes: Record<string, unknown>;
  };
  /** Compose's byte values (512m, 1g) in MiB. */
  const composeMib = (value: string): number => {
    const match = /^(\d+)([mg])$/.exec(value);
    if (!match) throw new Error(`unsupported compose memory value ${value}`);
    return Number(match[1]) * (match[2] === 'g' ? 1024 : 1);
  };
  /** Every `${NAME:?...}` compose requires. */
  const requiredVariables = [...new Set([...composeText.matchAll(/\$\{([A-Z_]+):\?/g)].map((m) => m[1]!))].sort();
  /** The host file mounted at a container path, from a `host:container[:mode]` entry. */
  const hostPathOf = (volumes: string[] | undefined, containerPath: string): string | undefined =>
    volumes?.map((v) => v.split(':')).find(([, target]) => target === containerPath)?.[0];
  const dockerfile = readFileSync(join(ROOT, 'docker', 'Dockerfile'), 'utf8');

  it.each(Object.entries(SERVICES))('runs %s from the image with a /health/ready healthcheck and every setting', (name, port) => {
    const service = compose.services[name]!;
    expect(service.image).toBe('hookbus:local');
    expect(service.command).toEqual(['node', '--enable-source-maps', `dist/apps/${name}/src/main.js`]);
    expect(service.healthcheck!.test.join(' ')).toContain(`http://127.0.0.1:${port}/health/ready`);
    expect(service.depends_on).toEqual({ init: { condition: 'service_completed_successfully' } });
    expect(service.environment?.NODE_OPTIONS ?? '').toBe(serviceNodeOptions(name));
    for (const [variable, value] of Object.entries(serviceEnvironment(name))) expect(service.environment?.[variable]).toBe(value);
    // Docker SIGKILLs after stop_grace_period (default 10 s): well past the service's own bounded stop.
    const grace = /^(\d+)s$/.exec(service.stop_grace_period ?? '');
    const shutdownTimeoutMs = Number(service.environment?.SHUTDOWN_TIMEOUT_MS || DEFAULT_SHUTDOWN_TIMEOUT_MS);
    expect(grace && Number(grace[1]) * 1000).toBeGreaterThanOrEqual(shutdownTimeoutMs + 10_000);
    for (const setting of ['KAFKA_BROKERS', 'KAFKA_DURABILITY', 'HOOKBUS_CONFIG', 'CREDAS_API_BASE_URL', 'GATEWAY_PORT', 'NORMALIZER_PORT', 'TRACKER_PORT', 'ORCHESTRATOR_PORT', 'PROJECTOR_PORT', 'MONITOR_PORT', 'LOG_LEVEL']) {
      expect(service.environment).toHaveProperty(setting);
    }
    // The secrets it uses and no others, as in Kubernetes.
    const secrets = ['DATABASE_URL', 'CREDAS_API_KEY', ...WEBHOOK_SECRETS].filter((key) => service.environment && key in service.environment);
    expect(secrets.sort()).toEqual([...SECRET_KEYS[name as keyof typeof SECRET_KEYS]].sort());
  });

  it('gives the init step only the database of the secrets', () => {
    const environment = compose.services.init!.environment!;
    expect(['DATABASE_URL', 'CREDAS_API_KEY', ...WEBHOOK_SECRETS].filter((key) => key in environment)).toEqual(SECRET_KEYS['hookbus-init']);
  });

  it.each(Object.keys(compose.services))('publishes %s on this host\'s loopback only, unless it is the gateway', (name) => {
    for (const mapping of compose.services[name]!.ports ?? []) {
      // host_ip:host_port:container_port; without a host address Docker listens on every interface.
      if (name === 'gateway') expect(mapping).toBe('${GATEWAY_HOST_PORT:-3000}:3000');
      else expect(mapping).toMatch(/^127\.0\.0\.1:\$\{[A-Z_]+_HOST_PORT:-\d+\}:\d+$/);
    }
  });

  it.each(Object.keys(compose.services))('bounds %s with CPU and memory limits', (name) => {
    const limits = compose.services[name]!.deploy?.resources?.limits;
    expect(Number(limits?.cpus)).toBeGreaterThan(0);
    expect(composeMib(limits?.memory ?? '')).toBeGreaterThan(0);
    const reserved = compose.services[name]!.deploy?.resources?.reservations?.memory;
    if (reserved !== undefined) expect(composeMib(reserved)).toBeLessThanOrEqual(composeMib(limits!.memory!));
  });

  it('keeps every Node heap bound under half of its service\'s memory limit', () => {
    for (const name of Object.keys(SERVICES)) {
      const heapMb = Number(/--max-old-space-size=(\d+)/.exec(compose.services[name]!.environment?.NODE_OPTIONS ?? '')?.[1] ?? 0);
      expect(heapMb).toBeLessThan(composeMib(compose.services[name]!.deploy!.resources!.limits!.memory!) / 2);
    }
    expect(compose.services.tracker!.environment!.NODE_OPTIONS).toMatch(/--max-old-space-size=\d+/);
  });

  it('has no default password: every password, secret and token is required, and .env.example lists each', () => {
    const credentials = [...composeText.matchAll(/\$\{([A-Z_]*(?:PASSWORD|SECRET|TOKEN)[A-Z_]*)([^}]*)\}/g)];
    expect(credentials.length).toBeGreaterThanOrEqual(6);
    for (const [whole, , rest] of credentials) expect([whole, rest!.startsWith(':?')]).toEqual([whole, true]);
    for (const known of [':-hookbus}', ':-admin}', 'admin/admin']) expect(composeText).not.toContain(known);
    expect(requiredVariables).toEqual(expect.arrayContaining(['POSTGRES_PASSWORD', 'GRAFANA_ADMIN_PASSWORD', ...WEBHOOK_SECRETS]));
    const example = readFileSync(join(ROOT, '.env.example'), 'utf8');
    // Listed without a value: nobody can start it with a password from the repository.
    for (const variable of requiredVariables) expect(example).toMatch(new RegExp(`^${variable}=$`, 'm'));
    expect(readFileSync(join(ROOT, '.gitignore'), 'utf8').split('\n')).toContain('.env');
  });

  it('signs Grafana in with the required admin password, never anonymously', () => {
    const environment = compose.services.grafana!.environment!;
    expect(environment.GF_AUTH_ANONYMOUS_ENABLED).toBe('false');
    expect(environment.GF_USERS_ALLOW_SIGN_UP).toBe('false');
    expect(environment.GF_SECURITY_ADMIN_PASSWORD).toMatch(/^\$\{GRAFANA_ADMIN_PASSWORD:\?/);
  });

  it('gives Postgres and the services that connect to it the same required password', () => {
    expect(compose.services.postgres!.environment!.POSTGRES_PASSWORD).toMatch(/^\$\{POSTGRES_PASSWORD:\?/);
    for (const name of ['projector', 'init']) expect(compose.services[name]!.environment!.DATABASE_URL).toMatch(/^postgres:\/\/postgres:\$\{POSTGRES_PASSWORD:\?[^}]*\}@postgres:5432\/hookbus$/);
  });

  it('gives the services settings that loadEnv accepts and a hookbus.yaml mounted where HOOKBUS_CONFIG points', () => {
    const mounted = (path: string): boolean => Object.keys(SERVICES).concat('init').every((name) => hostPathOf(compose.services[name]!.volumes, path) !== undefined);
    const resolvedEnv = (name: string): Record<string, string> =>
      Object.fromEntries(Object.entries(compose.services[name]!.environment!).map(([k, v]) => [k, resolveComposeVariables(String(v), 'from-dot-env-0123456789')]));
    // One Kafka node: local durability, the only kind it can hold.
    expect(loadEnv(resolvedEnv('gateway'), mounted)).toMatchObject({ kafkaBrokers: ['kafka:9092'], gatewayPort: 3000, configPath: '/etc/hookbus/hookbus.yaml', kafkaDurability: { profile: 'local', replicationFactor: 1 } });
    expect(loadEnv(resolvedEnv('projector'), mounted).databaseUrl).toBe('postgres://postgres:from-dot-env-0123456789@postgres:5432/hookbus');
    const hostFile = hostPathOf(compose.services.gateway!.volumes, '/etc/hookbus/hookbus.yaml')!;
    expect(existsSync(join(ROOT, hostFile))).toBe(true);
  });

  it('serves every built-in source with authentication, its secrets from the environment, and none without them', () => {
    const hostFile = join(ROOT, hostPathOf(compose.services.gateway!.volumes, '/etc/hookbus/hookbus.yaml')!);
    const secretNames = readFileSync(hostFile, 'utf8').match(/\$\{[A-Z_]+\}/g)!.map((m) => m.slice(2, -1));
    const env = compose.services.gateway!.environment!;
    // Required: compose refuses to start while one is unset or empty, naming it.
    for (const name of secretNames) expect(env[name]).toMatch(new RegExp(`^\\$\\{${name}:\\?set ${name} in \\.env`));
    const secrets = Object.fromEntries(secretNames.map((name) => [name, `${name.toLowerCase()}-0123456789`]));
    const sources = loadHookbusConfig(hostFile, secrets).sources;
    expect(sources.map((s) => s.id).sort()).toEqual(SOURCE_TEMPLATES.map((t) => t.id).sort());
    for (const source of sources) expect(source.auth.type).not.toBe('none');
    // Started some other way without them, the gateway stops at start too, naming the variable.
    expect(() => loadHookbusConfig(hostFile, {})).toThrow(/CREDAS_WEBHOOK_SECRET is not set/);
    expect(() => loadHookbusConfig(hostFile, Object.fromEntries(secretNames.map((n) => [n, ''])))).toThrow(/expected a non-empty string/);
  });

  it('keeps the gateway spool on a named volume at the configured spool directory', () => {
    const hostFile = hostPathOf(compose.services.gateway!.volumes, '/etc/hookbus/hookbus.yaml')!;
    const spool = loadConfigWithSecrets(join(ROOT, hostFile)).spool!;
    expect(spool.maxBytes).toBe(SPOOL_MAX_BYTES);
    const volume = hostPathOf(compose.services.gateway!.volumes, spool.directory)!;
    expect(volume).toMatch(/^[a-z][a-z0-9_-]*$/);
    expect(compose.volumes).toHaveProperty(volume);
    // Only the gateway writes it: one writer per spool.
    for (const [name, service] of Object.entries(compose.services)) {
      if (name !== 'gateway') expect(service.volumes?.some((v) => v.startsWith(`${volume}:`)) ?? false).toBe(false);
    }
    // An empty named volume takes the owner of the image's directory: it must exist there, owned by node.
    expect(dockerfile).toMatch(new RegExp(`mkdir -p ${spool.directory} && chown node:node ${spool.directory}`));
  });

  it('initialises with the migrations-and-topics step once Kafka and Postgres are healthy', () => {
    const init = compose.services.init!;
    expect(init.command).toEqual(['node', 'dist/scripts/start.js', '--init-only']);
    expect(init.build!.dockerfile).toBe('docker/Dockerfile');
    expect(init.depends_on).toEqual({ kafka: { condition: 'service_healthy' }, postgres: { condition: 'service_healthy' } });
    expect(compose.services.kafka!.image).toBe('apache/kafka:3.9.1');
    expect(compose.services.postgres!.image).toMatch(/^postgres:16/);
    for (const name of ['kafka', 'postgres']) expect(compose.services[name]!.healthcheck).toBeDefined();
  });

  it('brings Prometheus and Grafana only with the observability profile', () => {
    expect(compose.services.prometheus!.profiles).toEqual(['observability']);
    expect(compose.services.grafana!.profiles).toEqual(['observability']);
  });

  it('has a Dockerfile whose build produces the commands the services run', () => {
    expect(dockerfile).toMatch(/^FROM node:20\S* AS build$/m);
    expect(dockerfile).toMatch(/^FROM node:20\S* AS runtime$/m);
    expect(dockerfile).toContain('RUN npm run build');
    expect(dockerfile).toContain('COPY --from=build --chown=node:node /app/dist ./dist');
    for (const dir of ['apps', 'libs', 'scripts']) expect(dockerfile).toContain(`COPY ${dir} ${dir}`);
    // `npm run build` emits dist/apps/<svc>/src/main.js from apps/<svc>/src/main.ts and dist/scripts/start.js.
    for (const name of Object.keys(SERVICES)) expect(existsSync(join(ROOT, 'apps', name, 'src', 'main.ts'))).toBe(true);
    expect(existsSync(join(ROOT, 'scripts', 'start.ts'))).toBe(true);
  });
});

describe('Prometheus and Grafana files', () => {
  it('scrapes every service, the monitor included, and loads the alert rules', () => {
    const config = parse(readFileSync(join(ROOT, 'docker', 'prometheus', 'prometheus.yml'), 'utf8')) as { rule_files: string[]; scrape_configs: Array<{ static_configs: Array<{ targets: string[] }> }> };
    const targets = config.scrape_configs.flatMap((s) => s.static_configs.flatMap((c) => c.targets));
    expect(targets.sort()).toEqual(Object.entries(SERVICES).map(([n, p]) => `${n}:${p}`).sort());
    expect(config.rule_files).toEqual(['/etc/prometheus/alerts.yml']);
  });

  const rules = parse(readFileSync(join(ROOT, 'docker', 'prometheus', 'alerts.yml'), 'utf8')) as { groups: Array<{ name: string; rules: Array<{ alert: string; expr: string; for?: string }> }> };

  it('alerts on lag, STOP/STALL, dead letters, gateway 5xx/503 and failing Authvia deliveries', () => {
    const exprs = rules.groups.flatMap((g) => g.rules).map((r) => r.expr).join('\n');
    for (const series of ['kafka_consumergroup_lag_seconds', 'hookbus_consumergroup_status', 'hookbus_dead_letters_total', 'hookbus_gateway_requests_total{status="503"}', 'source=~"authvia.*"']) {
      expect(exprs).toContain(series);
    }
  });

  it('alerts on the gateway spool: non-empty for minutes, an old record, nearly full of its maxBytes, refusing', () => {
    const spoolRules = rules.groups.find((g) => g.name === 'hookbus-gateway-spool')!.rules;
    const byAlert = Object.fromEntries(spoolRules.map((r) => [r.alert, r]));
    expect(byAlert.HookbusGatewaySpooling).toMatchObject({ expr: 'hookbus_gateway_spool_records > 0', for: '3m' });
    expect(byAlert.HookbusGatewaySpoolOldRecord!.expr).toMatch(/^hookbus_gateway_spool_oldest_record_seconds > \d+$/);
    expect(byAlert.HookbusGatewaySpoolNearlyFull!.expr).toBe(`hookbus_gateway_spool_bytes / ${SPOOL_MAX_BYTES} > 0.8`);
    expect(byAlert.HookbusGatewaySpoolRefusing!.expr).toContain('hookbus_gateway_spool_refused_total');
  });

  it('names only series the gateway exports', () => {
    const metricsSource = readFileSync(join(ROOT, 'apps', 'gateway', 'src', 'gateway-metrics.ts'), 'utf8');
    const dashboard = readFileSync(join(ROOT, 'docker', 'grafana', 'dashboards', 'hookbus.json'), 'utf8');
    const used = new Set([...readFileSync(join(ROOT, 'docker', 'prometheus', 'alerts.yml'), 'utf8').matchAll(/hookbus_gateway_\w+/g), ...dashboard.matchAll(/hookbus_gateway_\w+/g)].map((m) => m[0]));
    expect(used.size).toBeGreaterThan(5);
    for (const series of used) expect(metricsSource).toContain(`name: '${series}'`);
  });

  it('names only consumer-group series the monitor exports, and shows its retention, state, trend and dead-letter rate', () => {
    const metricsSource = readFileSync(join(ROOT, 'libs', 'lag', 'src', 'lag-metrics.ts'), 'utf8');
    const dashboard = readFileSync(join(ROOT, 'docker', 'grafana', 'dashboards', 'hookbus.json'), 'utf8');
    const alerts = readFileSync(join(ROOT, 'docker', 'prometheus', 'alerts.yml'), 'utf8');
    const used = new Set([...`${alerts}\n${dashboard}`.matchAll(/\b(?:hookbus|kafka)_consumergroup_\w+/g)].map((m) => m[0]));
    expect(used.size).toBeGreaterThan(5);
    for (const series of used) expect(metricsSource).toContain(`name: '${series}'`);
    for (const series of ['hookbus_consumergroup_retention_risk', 'hookbus_consumergroup_state_info', 'hookbus_consumergroup_members', 'hookbus_consumergroup_lag_trend_records_per_second', 'hookbus:dead_letters:rate5m']) {
      expect(dashboard).toContain(series);
    }
    expect(alerts).toContain('record: hookbus:dead_letters:rate5m');
  });

  it('has a dashboard that Grafana provisions', () => {
    const dashboard = JSON.parse(readFileSync(join(ROOT, 'docker', 'grafana', 'dashboards', 'hookbus.json'), 'utf8')) as { uid: string; panels: Array<{ targets: Array<{ expr: string }> }> };
    expect(dashboard.uid).toBe('hookbus-overview');
    const exprs = dashboard.panels.flatMap((p) => p.targets.map((t) => t.expr)).join('\n');
    expect(exprs).toContain('kafka_consumergroup_lag_sum');
    expect(exprs).toContain('hookbus_consumergroup_status');
    for (const series of ['hookbus_gateway_spool_bytes', 'hookbus_gateway_spool_records', 'hookbus_gateway_spool_oldest_record_seconds']) expect(exprs).toContain(series);
    const provider = parse(readFileSync(join(ROOT, 'docker', 'grafana', 'provisioning', 'dashboards', 'hookbus.yml'), 'utf8')) as { providers: Array<{ options: { path: string } }> };
    expect(provider.providers[0]!.options.path).toBe('/var/lib/grafana/dashboards');
  });
});
