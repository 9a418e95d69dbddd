import { z } from 'zod';

/**
 * `tenants:` — per-tenant quotas, keyed by the `tenant` of `auth.keys` (`default` when the
 * gateway has no keys). Each is enforced across every replica through the shared state (Redis
 * with several replicas); a request over one gets 429 with `Retry-After` in its API's format.
 * A tenant without an entry has no quota (and pays nothing for the check).
 *
 * @example tenants: { acme: { maxConcurrent: 20, tpm: 200000, tokensPerDay: 5000000 } }
 */
export const tenantQuotaSchema = z.strictObject({
  maxConcurrent: z.int().min(1).optional().meta({ description: 'Requests of this tenant running at once, across replicas.' }),
  tpm: z.int().min(1).optional().meta({ description: 'Tokens (input + output) per sliding minute; a request is refused while the last minute reached it.' }),
  tokensPerDay: z.int().min(1).optional().meta({ description: 'Tokens (input + output) per UTC day; refused until midnight UTC once reached.' }),
});

export const tenantsSchema = z.record(z.string().min(1).max(200), tenantQuotaSchema).default({});

export type TenantQuotaConfig = z.output<typeof tenantQuotaSchema>;
