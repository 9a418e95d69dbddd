/**
 * The runtime control API of the mock provider, under `/_mock/`:
 *
 * | method + path | does |
 * |---|---|
 * | `GET /_mock/profile` | the current profile (JSON) |
 * | `PUT /_mock/profile` | replace it: a profile object, `{"preset":"down"}` or `"down"` |
 * | `PATCH /_mock/profile` | merge `{default?, models?, deployments?}` (`null` removes an override) |
 * | `GET /_mock/presets` | the preset names |
 * | `GET /_mock/stats` | request counters ({@link MockStats}) |
 * | `POST /_mock/stats/reset` | zero the counters |
 * | `POST /_mock/reset` | startup profile, re-seeded randomness, zeroed counters |
 *
 * Invalid profiles get 400 `{"error":{"message","issues":[...]}}` naming each bad field.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { MOCK_PRESETS } from './presets.js';
import { MockProfileError, type MockProfile } from './profile.js';
import type { MockStats } from './stats.js';

/** Path prefix of the control API. */
export const CONTROL_PREFIX = '/_mock/';

/** Largest control-API body accepted (bytes); a bigger one gets 400 and the connection is closed. */
export const MOCK_CONTROL_MAX_BODY_BYTES = 1024 * 1024;

/** What the control API drives. */
export interface MockControlTarget {
  profile(): MockProfile;
  setProfile(input: unknown): MockProfile;
  patchProfile(patch: unknown): MockProfile;
  stats(): MockStats;
  resetStats(): void;
  reset(): void;
}

function send(res: ServerResponse, status: number, value: unknown): void {
  const body = JSON.stringify(value);
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) });
  res.end(body);
}

/** Answers `{"error":{"message"}}` with `status` (the control API's error shape). */
export function sendControlError(res: ServerResponse, status: number, message: string): void {
  send(res, status, { error: { message } });
}

function withJsonBody(req: IncomingMessage, res: ServerResponse, use: (body: unknown) => void): void {
  const chunks: Buffer[] = [];
  let size = 0;
  req.on('data', (chunk: Buffer) => {
    if (res.headersSent) return;
    size += chunk.length;
    if (size > MOCK_CONTROL_MAX_BODY_BYTES) {
      chunks.length = 0;
      res.setHeader('connection', 'close');
      sendControlError(res, 400, `The body is larger than ${MOCK_CONTROL_MAX_BODY_BYTES} bytes.`);
      return;
    }
    chunks.push(chunk);
  });
  req.on('end', () => {
    if (res.headersSent) return;
    let body: unknown;
    try {
      body = JSON.parse(Buffer.concat(chunks).toString('utf8'));
    } catch {
      return send(res, 400, { error: { message: 'The body must be JSON: a profile, {"preset": name} or a preset name in quotes.' } });
    }
    try {
      use(body);
    } catch (error) {
      if (error instanceof MockProfileError) return send(res, 400, { error: { message: error.message, issues: error.issues } });
      // Anything else is a bug in the mock: answer it rather than crash the process from an event handler.
      sendControlError(res, 500, (error as Error).message);
    }
  });
}

/** Handles one `/_mock/*` request. */
export function handleControl(target: MockControlTarget, req: IncomingMessage, res: ServerResponse, path: string): void {
  const route = `${req.method} ${path}`;
  switch (route) {
    case 'GET /_mock/profile':
      return send(res, 200, target.profile());
    case 'PUT /_mock/profile':
      return withJsonBody(req, res, (body) => send(res, 200, target.setProfile(body)));
    case 'PATCH /_mock/profile':
      return withJsonBody(req, res, (body) => send(res, 200, target.patchProfile(body)));
    case 'GET /_mock/presets':
      return send(res, 200, { presets: Object.keys(MOCK_PRESETS) });
    case 'GET /_mock/stats':
      return send(res, 200, target.stats());
    case 'POST /_mock/stats/reset':
      target.resetStats();
      return send(res, 200, target.stats());
    case 'POST /_mock/reset':
      target.reset();
      return send(res, 200, { profile: target.profile(), stats: target.stats() });
    default:
      return send(res, 404, { error: { message: `No control route ${route}` } });
  }
}
