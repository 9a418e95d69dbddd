import { describe, expect, it } from 'vitest';
import { Deployment, StatefulSet } from 'kubernetes-models/apps/v1';
import { HorizontalPodAutoscaler } from 'kubernetes-models/autoscaling/v2';
import { NetworkPolicy } from 'kubernetes-models/networking.k8s.io/v1';
import { PodDisruptionBudget } from 'kubernetes-models/policy/v1';
import { ConfigMap, Secret, Service } from 'kubernetes-models/v1';
import { containersOf, find, OVERLAYS, render, type Manifest } from './kustomize.js';

// No cluster here: each overlay is rendered by kustomize, every manifest is validated against the
// Kubernetes API schemas shipped in kubernetes-models, then checked for the wiring schemas cannot see.
const MODELS: Record<string, new (data: any) => { validate(): void }> = {
  'apps/v1/Deployment': Deployment,
  'apps/v1/StatefulSet': StatefulSet,
  'autoscaling/v2/HorizontalPodAutoscaler': HorizontalPodAutoscaler,
  'networking.k8s.io/v1/NetworkPolicy': NetworkPolicy,
  'policy/v1/PodDisruptionBudget': PodDisruptionBudget,
  'v1/ConfigMap': ConfigMap,
  'v1/Secret': Secret,
  'v1/Service': Service,
};

const GATEWAY = { 'app.kubernetes.io/name': 'bulwark', 'app.kubernetes.io/component': 'gateway' };
const REDIS = { 'app.kubernetes.io/name': 'bulwark', 'app.kubernetes.io/component': 'redis' };
const selects = (selector: Record<string, string>, labels: Record<string, string>) => Object.entries(selector).every(([k, v]) => labels[k] === v);
const podLabels = (m: Manifest) => m.spec.template.metadata.labels as Record<string, string>;

