import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { parseAllDocuments } from 'yaml';

/** The repository's deploy/kubernetes directory. */
export const KUBERNETES_DIR = join(import.meta.dirname, '../../deploy/kubernetes');
/** Every overlay we ship. */
export const OVERLAYS = ['single', 'ha'] as const;
export type Overlay = (typeof OVERLAYS)[number];

export type Manifest = { apiVersion: string; kind: string; metadata: { name: string; labels?: Record<string, string> }; [key: string]: any };

/**
 * Renders an overlay with kustomize itself (`kubectl kustomize`, or a standalone `kustomize
 * build`): what `kubectl apply -k` would send, ConfigMap hashes and components included.
 */
export function render(overlay: Overlay): Manifest[] {
  const dir = join(KUBERNETES_DIR, 'overlays', overlay);
  const text = kustomize(dir);
  return parseAllDocuments(text).map((d) => {
    if (d.errors.length > 0) throw new Error(`${overlay}: ${d.errors[0]?.message}`);
    return d.toJSON() as Manifest;
  });
}

function kustomize(dir: string): string {
  const attempts: Array<[string, string[]]> = [['kubectl', ['kustomize', dir]], ['kustomize', ['build', dir]]];
  const failures: string[] = [];
  for (const [command, args] of attempts) {
    try {
      return execFileSync(command, args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], timeout: 60_000 });
    } catch (error) {
      const e = error as NodeJS.ErrnoException & { stderr?: string };
      if (e.code === 'ENOENT') {
        failures.push(`${command}: not installed`);
        continue;
      }
      throw new Error(`${command} ${args.join(' ')} failed:\n${e.stderr ?? e.message}`);
    }
  }
  throw new Error(`rendering the overlays needs kustomize (kubectl kustomize or kustomize build): ${failures.join('; ')}`);
}

/** The one manifest of `kind` named `name` (ConfigMaps: the generated name starts with it). */
export function find(manifests: Manifest[], kind: string, name: string): Manifest {
  const found = manifests.find((m) => m.kind === kind && (m.metadata.name === name || (kind === 'ConfigMap' && m.metadata.name.startsWith(`${name}-`))));
  if (!found) throw new Error(`no ${kind} ${name}`);
  return found;
}

/** Every container (init containers too) of every workload. */
export function containersOf(manifests: Manifest[]): Array<{ workload: string; container: any; pod: any; init: boolean }> {
  return manifests
    .filter((m) => m.kind === 'Deployment' || m.kind === 'StatefulSet')
    .flatMap((m) => {
      const pod = m.spec.template.spec;
      return [
        ...(pod.initContainers ?? []).map((c: any) => ({ workload: m.metadata.name, container: c, pod, init: true })),
        ...pod.containers.map((c: any) => ({ workload: m.metadata.name, container: c, pod, init: false })),
      ];
    });
}

/** The environment a container gets: its env vars resolved from the Secret (fieldRefs as given). */
export function containerEnv(manifests: Manifest[], container: any, fields: Record<string, string> = {}): Record<string, string> {
  const secret = find(manifests, 'Secret', 'bulwark-secrets');
  const env: Record<string, string> = {};
  for (const variable of container.env ?? []) {
    if (variable.valueFrom?.secretKeyRef) env[variable.name] = secret.stringData[variable.valueFrom.secretKeyRef.key];
    else if (variable.valueFrom?.fieldRef) env[variable.name] = fields[variable.valueFrom.fieldRef.fieldPath] ?? '';
    else env[variable.name] = variable.value;
  }
  return env;
}
