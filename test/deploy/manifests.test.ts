import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseAllDocuments } from 'yaml';
import { Deployment } from 'kubernetes-models/apps/v1';
import { HorizontalPodAutoscaler } from 'kubernetes-models/autoscaling/v2';
import { PodDisruptionBudget } from 'kubernetes-models/policy/v1';
import { ConfigMap, Secret, Service } from 'kubernetes-models/v1';

// No cluster and no Docker engine here: the manifests are validated against the Kubernetes API
// schemas shipped in kubernetes-models, then checked for the wiring that schemas cannot see.
const DIR = join(import.meta.dirname, '../../deploy/kubernetes');

type Manifest = { apiVersion: string; kind: string; metadata: { name: string }; [key: string]: any };

const MODELS: Record<string, new (data: any) => { validate(): void }> = {
  'apps/v1/Deployment': Deployment,
  'autoscaling/v2/HorizontalPodAutoscaler': HorizontalPodAutoscaler,
  'policy/v1/PodDisruptionBudget': PodDisruptionBudget,
  'v1/ConfigMap': ConfigMap,
  'v1/Secret': Secret,
  'v1/Service': Service,
};

function loadManifests(): Array<{ file: string; doc: Manifest }> {
  return readdirSync(DIR)
    .filter((f) => f.endsWith('.yaml') && f !== 'kustomization.yaml')
    .flatMap((file) =>
      parseAllDocuments(readFileSync(join(DIR, file), 'utf8')).map((d) => {
        expect(d.errors, `${file} YAML errors`).toEqual([]);
        return { file, doc: d.toJSON() as Manifest };
      }),
    );
}

const manifests = loadManifests();
const find = (kind: string, name: string) => {
  const found = manifests.find((m) => m.doc.kind === kind && m.doc.metadata.name === name);
  if (!found) throw new Error(`no ${kind} ${name}`);
  return found.doc;
};

describe('Kubernetes manifests', () => {
  it.each(manifests.map((m) => [`${m.file}: ${m.doc.kind}/${m.doc.metadata.name}`, m.doc] as const))(
    '%s is valid against the Kubernetes API schema',
    (_label, doc) => {
      const Model = MODELS[`${doc.apiVersion}/${doc.kind}`];
      expect(Model, `no schema for ${doc.apiVersion} ${doc.kind}`).toBeDefined();
      expect(() => new Model(doc).validate()).not.toThrow();
    },
  );

  it('the schema validation rejects a broken manifest (the check can fail)', () => {
    const broken = structuredClone(find('Deployment', 'bulwark'));
    broken.spec.template.spec.containers[0].ports[0].containerPort = 'four thousand';
    expect(() => new Deployment(broken).validate()).toThrow(/containerPort/);
  });

  it('kustomization lists every manifest file', () => {
    const kustomization = parseAllDocuments(readFileSync(join(DIR, 'kustomization.yaml'), 'utf8'))[0].toJSON();
    const files = readdirSync(DIR).filter((f) => f.endsWith('.yaml') && f !== 'kustomization.yaml').sort();
    expect([...kustomization.resources].sort()).toEqual(files);
  });

  it('the gateway Deployment probes /livez and /readyz, drains with a preStop delay, and runs as non-root', () => {
    const deployment = find('Deployment', 'bulwark');
    const pod = deployment.spec.template.spec;
    const container = pod.containers[0];
    expect(container.startupProbe.httpGet.path).toBe('/livez');
    expect(container.livenessProbe.httpGet.path).toBe('/livez');
    expect(container.readinessProbe.httpGet.path).toBe('/readyz');
    const preStopSeconds = container.lifecycle.preStop.sleep.seconds;
    expect(preStopSeconds).toBeGreaterThan(0);
    expect(pod.terminationGracePeriodSeconds).toBeGreaterThan(preStopSeconds + 25);
    expect(pod.securityContext.runAsNonRoot).toBe(true);
    expect(container.securityContext.allowPrivilegeEscalation).toBe(false);
    expect(container.resources.requests.cpu).toBeDefined(); // CPU autoscaling needs a request
    const podLabels = deployment.spec.template.metadata.labels;
    for (const [key, value] of Object.entries(deployment.spec.selector.matchLabels)) expect(podLabels[key]).toBe(value);
  });

  it('Service, PodDisruptionBudget and HPA point at the gateway pods', () => {
    const labels = find('Deployment', 'bulwark').spec.template.metadata.labels;
    const matches = (selector: Record<string, string>) => Object.entries(selector).every(([k, v]) => labels[k] === v);
    expect(matches(find('Service', 'bulwark').spec.selector)).toBe(true);
    expect(matches(find('PodDisruptionBudget', 'bulwark').spec.selector.matchLabels)).toBe(true);
    const hpa = find('HorizontalPodAutoscaler', 'bulwark');
    expect(hpa.spec.scaleTargetRef).toMatchObject({ kind: 'Deployment', name: 'bulwark' });
    const metricKinds = hpa.spec.metrics.map((m: any) => (m.type === 'Resource' ? m.resource.name : m.pods.metric.name));
    expect(metricKinds).toEqual(['cpu', 'bulwark_inflight_requests']);
  });

  it('every secret the gateway reads exists in the Secret, and the Redis URL targets the Redis Service', () => {
    const secret = find('Secret', 'bulwark-secrets');
    const env = find('Deployment', 'bulwark').spec.template.spec.containers[0].env;
    for (const variable of env) expect(secret.stringData).toHaveProperty(variable.valueFrom.secretKeyRef.key);
    const redisService = find('Service', 'bulwark-redis');
    expect(secret.stringData['redis-url']).toBe(`redis://${redisService.metadata.name}:${redisService.spec.ports[0].port}`);
  });
});

describe('Dockerfile', () => {
  const dockerfile = readFileSync(join(import.meta.dirname, '../../Dockerfile'), 'utf8');
  const instructions = dockerfile.split('\n').filter((l) => l.trim() && !l.trim().startsWith('#'));

  it('is multi-stage and installs production dependencies from the lock', () => {
    expect(instructions.filter((l) => l.startsWith('FROM ')).length).toBeGreaterThanOrEqual(2);
    expect(dockerfile).toMatch(/npm ci --omit=dev/);
  });

  it('pins its base images and runs the final stage as a non-root user', () => {
    for (const from of instructions.filter((l) => l.startsWith('FROM '))) expect(from).not.toMatch(/:latest\b|^FROM [^:]+ AS/);
    const lastFrom = instructions.map((l, i) => (l.startsWith('FROM ') ? i : -1)).filter((i) => i >= 0).pop()!;
    const user = instructions.slice(lastFrom).find((l) => l.startsWith('USER '));
    expect(user).toBeDefined();
    expect(user).not.toMatch(/USER (root|0)\b/);
  });

  it('copies every folder the gateway needs at run time', () => {
    for (const folder of ['bin', 'src', 'config']) expect(dockerfile).toMatch(new RegExp(`COPY .*\\b${folder}\\b`));
  });
});
