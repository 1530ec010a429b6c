import type { Trx } from '@pond/storage';
import type { Clock } from '../shared/clock.ts';
import { newId } from '../shared/ids.ts';

export interface NewTenant {
  readonly id: string;
  readonly name: string;
  readonly slug: string;
  readonly rootUnitId: string;
}

function slugify(name: string): string {
  const ascii = name
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-|-$/g, '');
  return ascii.length >= 2 ? ascii.slice(0, 40) : 'brand';
}

/** Creates a tenant (a brand) with its head-office unit, the root of its org tree. */
export async function createTenant(
  trx: Trx,
  clock: Clock,
  input: { name: string; slug?: string },
): Promise<NewTenant> {
  const now = clock.now();
  const id = newId('tn', now);
  const base = input.slug ?? slugify(input.name);
  let slug = base;
  for (
    let i = 2;
    await trx.selectFrom('tenants').select('id').where('slug', '=', slug).executeTakeFirst();
    i++
  ) {
    slug = `${base}-${i}`;
  }
  await trx
    .insertInto('tenants')
    .values({ id, name: input.name, slug, created_at: now, updated_at: now })
    .execute();
  const rootUnitId = newId('ou', now);
  await trx
    .insertInto('org_units')
    .values({
      id: rootUnitId,
      tenant_id: id,
      parent_id: null,
      name: input.name,
      kind: 'hq',
      code: 'HQ',
      path: `/${rootUnitId}/`,
      depth: 0,
      created_at: now,
      updated_at: now,
    })
    .execute();
  return { id, name: input.name, slug, rootUnitId };
}
