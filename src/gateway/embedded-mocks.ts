import { startMockProvider, type MockProvider } from '../chaos/mock/index.js';
import type { GatewayConfig } from './config/schema.js';
import type { MockUrlResolver } from './config/to-router-config.js';

/**
 * The embedded mock providers (`mocks:` in the config), started in the gateway's own process on
 * ephemeral loopback ports. They let `npm start` answer with no provider keys at all.
 */
export class EmbeddedMocks {
  private readonly running = new Map<string, MockProvider>();

  /** Starts the mocks the config names and not yet running; updates the profile of the others. */
  async sync(config: GatewayConfig): Promise<void> {
    for (const [name, spec] of Object.entries(config.mocks)) {
      const existing = this.running.get(name);
      if (existing) {
        existing.setProfile(spec.profile ?? 'healthy');
        continue;
      }
      const mock = await startMockProvider({ profile: (spec.profile ?? 'healthy') as never, seed: spec.seed });
      this.running.set(name, mock);
    }
  }

  /** The running mock called `name`. */
  get(name: string): MockProvider | undefined {
    return this.running.get(name);
  }

  /** Resolves provider base URLs to the running mocks (OpenAI base ends in `/v1`; the others are the mock's root). */
  readonly resolve: MockUrlResolver = (name, deployment, dialect) => {
    const mock = this.running.get(name);
    if (!mock) throw new Error(`embedded mock '${name}' is not running`);
    const base = deployment ? mock.deploymentUrl(deployment) : mock.url;
    return dialect === 'openai' ? `${base}/v1` : base;
  };

  async close(): Promise<void> {
    await Promise.all([...this.running.values()].map((m) => m.close()));
    this.running.clear();
  }
}
