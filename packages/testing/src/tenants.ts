import type { Role } from '@pond/contracts';
import { type Ctx, createTenant, hashPassword, newId, type Services, userPrincipal } from '@pond/core';

export const TEST_PASSWORD = 'correct horse battery';

let passwordHash: Promise<string> | null = null;

export interface TestTenant {
  readonly tenantId: string;
  readonly rootUnitId: string;
  /** A context acting as the brand's owner. */
  readonly owner: Ctx;
  readonly ownerEmail: string;
}

/** A fresh brand with its head office and an owner, so each test works on its own data. */
export async function makeTenant(services: Services, name = 'Test Brand'): Promise<TestTenant> {
  const { platform } = services;
  const tenant = await platform.db
    .transaction()
    .execute((trx) => createTenant(trx, platform.clock, { name }));
  const owner = await addUser(services, tenant.id, tenant.rootUnitId, 'owner');
  return { tenantId: tenant.id, rootUnitId: tenant.rootUnitId, owner: owner.ctx, ownerEmail: owner.email };
}

/** Adds a console user with a role and scope, and returns a context acting as them. */
export async function addUser(services: Services, tenantId: string, scopeUnitId: string, role: Role) {
  passwordHash ??= hashPassword(TEST_PASSWORD);
  const now = services.platform.clock.now();
  const id = newId('usr', now);
  const email = `${id}@example.test`;
  const row = {
    id,
    tenant_id: tenantId,
    name: `${role} ${id.slice(-4)}`,
    email,
    mobile: null,
    password_hash: await passwordHash,
    role,
    scope_unit_id: scopeUnitId,
    staff_id: null,
    status: 'active' as const,
    locale: 'zh-CN',
    last_sign_in_at: null,
    password_changed_at: now,
    created_at: now,
    updated_at: now,
  };
  await services.platform.db.insertInto('users').values(row).execute();
  const unit = await services.platform.db
    .selectFrom('org_units')
    .select('path')
    .where('id', '=', scopeUnitId)
    .executeTakeFirstOrThrow();
  const ctx: Ctx = { principal: userPrincipal(row, unit.path), requestId: null, ip: null };
  return { id, email, ctx };
}

/** A new event source of the tenant, as ingestion sees it (found by its write key). */
export async function makeSource(services: Services, tenant: TestTenant) {
  const created = await services.sources.create(tenant.owner, { name: 'App' });
  if (!created.ok) throw new Error(created.error.message);
  const source = await services.sources.byWriteKey(created.value.writeKey);
  if (!source) throw new Error('source not found by its write key');
  return source;
}