describe.each(OVERLAYS)('Kubernetes overlay %s', (overlay) => {
  const manifests = render(overlay);
  const gateway = find(manifests, 'Deployment', 'bulwark');

  it('every rendered manifest is valid against the Kubernetes API schema', () => {
    expect(manifests.length).toBeGreaterThan(6);
    for (const doc of manifests) {
      const Model = MODELS[`${doc.apiVersion}/${doc.kind}`];
      expect(Model, `no schema for ${doc.apiVersion} ${doc.kind}`).toBeDefined();
      expect(() => new Model(doc).validate(), `${doc.kind}/${doc.metadata.name}`).not.toThrow();
    }
  });

  it('the schema validation rejects a broken manifest (the check can fail)', () => {
    const broken = structuredClone(gateway);
    broken.spec.template.spec.containers[0].ports[0].containerPort = 'four thousand';
    expect(() => new Deployment(broken).validate()).toThrow(/containerPort/);
  });

  it('the gateway probes: startup and liveness on /livez (nothing external), readiness on /readyz; preStop before SIGTERM', () => {
    const container = gateway.spec.template.spec.containers[0];
    expect(container.startupProbe.httpGet.path).toBe('/livez');
    expect(container.livenessProbe.httpGet.path).toBe('/livez');
    expect(container.readinessProbe.httpGet.path).toBe('/readyz');
    expect(container.lifecycle.preStop.sleep.seconds).toBeGreaterThan(0);
  });

  it('every pod runs as non-root with a read-only root filesystem, no privilege escalation, no capabilities, no API token', () => {
    for (const { workload, container, pod } of containersOf(manifests)) {
      const label = `${workload}/${container.name}`;
      expect(pod.securityContext.runAsNonRoot, label).toBe(true);
      expect(pod.securityContext.seccompProfile.type, label).toBe('RuntimeDefault');
      expect(pod.automountServiceAccountToken, label).toBe(false);
      expect(container.securityContext, label).toMatchObject({ allowPrivilegeEscalation: false, readOnlyRootFilesystem: true, capabilities: { drop: ['ALL'] } });
      // Anything a container writes goes to a declared volume.
      for (const mount of container.volumeMounts ?? []) {
        const volume = pod.volumes.find((v: any) => v.name === mount.name);
        expect(volume, `${label}: volume ${mount.name}`).toBeDefined();
        if (!mount.readOnly && !volume.emptyDir) throw new Error(`${label}: ${mount.mountPath} is writable but not an emptyDir`);
      }
    }
  });

  it('every container has CPU and memory requests and a memory limit; images are pinned', () => {
    for (const { workload, container } of containersOf(manifests)) {
      const label = `${workload}/${container.name}`;
      expect(container.resources.requests.cpu, label).toBeDefined();
      expect(container.resources.requests.memory, label).toBeDefined();
      expect(container.resources.limits.memory, label).toBeDefined();
      expect(container.image, label).toMatch(/^[^:]+:(?!latest$)[\w.-]+$/);
    }
  });

  it('Service, PodDisruptionBudget, NetworkPolicy (and HPA) select the gateway pods', () => {
    const labels = podLabels(gateway);
    expect(selects(gateway.spec.selector.matchLabels, labels)).toBe(true);
    expect(selects(find(manifests, 'Service', 'bulwark').spec.selector, labels)).toBe(true);
    expect(find(manifests, 'PodDisruptionBudget', 'bulwark').spec).toMatchObject({ maxUnavailable: 1 });
    expect(selects(find(manifests, 'PodDisruptionBudget', 'bulwark').spec.selector.matchLabels, labels)).toBe(true);
    expect(selects(find(manifests, 'NetworkPolicy', 'bulwark').spec.podSelector.matchLabels, labels)).toBe(true);
    if (overlay === 'ha') {
      expect(find(manifests, 'HorizontalPodAutoscaler', 'bulwark').spec.scaleTargetRef).toMatchObject({ kind: 'Deployment', name: 'bulwark' });
    }
  });

  it('replicas: one gateway in single; three to twenty (HPA) in ha, in-flight requests named as the gateway exports them', () => {
    if (overlay === 'single') {
      expect(gateway.spec.replicas).toBe(1);
      expect(manifests.some((m) => m.kind === 'HorizontalPodAutoscaler')).toBe(false);
      return;
    }
    expect(gateway.spec.replicas).toBe(3);
    const hpa = find(manifests, 'HorizontalPodAutoscaler', 'bulwark');
    expect(hpa.spec).toMatchObject({ minReplicas: 3, maxReplicas: 20 });
    const metricNames = hpa.spec.metrics.map((m: any) => (m.type === 'Resource' ? m.resource.name : m.pods.metric.name));
    expect(metricNames).toEqual(['cpu', 'bulwark_requests_in_flight']);
  });

  it('network: the gateway reaches DNS, Redis and HTTPS only; Redis takes connections from the gateway (and its own pods) only', () => {
    const policy = find(manifests, 'NetworkPolicy', 'bulwark').spec;
    expect(policy.policyTypes).toEqual(['Ingress', 'Egress']);
    expect(policy.ingress).toEqual([{ ports: [{ port: 4000, protocol: 'TCP' }] }]);
    const egressPorts = policy.egress.flatMap((rule: any) => rule.ports.map((p: any) => p.port)).sort((a: number, b: number) => a - b);
    expect(egressPorts).toEqual([53, 53, 443, 6379, 26379]);
    const redisPolicy = find(manifests, 'NetworkPolicy', 'bulwark-redis').spec;
    const redisPods = manifests.filter((m) => (m.kind === 'Deployment' || m.kind === 'StatefulSet') && selects(redisPolicy.podSelector.matchLabels, podLabels(m)));
    expect(redisPods.map((m) => m.metadata.name)).toEqual(['bulwark-redis']);
    const sources = redisPolicy.ingress.flatMap((rule: any) => rule.from.map((f: any) => f.podSelector.matchLabels));
    expect(sources).toEqual(overlay === 'ha' ? [GATEWAY, REDIS] : [GATEWAY]);
  });

  it('every secret and ConfigMap a pod reads exists (generated names included)', () => {
    const secret = find(manifests, 'Secret', 'bulwark-secrets');
    for (const { workload, container, pod } of containersOf(manifests)) {
      for (const variable of container.env ?? []) {
        const ref = variable.valueFrom?.secretKeyRef;
        if (ref) expect(secret.stringData, `${workload}/${container.name} ${variable.name}`).toHaveProperty(ref.key);
      }
      for (const volume of pod.volumes ?? []) {
        if (volume.configMap) expect(manifests.some((m) => m.kind === 'ConfigMap' && m.metadata.name === volume.configMap.name), `${workload}: ${volume.configMap.name}`).toBe(true);
      }
    }
  });

  it('Redis requires a password, from the Secret, written into its config (never on a command line)', () => {
    const redis = containersOf(manifests).filter((c) => c.workload === 'bulwark-redis');
    for (const { container } of redis) {
      expect(container.env.find((e: any) => e.name === 'REDISCLI_AUTH' || e.name === 'REDIS_PASSWORD')?.valueFrom.secretKeyRef.key).toBe('redis-password');
      // Kubernetes' $(VAR) expansion or a --requirepass flag would put the value in the process list;
      // a shell's printf builtin writing "$REDIS_PASSWORD" into a file does not.
      expect(JSON.stringify([container.command, container.args])).not.toMatch(/\$\(REDIS_PASSWORD\)|--requirepass|--masterauth/);
    }
    const script = overlay === 'ha'
      ? find(manifests, 'ConfigMap', 'bulwark-redis-scripts').data['init.sh']
      : redis.find((c) => c.init)!.container.command.join(' ');
    expect(script).toMatch(/requirepass/);
    if (overlay === 'ha') expect(script).toMatch(/masterauth[\s\S]*sentinel auth-pass[\s\S]*requirepass/);
  });
});
