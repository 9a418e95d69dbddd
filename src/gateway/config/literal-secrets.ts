import { CREDENTIAL_HEADER } from '../secrets/config-secrets.js';
import type { ConfigProblem } from './problems.js';
import { formatPath } from './problems.js';

type Raw = Record<string, unknown>;
const isObject = (v: unknown): v is Raw => v !== null && typeof v === 'object' && !Array.isArray(v);
const REFERENCE = /\$\{[A-Za-z_][A-Za-z0-9_]*(?::-[^}]*)?\}/;

const FALLBACK = /\$\{[A-Za-z_][A-Za-z0-9_]*:-[^}]+\}/;
/**
 * True when a secret field is written as it must be: empty (none), or holding a `${VAR}`
 * reference whose fallback, if any, is empty (`${VAR:-}`): `${VAR:-sk-live-…}` is a literal too.
 */
const referenced = (value: string) => value === '' || (REFERENCE.test(value) && !FALLBACK.test(value));

/** The password part of a URL's user info, as written (`redis://user:pw@host`), or undefined. */
function urlPassword(text: string): string | undefined {
  const authority = /^[a-z][a-z0-9+.-]*:\/\/([^/?#]*)/i.exec(text)?.[1] ?? '';
  const at = authority.lastIndexOf('@');
  if (at < 0) return undefined;
  const colon = authority.indexOf(':');
  return colon >= 0 && colon < at ? authority.slice(colon + 1, at) : undefined;
}

/**
 * Secrets written into the file itself, on the config as written (before `${VAR}` substitution):
 * provider keys and credential headers, cloud credentials, alert sink tokens, Redis passwords
 * (also inside a URL). Each must come from the environment (`${VAR}`), so the file can be
 * committed, shown and shipped as a ConfigMap. The literal is never repeated in the message.
 */
export function literalSecrets(raw: unknown): ConfigProblem[] {
  const problems: ConfigProblem[] = [];
  if (!isObject(raw)) return problems;
  const need = (path: PropertyKey[], value: unknown, example: string) => {
    if (typeof value === 'string' && !referenced(value)) {
      problems.push({ path: formatPath(path), message: `must be an environment reference such as "\${${example}}" (secrets never live in the config file), got a literal value` });
    }
  };
  const headers = (path: PropertyKey[], value: unknown) => {
    if (!isObject(value)) return;
    for (const [name, header] of Object.entries(value)) if (CREDENTIAL_HEADER.test(name)) need([...path, name], header, 'UPSTREAM_TOKEN');
  };
  const urlWithPassword = (path: PropertyKey[], value: unknown, example: string) => {
    const password = typeof value === 'string' ? urlPassword(value) : undefined;
    if (password && !REFERENCE.test(password)) problems.push({ path: formatPath(path), message: `must not hold a literal password (write the URL as "\${${example}}", or the password as a reference), got a URL with one` });
  };

  for (const [name, provider] of Object.entries(isObject(raw.providers) ? raw.providers : {})) {
    if (!isObject(provider)) continue;
    const at = ['providers', name];
    need([...at, 'apiKey'], provider.apiKey, 'OPENAI_API_KEY');
    headers([...at, 'headers'], provider.headers);
    if (isObject(provider.googleCredentials)) need([...at, 'googleCredentials', 'serviceAccountJson'], provider.googleCredentials.serviceAccountJson, 'GOOGLE_SERVICE_ACCOUNT_JSON');
    if (isObject(provider.awsCredentials)) {
      need([...at, 'awsCredentials', 'secretAccessKey'], provider.awsCredentials.secretAccessKey, 'AWS_SECRET_ACCESS_KEY');
      need([...at, 'awsCredentials', 'sessionToken'], provider.awsCredentials.sessionToken, 'AWS_SESSION_TOKEN');
    }
  }
  if (isObject(raw.tracing)) headers(['tracing', 'headers'], raw.tracing.headers);
  if (isObject(raw.metricsExport)) headers(['metricsExport', 'headers'], raw.metricsExport.headers);
  const sinks = isObject(raw.alerts) && Array.isArray(raw.alerts.sinks) ? raw.alerts.sinks : [];
  sinks.forEach((sink: unknown, i) => {
    if (!isObject(sink)) return;
    // A Slack incoming-webhook URL is the token itself.
    if (sink.type === 'slack') need(['alerts', 'sinks', i, 'url'], sink.url, 'SLACK_WEBHOOK_URL');
    else urlWithPassword(['alerts', 'sinks', i, 'url'], sink.url, 'ALERT_WEBHOOK_URL');
    headers(['alerts', 'sinks', i, 'headers'], sink.headers);
  });
  const redis = isObject(raw.state) && isObject(raw.state.redis) ? raw.state.redis : undefined;
  if (redis) {
    need(['state', 'redis', 'password'], redis.password, 'REDIS_PASSWORD');
    urlWithPassword(['state', 'redis', 'url'], redis.url, 'REDIS_URL');
    if (isObject(redis.sentinel)) need(['state', 'redis', 'sentinel', 'password'], redis.sentinel.password, 'REDIS_SENTINEL_PASSWORD');
  }
  return problems;
}
