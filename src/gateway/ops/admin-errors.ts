import { BulwarkError } from '../../core/errors.js';

/** An admin action named a deployment id the current router does not have. */
export class UnknownDeploymentError extends BulwarkError {
  constructor(readonly deploymentId: string) {
    super('BULWARK_ERR_UNKNOWN_DEPLOYMENT', 404, `No deployment ${JSON.stringify(deploymentId.slice(0, 120))}`);
  }
}

/** An admin path that names no action (`POST /admin/deployments/:id/<action>`). */
export class UnknownAdminActionError extends BulwarkError {
  constructor(action: string, allowed: readonly string[]) {
    super('BULWARK_ERR_UNKNOWN_ADMIN_ACTION', 404, `No admin action ${JSON.stringify(action.slice(0, 40))} (actions: ${allowed.join(', ')})`);
  }
}

/** The dashboard needs a sign-in (admin key configured, no valid session). */
export class DashboardSignInError extends BulwarkError {
  constructor() {
    super('BULWARK_ERR_DASHBOARD_SIGN_IN', 401, 'Sign in to the dashboard first (GET /dashboard) or send the admin key');
  }
}
