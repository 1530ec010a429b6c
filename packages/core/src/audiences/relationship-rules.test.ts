import { randomUUID } from 'node:crypto';
import type { Rule } from '@pond/contracts';
import { makeTenant, must, openTestServices, settle, simulatedClock, testDialects } from '@pond/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Services } from '../services.ts';
import type { Ctx } from '../shared/context.ts';

/**
 * Relationship and "other audience" conditions. The org tree:
 *   HQ ─ East (region) ─ S1, S2 (stores)
 *      └ West (region) ─ S3 (store)
 * Staff: Alice in S1, Bob in East itself, Carol in West.
 * Customers: P (Alice, S1, 活码), Q (Carol, S2, 商城), R (Bob, S3, 活码), S (nobody, no store).
 */
describe.each(testDialects())('relationship and audience conditions on %s', (dialect) => {
  const clock = simulatedClock();
  let services: Services;
  let owner: Ctx;
  let close: () => Promise<void>;
  const id: Record<string, string> = {};

  beforeAll(async () => {
    ({ services, close } = await openTestServices(dialect, clock));
    const t = await makeTenant(services);
    owner = t.owner;
    const unit = async (name: string, parentId: string, kind: 'region' | 'store') =>
      must(await services.orgUnits.create(owner, { parentId, name, kind })).id;
    id.East = await unit('East', t.rootUnitId, 'region');
    id.West = await unit('West', t.rootUnitId, 'region');
    id.S1 = await unit('S1', id.East, 'store');
    id.S2 = await unit('S2', id.East, 'store');
    id.S3 = await unit('S3', id.West, 'store');
    const staff = async (name: string, orgUnitId: string) =>
      must(await services.staff.create(owner, { name, orgUnitId })).id;
    id.Alice = await staff('Alice', id.S1);
    id.Bob = await staff('Bob', id.East);
    id.Carol = await staff('Carol', id.West);
    const customer = async (name: string, fields: Record<string, string>) => {
      id[name] = must(
        await services.customers.create(owner, {
          name,
          ...fields,
          identities: [{ type: 'user_id', value: name }],
        }),
      ).customer.id;
    };
    await customer('P', { ownerStaffId: id.Alice, storeId: id.S1, sourceChannel: '活码' });
    await customer('Q', { ownerStaffId: id.Carol, storeId: id.S2, sourceChannel: '商城' });
    await customer('R', { ownerStaffId: id.Bob, storeId: id.S3, sourceChannel: '活码' });
    await customer('S', {});
    id.Live = must(
      await services.savedAudiences.create(owner, {
        name: '活码客户',
        rule: { kind: 'source_channel', channels: ['活码'] },
        kind: 'dynamic',
      }),
    ).id;
  });
  afterAll(() => close());

  /** Names in the rule (`Alice`, `East`…) stand for their ids. */
  const withIds = (rule: Rule) =>
    JSON.parse(JSON.stringify(rule), (k, v) =>
      ['staffIds', 'storeIds', 'unitIds'].includes(k)
        ? (v as string[]).map((n) => id[n] ?? n)
        : k === 'audienceId'
          ? (id[v as string] ?? v)
          : v,
    ) as Rule;
  const names = async (rule: Rule) =>
    must(await services.audiences.preview(owner, { rule: withIds(rule) }))
      .sample.map((c) => c.name)
      .sort();

  it.each<[string, Rule, string[]]>([
    ['owner is one of', { kind: 'owner_staff', staffIds: ['Alice', 'Bob'] }, ['P', 'R']],
    ['store is one of', { kind: 'store', storeIds: ['S2', 'S3'] }, ['Q', 'R']],
    ['org subtree, owner or store', { kind: 'org_unit', unitIds: ['East'] }, ['P', 'Q', 'R']],
    ['org subtree by owner', { kind: 'org_unit', unitIds: ['East'], via: 'owner' }, ['P', 'R']],
    ['org subtree by store', { kind: 'org_unit', unitIds: ['East'], via: 'store' }, ['P', 'Q']],
    ['another subtree by owner', { kind: 'org_unit', unitIds: ['West'], via: 'owner' }, ['Q']],
    ['a leaf unit', { kind: 'org_unit', unitIds: ['S1'] }, ['P']],
    ['several subtrees', { kind: 'org_unit', unitIds: ['S1', 'S3'], via: 'store' }, ['P', 'R']],
    ['source channel', { kind: 'source_channel', channels: ['活码'] }, ['P', 'R']],
    ['not owned by', { kind: 'not', rule: { kind: 'owner_staff', staffIds: ['Alice'] } }, ['Q', 'R', 'S']],
    ['outside a subtree', { kind: 'not', rule: { kind: 'org_unit', unitIds: ['East'] } }, ['S']],
    ['member of an audience', { kind: 'audience', audienceId: 'Live', match: 'in' }, ['P', 'R']],
    ['not a member', { kind: 'audience', audienceId: 'Live', match: 'not_in' }, ['Q', 'S']],
    [
      'nested',
      {
        kind: 'any',
        rules: [
          {
            kind: 'all',
            rules: [
              { kind: 'audience', audienceId: 'Live', match: 'in' },
              { kind: 'not', rule: { kind: 'org_unit', unitIds: ['West'], via: 'store' } },
            ],
          },
          { kind: 'store', storeIds: ['S2'] },
        ],
      },
      ['P', 'Q'],
    ],
  ])('%s', async (_, rule, expected) => {
    expect(await names(rule)).toEqual(expected);
  });

  it('explains the new conditions with the values that decided them', async () => {
    const explained = must(
      await services.audiences.explain(owner, {
        customerId: id.R ?? '',
        rule: withIds({
          kind: 'all',
          rules: [
            { kind: 'owner_staff', staffIds: ['Alice'] },
            { kind: 'store', storeIds: ['S3'] },
            { kind: 'org_unit', unitIds: ['East'], via: 'store' },
            { kind: 'source_channel', channels: ['活码'] },
            { kind: 'audience', audienceId: 'Live', match: 'in' },
            { kind: 'audience', audienceId: 'Live', match: 'not_in' },
          ],
        }),
      }),
    );
    expect(explained.children?.map((c) => [c.kind, c.held, c.value])).toEqual([
      ['owner_staff', false, id.Bob],
      ['store', true, id.S3],
      ['org_unit', false, { ownerStaffId: id.Bob, ownerUnitId: id.East, storeId: id.S3 }],
      ['source_channel', true, '活码'],
      ['audience', true, clock.now()],
      ['audience', false, clock.now()],
    ]);
    const outsider = must(
      await services.audiences.explain(owner, {
        customerId: id.S ?? '',
        rule: withIds({ kind: 'audience', audienceId: 'Live', match: 'in' }),
      }),
    );
    expect([outsider.held, outsider.value]).toEqual([false, null]);
  });

  it('names the node at fault for unknown, misplaced and foreign ids', async () => {
    const other = await makeTenant(services, 'Other brand');
    const theirUnit = must(
      await services.orgUnits.create(other.owner, { parentId: other.rootUnitId, name: 'X', kind: 'store' }),
    ).id;
    const theirStaff = must(await services.staff.create(other.owner, { name: 'X', orgUnitId: theirUnit })).id;
    const theirAudience = must(
      await services.savedAudiences.create(other.owner, {
        name: 'theirs',
        rule: { kind: 'source_channel', channels: ['x'] },
        kind: 'static',
      }),
    ).id;
    const refused: [Rule, string, string, string][] = [
      [
        { kind: 'all', rules: [{ kind: 'owner_staff', staffIds: ['Alice', 'stf_nope'] }] },
        'body.rule.rules.0.staffIds.1',
        'not_found',
        'staff member not found',
      ],
      [{ kind: 'owner_staff', staffIds: [theirStaff] }, 'body.rule.staffIds.0', 'not_found', 'staff member'],
      [{ kind: 'store', storeIds: ['S1', 'East'] }, 'body.rule.storeIds.1', 'invalid_request', 'not a store'],
      [{ kind: 'store', storeIds: [theirUnit] }, 'body.rule.storeIds.0', 'not_found', 'store not found'],
      [
        { kind: 'not', rule: { kind: 'org_unit', unitIds: ['ou_nope'] } },
        'body.rule.rule.unitIds.0',
        'not_found',
        'org unit not found',
      ],
      [{ kind: 'org_unit', unitIds: [theirUnit] }, 'body.rule.unitIds.0', 'not_found', 'org unit'],
      [
        { kind: 'audience', audienceId: 'aud_nope', match: 'in' },
        'body.rule.audienceId',
        'not_found',
        'audience not found',
      ],
      [
        { kind: 'audience', audienceId: theirAudience, match: 'not_in' },
        'body.rule.audienceId',
        'not_found',
        'audience not found',
      ],
    ];
    for (const [rule, field, code, words] of refused) {
      const r = await services.audiences.preview(owner, { rule: withIds(rule) });
      expect(r.ok ? 'accepted' : [r.error.field, r.error.code, r.error.message.includes(words)]).toEqual([
        field,
        code,
        true,
      ]);
    }
  });

  describe('WeCom customer groups', () => {
    const group = async (id: string, members: [string, 'member' | 'left'][]) => {
      const db = services.platform.db;
      const tenantId = owner.principal.tenantId;
      const now = clock.now();
      await db
        .insertInto('wecom_groups')
        .values({
          id,
          tenant_id: tenantId,
          chat_id: `chat-${id}`,
          name: id,
          owner_userid: null,
          owner_staff_id: null,
          notice: null,
          status: 'active',
          member_count: members.length,
          external_count: members.length,
          member_version: null,
          wecom_created_at: null,
          dismissed_at: null,
          created_at: now,
          updated_at: now,
        })
        .execute();
      for (const [name, status] of members) await join(id, name, status);
    };
    const join = async (groupId: string, name: string, status: 'member' | 'left') => {
      const c = await services.platform.db
        .selectFrom('customers')
        .select('id')
        .where('public_id', '=', id[name] ?? '')
        .executeTakeFirstOrThrow();
      await services.platform.db
        .insertInto('wecom_group_members')
        .values({
          tenant_id: owner.principal.tenantId,
          group_id: groupId,
          member_id: `wm-${name}`,
          kind: 'external',
          customer_id: c.id,
          origin_customer_id: c.id,
          staff_id: null,
          name,
          status,
          joined_at: clock.now(),
          join_scene: null,
          quit_scene: null,
          left_at: status === 'left' ? clock.now() : null,
          updated_at: clock.now(),
        })
        .execute();
    };
    // Ids of their own: the PostgreSQL test database is shared and kept between runs.
    const G1 = `grp_${randomUUID().slice(0, 8)}`;
    const G2 = `grp_${randomUUID().slice(0, 8)}`;

    beforeAll(async () => {
      await group(G1, [
        ['P', 'member'],
        ['Q', 'left'],
      ]);
      await group(G2, [['R', 'member']]);
    });

    it('matches current members only, and explains with the groups the customer is in', async () => {
      expect(await names({ kind: 'customer_group', groupIds: [G1] })).toEqual(['P']);
      expect(await names({ kind: 'customer_group', groupIds: [G1, G2] })).toEqual(['P', 'R']);
      expect(await names({ kind: 'not', rule: { kind: 'customer_group', groupIds: [G1] } })).toEqual([
        'Q',
        'R',
        'S',
      ]);
      const explained = must(
        await services.audiences.explain(owner, {
          customerId: id.R ?? '',
          rule: { kind: 'customer_group', groupIds: [G1, G2] },
        }),
      );
      expect([explained.held, explained.value]).toEqual([true, [G2]]);
      const unknown = await services.audiences.preview(owner, {
        rule: { kind: 'customer_group', groupIds: [G1, 'grp_nope'] },
      });
      expect(unknown.ok ? 'accepted' : [unknown.error.code, unknown.error.field]).toEqual([
        'not_found',
        'body.rule.groupIds.1',
      ]);
    });

    it('refreshes audiences naming a group when WeCom reports its members changed', async () => {
      const inGroup = must(
        await services.savedAudiences.create(owner, {
          name: '群成员',
          rule: { kind: 'customer_group', groupIds: [G1] },
          kind: 'dynamic',
        }),
      );
      expect(inGroup.size).toBe(1);
      await services.platform.tx(async (trx) => {
        await services.platform.outbox.append(trx, {
          tenantId: owner.principal.tenantId,
          type: 'wecom.group_updated',
          aggregateType: 'wecom_group',
          aggregateId: G1,
          payload: {},
        });
        return { ok: true, value: null };
      });
      await join(G1, 'S', 'member');
      await settle(services);
      await settle(services);
      expect(must(await services.savedAudiences.get(owner, inGroup.id)).size).toBe(2);
    });
  });

  it('follows staff moving between units, through a refresh the move queues', async () => {
    const east = must(
      await services.savedAudiences.create(owner, {
        name: '华东归属',
        rule: withIds({ kind: 'org_unit', unitIds: ['East'], via: 'owner' }),
        kind: 'dynamic',
      }),
    );
    expect(east.size).toBe(2); // P (Alice in S1) and R (Bob in East)
    must(await services.staff.update(owner, id.Carol ?? '', { orgUnitId: id.S2 }));
    await settle(services);
    await settle(services);
    expect(must(await services.savedAudiences.get(owner, east.id)).size).toBe(3);
    must(await services.staff.update(owner, id.Carol ?? '', { orgUnitId: id.West }));
    await settle(services);
    await settle(services);
    expect(must(await services.savedAudiences.get(owner, east.id)).size).toBe(2);
  });
});
