/**
 * OAuth access tokens for Vertex AI, through Google's official auth library
 * (`google-auth-library`): a service-account key (file or JSON), or Application Default
 * Credentials (GOOGLE_APPLICATION_CREDENTIALS, workload identity, the metadata server). The
 * library caches and refreshes tokens; it is imported when a Vertex provider makes its first call.
 */
import { LlmError } from '../../errors.js';

/** The OAuth scope Vertex AI requires. */
export const VERTEX_SCOPE = 'https://www.googleapis.com/auth/cloud-platform';

/** Where the credentials come from. */
export interface GoogleCredentialOptions {
  /** A service-account key as JSON text (e.g. from `${GOOGLE_SERVICE_ACCOUNT_JSON}`). */
  credentialsJson?: string;
  /** Path of a service-account key file. */
  keyFile?: string;
}

type Auth = { getAccessToken(): Promise<string | null | undefined> };

/** Hands out a valid access token for each call. */
export class GoogleTokenSource {
  private auth: Promise<Auth> | undefined;

  constructor(private readonly options: GoogleCredentialOptions = {}) {}

  /** A bearer token (cached by the library until shortly before it expires). */
  async token(): Promise<string> {
    try {
      const auth = await (this.auth ??= this.createAuth());
      const token = await auth.getAccessToken();
      if (typeof token !== 'string' || token === '') throw new Error('the credentials produced no access token');
      return token;
    } catch (err) {
      this.auth = undefined;
      throw new LlmError('auth', `Vertex AI credentials failed: ${safeMessage(err)}`);
    }
  }

  private async createAuth(): Promise<Auth> {
    const { GoogleAuth } = await import('google-auth-library');
    if (this.options.credentialsJson !== undefined) {
      let credentials: Record<string, unknown>;
      try {
        credentials = JSON.parse(this.options.credentialsJson) as Record<string, unknown>;
      } catch {
        throw new Error('credentialsJson is not valid JSON');
      }
      return new GoogleAuth({ credentials, scopes: [VERTEX_SCOPE] });
    }
    if (this.options.keyFile !== undefined) return new GoogleAuth({ keyFile: this.options.keyFile, scopes: [VERTEX_SCOPE] });
    return new GoogleAuth({ scopes: [VERTEX_SCOPE] });
  }
}

/** The library's error message without anything key-like (a private key never belongs in a log). */
function safeMessage(err: unknown): string {
  const text = err instanceof Error ? err.message : String(err);
  return text.replace(/-----BEGIN [A-Z ]+-----[\s\S]*?-----END [A-Z ]+-----/g, '[redacted key]').slice(0, 300);
}
