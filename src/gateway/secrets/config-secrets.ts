import type { GatewayConfig } from '../config/schema.js';

/** Header names whose values are credentials (custom auth through `headers`). */
export const CREDENTIAL_HEADER = /auth|key|token|secret|cookie|signature/i;
/** Config field names whose string values are secrets, wherever they appear. */
export const SECRET_FIELD = /^(api[-_]?key|password|pass|secret|token|credentials?|private[-_]?key|client[-_]?secret|secret[-_]?access[-_]?key|session[-_]?token|service[-_]?account[-_]?json)$/i;
/** Config fields holding URLs that may embed credentials (user:password@, Slack webhook paths). */
const URL_FIELD = /^(url|webhookUrl)$/;
const MAX_DEPTH = 10;

/**
 * Every secret a config holds, for the {@link SecretRedactor}: values of secret-named fields at
 * any depth (provider `apiKey`s, passwords, tokens), credential-named header values (with and
 * without a `Bearer ` prefix), and URLs that embed credentials (`redis://:pw@host` gives the
 * password and the whole URL; webhook URLs are secrets in themselves).
 */
export function secretsOfConfig(config: GatewayConfig): string[] {
  const secrets = new Set<string>();
  collect(config, '', 0, secrets);
  return [...secrets];
}

function collect(value: unknown, key: string, depth: number, out: Set<string>): void {
  if (depth > MAX_DEPTH || value === null || value === undefined) return;
  if (typeof value === 'string') {
    if (SECRET_FIELD.test(key)) out.add(value);
    if (key === 'serviceAccountJson') addServiceAccountSecrets(value, out);
    if (URL_FIELD.test(key)) addUrlSecrets(value, out);
    return;
  }
  if (typeof value !== 'object') return;
  if (Array.isArray(value)) {
    for (const item of value) collect(item, key, depth + 1, out);
    return;
  }
  for (const [name, item] of Object.entries(value as Record<string, unknown>)) {
    if (name === 'headers' && item !== null && typeof item === 'object') {
      for (const [header, headerValue] of Object.entries(item as Record<string, unknown>)) {
        if (typeof headerValue !== 'string' || !CREDENTIAL_HEADER.test(header)) continue;
        out.add(headerValue);
        out.add(headerValue.replace(/^(bearer|basic|token)\s+/i, ''));
      }
      continue;
    }
    collect(item, name, depth + 1, out);
  }
}

function addUrlSecrets(text: string, out: Set<string>): void {
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    return;
  }
  if (url.password !== '') {
    out.add(url.password);
    out.add(decodeURIComponent(url.password));
    out.add(text);
  }
  // Webhook URLs (Slack's /services/T…/B…/token) are bearer secrets: the path is the credential.
  if ((url.protocol === 'https:' || url.protocol === 'http:') && url.pathname.length > 1) out.add(text);
}

/** A Google service-account key's private key and key id, each a secret on its own (an error may quote one). */
function addServiceAccountSecrets(text: string, out: Set<string>): void {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    return;
  }
  if (parsed === null || typeof parsed !== 'object') return;
  for (const field of ['private_key', 'private_key_id']) {
    const value = (parsed as Record<string, unknown>)[field];
    if (typeof value === 'string' && value !== '') out.add(value);
  }
}
