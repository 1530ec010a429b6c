import type { Storage } from '@pond/storage';
import { createApiKeys } from './access/api-keys.ts';
import { createAuth } from './access/auth.ts';
import { createPrincipals } from './access/principals.ts';
import { createSetup } from './access/setup.ts';
import { createUsers } from './access/users.ts';
import { createAuditLog } from './audit/audit-log.ts';
import { createCustomers } from './customers/customers.ts';
import { createTimeline } from './customers/timeline.ts';
import { createOrgUnits } from './org/org-units.ts';
import { createStaff } from './org/staff.ts';
import { createPlatform } from './platform/platform.ts';
import type { Clock } from './shared/clock.ts';

export interface ServiceDeps {
  readonly storage: Storage;
  readonly clock: Clock;
  /** The one-time first-run token; null once a brand exists or when setup is closed. */
  readonly setupToken?: string | null;
}

/** Builds every domain service from its dependencies; no hidden wiring. */
export function createServices({ storage, clock, setupToken = null }: ServiceDeps) {
  const platform = createPlatform(storage, clock);
  const audit = createAuditLog(storage.db, clock);
  const auth = createAuth(platform, audit);
  const customers = createCustomers(platform, audit);
  return {
    platform,
    audit,
    auth,
    principals: createPrincipals(storage.db, clock),
    setup: createSetup(platform, audit, auth, setupToken),
    orgUnits: createOrgUnits(platform, audit),
    staff: createStaff(platform, audit),
    users: createUsers(platform, audit),
    apiKeys: createApiKeys(platform, audit),
    customers,
    timeline: createTimeline(platform, customers),
  };
}

export type Services = ReturnType<typeof createServices>;
