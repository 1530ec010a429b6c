import { addUser, makeTenant, testDialects } from '@pond/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type HttpFixture, httpFixture, type SessionCaller } from '../testing/http-fixture.ts';

describe.each(testDialects())('tags on %s', (dialect) => {
  let f: HttpFixture;
  let tenant: Awaited<ReturnType<typeof makeTenant>>;
  let owner: SessionCaller;
  let groupId: string;

  beforeAll(async () => {
    f = await httpFixture(dialect);
    tenant = await makeTenant(f.services);
    owner = await f.signIn(tenant.ownerEmail);
    groupId = (await owner.call('POST', '/api/v1/tag-groups', { name: '兴趣' })).json.id;
  });
  afterAll(() => f.close());

  const newTag = async (name: string) =>
    (await owner.call('POST', '/api/v1/tags', { groupId, name, color: 'green' })).json.id as string;
  const newCustomer = async (name: string) =>
    (await owner.call('POST', '/api/v1/customers', { name })).json.customer.id as string;
  const outboxTypes = async (type: string) =>
    (
      await f.services.platform.db
        .selectFrom('outbox')
        .select('payload')
        .where('tenant_id', '=', tenant.tenantId)
        .where('type', '=', type)
        .execute()
    ).map((r) => JSON.parse(r.payload));

  it('keeps groups and tag names unique, archives instead of deleting, and deletes only empty groups', async () => {
    const tagId = await newTag('咖啡');
    const dupGroup = await owner.call('POST', '/api/v1/tag-groups', { name: '兴趣' });
    expect([dupGroup.status, dupGroup.json.error.field]).toEqual([409, 'body.name']);
    const dupTag = await owner.call('POST', '/api/v1/tags', { groupId, name: '咖啡' });
    expect([dupTag.status, dupTag.json.error.field]).toEqual([409, 'body.name']);
    const badColor = await owner.call('POST', '/api/v1/tags', { groupId, name: '茶', color: 'pink' });
    expect([badColor.status, badColor.json.error.field]).toEqual([400, 'body.color']);
    const noGroup = await owner.call('POST', '/api/v1/tags', { groupId: 'tgg_missing', name: '茶' });
    expect([noGroup.status, noGroup.json.error.field]).toEqual([404, 'body.groupId']);

    const notEmpty = await owner.call('DELETE', `/api/v1/tag-groups/${groupId}`);
    expect(notEmpty.status).toBe(409);
    const archived = await owner.call('PATCH', `/api/v1/tags/${tagId}`, { archived: true });
    expect(archived.json.archivedAt).toEqual(expect.any(Number));
    const customer = await newCustomer('王小明');
    const refused = await owner.call('POST', `/api/v1/customers/${customer}/tags`, { tagIds: [tagId] });
    expect([refused.status, refused.json.error.field]).toEqual([409, 'body.tagIds.0']);
    const restored = await owner.call('PATCH', `/api/v1/tags/${tagId}`, { archived: false });
    expect(restored.json.archivedAt).toBeNull();

    const empty = (await owner.call('POST', '/api/v1/tag-groups', { name: '临时' })).json.id;
    expect((await owner.call('DELETE', `/api/v1/tag-groups/${empty}`)).status).toBe(200);
    const groups = await owner.call('GET', '/api/v1/tag-groups');
    expect(groups.json.data.map((g: { name: string }) => g.name)).toEqual(['兴趣']);
  });

  it('tags a customer with its provenance and expiry, and expires it on time', async () => {
    const tagId = await newTag('新品试用');
    const permanent = await newTag('老客');
    const customer = await newCustomer('李华');
    const until = f.clock.now() + 3_600_000;
    const tagged = await owner.call('POST', `/api/v1/customers/${customer}/tags`, {
      tagIds: [tagId],
      expiresAt: until,
    });
    expect(tagged.json.data).toEqual([
      expect.objectContaining({
        tagId,
        name: '新品试用',
        groupName: '兴趣',
        source: 'manual',
        expiresAt: until,
      }),
    ]);
    expect(tagged.json.data[0].sourceName).toBe(owner.me.user.name);
    await owner.call('POST', `/api/v1/customers/${customer}/tags`, { tagIds: [permanent] });
    // Tagging again changes nothing and records no second event.
    await owner.call('POST', `/api/v1/customers/${customer}/tags`, { tagIds: [permanent] });
    const events = await outboxTypes('customer.tagged');
    expect(events.filter((e) => e.tagId === permanent)).toHaveLength(1);

    const past = await owner.call('POST', `/api/v1/customers/${customer}/tags`, {
      tagIds: [tagId],
      expiresAt: f.clock.now() - 1,
    });
    expect([past.status, past.json.error.field]).toEqual([400, 'body.expiresAt']);

    f.clock.advance(3_600_001);
    const read = await owner.call('GET', `/api/v1/customers/${customer}/tags`);
    expect(read.json.data.map((t: { name: string }) => t.name)).toEqual(['老客']);
    await f.services.platform.jobs.runDue();
    const untagged = await outboxTypes('customer.untagged');
    expect(untagged.filter((e) => e.tagId === tagId)).toEqual([
      expect.objectContaining({ reason: 'expired' }),
    ]);
    const rows = await f.services.platform.db
      .selectFrom('customer_tags')
      .select('tag_id')
      .where('tenant_id', '=', tenant.tenantId)
      .where('tag_id', '=', tagId)
      .execute();
    expect(rows).toEqual([]);

    const removed = await owner.call('POST', `/api/v1/customers/${customer}/tags/remove`, {
      tagIds: [permanent],
    });
    expect(removed.json.data).toEqual([]);
  });

  it('tags and untags in bulk, reporting ids it cannot see, and counts carriers', async () => {
    const tagId = await newTag('双十一');
    const ids = [await newCustomer('甲'), await newCustomer('乙'), await newCustomer('丙')];
    const first = await owner.call('POST', `/api/v1/tags/${tagId}/apply`, { customerIds: ids.slice(0, 2) });
    expect(first.json).toEqual({ changed: 2, unchanged: 0, notFound: [] });
    const second = await owner.call('POST', `/api/v1/tags/${tagId}/apply`, {
      customerIds: [...ids, 'cus_nobody'],
    });
    expect(second.json).toEqual({ changed: 1, unchanged: 2, notFound: ['cus_nobody'] });
    const groups = await owner.call('GET', '/api/v1/tag-groups');
    const tag = groups.json.data[0].tags.find((t: { id: string }) => t.id === tagId);
    expect(tag.customers).toBe(3);
    const listed = await owner.call('GET', `/api/v1/customers?tagId=${tagId}&order=asc`);
    expect(listed.json.data.map((c: { name: string }) => c.name)).toEqual(['甲', '乙', '丙']);
    const off = await owner.call('POST', `/api/v1/tags/${tagId}/remove`, { customerIds: ids });
    expect(off.json).toEqual({ changed: 3, unchanged: 0, notFound: [] });
    const audience = await owner.call('POST', '/api/v1/audiences', {
      name: '甲乙',
      rule: { kind: 'attribute', field: 'name', op: 'in', value: ['甲', '乙'] },
      kind: 'static',
    });
    expect(audience.json.size).toBe(2);
    const byAudience = await owner.call('POST', `/api/v1/tags/${tagId}/apply`, {
      audienceId: audience.json.id,
    });
    expect(byAudience.json).toEqual({ changed: 2, unchanged: 0, notFound: [] });
    const offByAudience = await owner.call('POST', `/api/v1/tags/${tagId}/remove`, {
      audienceId: audience.json.id,
    });
    expect(offByAudience.json.changed).toBe(2);
    const both = await owner.call('POST', `/api/v1/tags/${tagId}/apply`, {
      customerIds: ids,
      audienceId: audience.json.id,
    });
    expect([both.status, both.json.error.field]).toEqual([400, 'body.customerIds']);
    const noAudience = await owner.call('POST', `/api/v1/tags/${tagId}/apply`, { audienceId: 'aud_nope' });
    expect([noAudience.status, noAudience.json.error.field]).toEqual([404, 'body.audienceId']);
    const tooMany = await owner.call('POST', `/api/v1/tags/${tagId}/apply`, {
      customerIds: Array.from({ length: 10_001 }, (_, i) => `cus_${i}`),
    });
    expect([tooMany.status, tooMany.json.error.field]).toEqual([400, 'body.customerIds']);
  });

  it('moves tags with a merge and takes them back with the un-merge', async () => {
    const tagId = await newTag('会员日');
    const survivor = await newCustomer('合并后');
    const merged = await newCustomer('被合并');
    await owner.call('POST', `/api/v1/customers/${merged}/tags`, { tagIds: [tagId] });
    await owner.call('POST', `/api/v1/customers/${survivor}/tags`, { tagIds: [tagId] });
    const merge = await owner.call('POST', '/api/v1/customers/merge', {
      survivorId: survivor,
      mergedId: merged,
    });
    expect(merge.status).toBeLessThan(300);
    const onSurvivor = await owner.call('GET', `/api/v1/customers/${survivor}/tags`);
    expect(onSurvivor.json.data.map((t: { name: string }) => t.name)).toEqual(['会员日']);
    const undo = await owner.call('POST', `/api/v1/merges/${merge.json.id}/unmerge`);
    expect(undo.status).toBeLessThan(300);
    const back = await owner.call('GET', `/api/v1/customers/${merged}/tags`);
    expect(back.json.data.map((t: { name: string }) => t.name)).toEqual(['会员日']);
  });

  it('lets staff tag only the customers they see, and only managers manage tags', async () => {
    const analyst = await f.signIn(
      (await addUser(f.services, tenant.tenantId, tenant.rootUnitId, 'analyst')).email,
    );
    expect((await analyst.call('GET', '/api/v1/tag-groups')).status).toBe(200);
    expect((await analyst.call('POST', '/api/v1/tag-groups', { name: 'x' })).status).toBe(403);
    const tagId = await newTag('试驾');
    const customer = await newCustomer('赵六');
    expect(
      (await analyst.call('POST', `/api/v1/customers/${customer}/tags`, { tagIds: [tagId] })).status,
    ).toBe(403);
    const staff = await f.signIn(
      (await addUser(f.services, tenant.tenantId, tenant.rootUnitId, 'staff')).email,
    );
    const blind = await staff.call('POST', `/api/v1/tags/${tagId}/apply`, { customerIds: [customer] });
    expect(blind.json).toEqual({ changed: 0, unchanged: 0, notFound: [customer] });
  });
});
