/**
 * The `authorization` header for Vertex AI calls, through Google's official auth library
 * (`google-auth-library`): a service-account key (JSON or file), or Application Default
 * Credentials (GOOGLE_APPLICATION_CREDENTIALS, workload identity, the metadata server). A
 * service account signs its own scoped JWT (Google's "self-signed JWT", no token exchange
 * round trip); other credentials get an OAuth access token, which the library caches and
 * refreshes. The library is imported when a Vertex provider makes its first call.
 */
import { LlmError } from '../../errors.js';

/** The OAuth scope Vertex AI requires. */
export const VERTEX_SCOPE = 'https://www.googleapis.com/auth/cloud-platform';

/** Where the credentials come from. */
export interface GoogleCredentialOptions {
  /** A service-account key as JSON text (e.g. from `${GOOGLE_SERVICE_ACCOUNT_JSON}`). */
  serviceAccountJson?: string;
  /** Path of a service-account key file. */
  keyFile?: string;
}

type AuthClient = {
  useJWTAccessWithScope?: boolean;
  getRequestHeaders(url?: string): Promise<Headers | Record<string, string>>;
};

/** Hands out the `authorization` header value for each call. */
export class GoogleTokenSource {
  private client: Promise<AuthClient> | undefined;

  constructor(private readonly options: GoogleCredentialOptions = {}) {}

  /** `Bearer …` for a call to `url`. Throws `LlmError('auth')` naming what failed (never a key). */
  async authorization(url: string): Promise<string> {
    try {
      const client = await (this.client ??= this.createClient());
      const headers = await client.getRequestHeaders(url);
      const value = headers instanceof Headers ? headers.get('authorization') : headers.authorization ?? headers.Authorization;
      if (typeof value !== 'string' || value === '') throw new Error('the credentials produced no authorization');
      return value;
    } catch (err) {
      this.client = undefined;
      throw new LlmError('auth', `Vertex AI credentials failed: ${safeMessage(err)}`);
    }
  }

  private async createClient(): Promise<AuthClient> {
    const { GoogleAuth } = await import('google-auth-library');
    let auth;
    if (this.options.serviceAccountJson !== undefined) {
      let credentials: Record<string, unknown>;
      try {
        credentials = JSON.parse(this.options.serviceAccountJson) as Record<string, unknown>;
      } catch {
        throw new Error('serviceAccountJson is not valid JSON');
      }
      auth = new GoogleAuth({ credentials, scopes: [VERTEX_SCOPE] });
    } else if (this.options.keyFile !== undefined) {
      auth = new GoogleAuth({ keyFile: this.options.keyFile, scopes: [VERTEX_SCOPE] });
    } else {
      auth = new GoogleAuth({ scopes: [VERTEX_SCOPE] });
    }
    const client = (await auth.getClient()) as unknown as AuthClient;
    // A service account signs a scoped JWT itself instead of exchanging one for a token.
    if ('useJWTAccessWithScope' in client) client.useJWTAccessWithScope = true;
    return client;
  }
}

/** The library's error message without anything key-like (a private key never belongs in a log). */
function safeMessage(err: unknown): string {
  const text = err instanceof Error ? err.message : String(err);
  return text.replace(/-----BEGIN [A-Z ]+-----[\s\S]*?-----END [A-Z ]+-----/g, '[redacted key]').slice(0, 300);
}
