import {
  createServices,
  createTenant,
  hashPassword,
  newId,
  randomToken,
  systemClock,
  userPrincipal,
} from '@pond/core';
import { loadConfig } from '@pond/server';
import { loadDemo } from '@pond/server/demo';
import { migrateToLatest, openStorage } from '@pond/storage';
import { DEMO_FULL, DEMO_SMALL } from '@pond/testing';

/**
 * `pond demo`: loads the demo brand. On an empty database it creates the brand and an owner
 * account first and prints how to sign in; with one existing brand and no customers, it loads
 * into that brand.
 */
export async function demoCommand(options: { small: boolean; out: (t: string) => void }): Promise<number> {
  const storage = await openStorage(loadConfig().storage.url);
  try {
    await migrateToLatest(storage);
    const services = createServices({ storage, clock: systemClock });
    const db = storage.db;
    const tenants = await db.selectFrom('tenants').select(['id', 'name']).execute();
    let credentials: string | null = null;
    if (tenants.length === 0) {
      const password = randomToken(9);
      const now = Date.now();
      const tenant = await db
        .transaction()
        .execute((trx) => createTenant(trx, systemClock, { name: 'Pond Demo 示范品牌' }));
      await db
        .insertInto('users')
        .values({
          id: newId('usr', now),
          tenant_id: tenant.id,
          name: '示范所有者',
          email: 'demo@pond.local',
          mobile: null,
          password_hash: await hashPassword(password),
          role: 'owner',
          scope_unit_id: tenant.rootUnitId,
          staff_id: null,
          status: 'active',
          locale: 'zh-CN',
          last_sign_in_at: null,
          password_changed_at: now,
          created_at: now,
          updated_at: now,
        })
        .execute();
      credentials = `sign in as demo@pond.local with password ${password}`;
    } else if (tenants.length > 1) {
      options.out(
        'this database holds several brands; load the demo from the console of the brand you want\n',
      );
      return 2;
    }
    const owner = await db
      .selectFrom('users')
      .innerJoin('org_units', 'org_units.id', 'users.scope_unit_id')
      .selectAll('users')
      .select('org_units.path')
      .where('users.role', '=', 'owner')
      .executeTakeFirstOrThrow();
    const ctx = { principal: userPrincipal(owner, owner.path), requestId: null, ip: null };
    const started = Date.now();
    let lastReport = 0;
    const r = await loadDemo(services, ctx, {
      scale: options.small ? DEMO_SMALL : DEMO_FULL,
      onProgress: (p) => {
        if (Date.now() - lastReport < 2000) return;
        lastReport = Date.now();
        options.out(`  ${p.customers} customers, ${p.events} events…\n`);
      },
    });
    if (!r.ok) {
      options.out(`${r.error.message}\n`);
      return 1;
    }
    const seconds = ((Date.now() - started) / 1000).toFixed(1);
    options.out(
      `Loaded the demo brand: ${r.value.customers} customers and ${r.value.events} events in ${seconds} s.\n`,
    );
    if (credentials) options.out(`Start Pond (npm start) and ${credentials}\n`);
    return 0;
  } finally {
    await storage.close();
  }
}
