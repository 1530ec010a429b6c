import { makeTenant, must, openTestStorage, testDialects } from '@pond/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type EmulatedTenant, emulatedTenant } from '../live-codes/emulator-fixture.ts';
import { MARK_QUEUE } from './tag-sync.ts';

describe.each(testDialects())('corp tags ↔ Pond tags against the WeCom emulator on %s', (dialect) => {
  let e: EmulatedTenant;
  let closeStorage: () => Promise<void>;

  beforeAll(async () => {
    const opened = await openTestStorage(dialect);
    closeStorage = opened.close;
    e = await emulatedTenant(opened.storage, 11);
  });
  afterAll(async () => {
    await e.close();
    await closeStorage();
  });

  const db = () => e.services.platform.db;
  const tenantId = () => e.t.owner.principal.tenantId;
  const pondIdOf = async (kind: 'group' | 'tag', wecomId: string) =>
    (
      await db()
        .selectFrom('wecom_tag_map')
        .select('pond_id')
        .where('tenant_id', '=', tenantId())
        .where('kind', '=', kind)
        .where('wecom_id', '=', wecomId)
        .executeTakeFirst()
    )?.pond_id;
  const customerOf = async (externalUserId: string) => {
    const row = await db()
      .selectFrom('customer_identities as i')
      .innerJoin('customers as c', 'c.id', 'i.customer_id')
      .select(['c.id', 'c.public_id'])
      .where('i.tenant_id', '=', tenantId())
      .where('i.type', '=', 'wecom_external_userid')
      .where('i.value', '=', externalUserId)
      .executeTakeFirstOrThrow();
    return { id: row.id, publicId: row.public_id };
  };
  const tagsOf = async (publicId: string) => must(await e.services.tags.ofCustomer(e.t.owner, publicId));
  const markJobs = async () =>
    Number(
      (
        await db()
          .selectFrom('jobs')
          .select((eb) => eb.fn.countAll<number | string>().as('n'))
          .where('queue', '=', MARK_QUEUE)
          .where('tenant_id', '=', tenantId())
          .executeTakeFirstOrThrow()
      ).n,
    );

  it('a full sync maps the corp tag library and puts each relation’s corp tags on its customer', async () => {
    must(await e.services.wecom.fullSync.start(e.t.owner));
    await e.drain();
    const sync = (await e.services.wecom.fullSync.latest(e.t.owner)).sync;
    expect(sync?.status).toBe('done');
    const groups = await e.services.tags.groups(e.t.owner);
    for (const g of e.emulator.corp.tagGroups) {
      const pond = groups.find((x) => x.name === g.groupName);
      expect(pond, g.groupName).toBeDefined();
      expect(await pondIdOf('group', g.groupId)).toBe(pond?.id);
      expect(pond?.tags.map((t) => t.name).sort()).toEqual(g.tags.map((t) => t.name).sort());
    }
    const tagged = [...e.emulator.corp.follows.values()].filter((f) => f.tagIds.length > 0);
    expect(tagged.length).toBeGreaterThan(0);
    for (const f of tagged.slice(0, 5)) {
      const c = await customerOf(f.externalUserId);
      const held = await tagsOf(c.publicId);
      for (const id of f.tagIds) {
        const pondTag = await pondIdOf('tag', id);
        const t = held.find((h) => h.tagId === pondTag);
        expect(t, id).toBeDefined();
      }
    }
    // Everything the sync put on carries provenance `sync` and went nowhere: no mark_tag job.
    expect(await markJobs()).toBe(0);
    const sources = await db()
      .selectFrom('customer_tags')
      .select('source')
      .distinct()
      .where('tenant_id', '=', tenantId())
      .execute();
    expect(sources.map((s) => s.source)).toEqual(['sync']);
  });

  it('follows renames and deletions in the WeCom admin console through change_external_tag', async () => {
    const [group] = e.emulator.corp.tagGroups;
    if (!group) throw new Error('the emulated corp has no tag group');
    const [tag] = group.tags;
    if (!tag) throw new Error('empty tag group');
    await e.emulator.corp.renameTag(tag.id, '已改名');
    await e.emulator.corp.renameTag(group.groupId, '改名的组');
    await e.drain();
    const pondGroupId = await pondIdOf('group', group.groupId);
    const groups = await e.services.tags.groups(e.t.owner);
    const pond = groups.find((g) => g.id === pondGroupId);
    expect(pond?.name).toBe('改名的组');
    expect(pond?.tags.some((t) => t.name === '已改名')).toBe(true);

    const made = await e.emulator.corp.createTagGroup('新建组', ['甲', '乙']);
    await e.drain();
    const newGroupId = await pondIdOf('group', made.group.groupId);
    expect(newGroupId).toBeDefined();
    await e.emulator.corp.deleteTag(made.group.groupId);
    await e.drain();
    const after = (await e.services.tags.groups(e.t.owner)).find((g) => g.id === newGroupId);
    expect(after?.tags.map((t) => t.archivedAt !== null)).toEqual([true, true]);
  });

  it('a member tagging or untagging a customer in WeCom (edit_external_contact) updates the Pond tags', async () => {
    // A customer none of whose relations carries a corp tag.
    const all = [...e.emulator.corp.follows.values()];
    const f = all.find((x) =>
      all.every((y) => y.externalUserId !== x.externalUserId || y.tagIds.length === 0),
    );
    if (!f) throw new Error('no untagged customer');
    const live = e.emulator.corp.tagGroups.flatMap((g) => g.tags);
    const corpTag = live[0]?.id ?? '';
    const c = await customerOf(f.externalUserId);
    await e.emulator.corp.editContact({
      userId: f.userId,
      externalUserId: f.externalUserId,
      addTagIds: [corpTag],
    });
    await e.drain();
    const pondTag = await pondIdOf('tag', corpTag);
    expect((await tagsOf(c.publicId)).find((t) => t.tagId === pondTag)?.source).toBe('sync');
    // Callbacks are told apart by their second: the member's next action comes later.
    e.clock.advance(60_000);
    await e.emulator.corp.editContact({
      userId: f.userId,
      externalUserId: f.externalUserId,
      removeTagIds: [corpTag],
    });
    await e.drain();
    expect((await tagsOf(c.publicId)).some((t) => t.tagId === pondTag)).toBe(false);
    expect(await markJobs()).toBe(0);
  });

  it('a corp tag Pond has not seen yet on a customer brings in the library, then the tag', async () => {
    // Made in the admin console without a callback reaching Pond (as when callbacks were down).
    const now = e.emulator.corp.nowSeconds();
    e.emulator.corp.tagGroups.push({
      groupId: 'etGroupUnseen',
      groupName: '未同步的组',
      createTime: now,
      order: 0,
      createdByApi: false,
      tags: [{ id: 'etTagUnseen', name: '新标签', createTime: now, order: 0 }],
    });
    const all = [...e.emulator.corp.follows.values()];
    const f = all.find((x) =>
      all.every((y) => y.externalUserId !== x.externalUserId || y.tagIds.length === 0),
    );
    if (!f) throw new Error('no untagged customer');
    e.clock.advance(60_000);
    await e.emulator.corp.editContact({
      userId: f.userId,
      externalUserId: f.externalUserId,
      addTagIds: ['etTagUnseen'],
    });
    await e.drain();
    const pondTag = await pondIdOf('tag', 'etTagUnseen');
    expect(pondTag).toBeDefined();
    const c = await customerOf(f.externalUserId);
    expect((await tagsOf(c.publicId)).find((t) => t.tagId === pondTag)?.source).toBe('sync');
    expect(await markJobs()).toBe(0);
  });

  it('a group synced to WeCom creates its tags there, and Pond taggings mark them, without an echo', async () => {
    const group = must(await e.services.tags.createGroup(e.t.owner, { name: '会员等级' }));
    must(await e.services.wecomTagSync.setSynced(e.t.owner, group.id, true));
    const gold = must(
      await e.services.tags.create(e.t.owner, { groupId: group.id, name: '金卡', color: 'gold' }),
    );
    await e.drain();
    const corpGroup = e.emulator.corp.tagGroups.find((g) => g.groupName === '会员等级');
    const corpGold = corpGroup?.tags.find((t) => t.name === '金卡');
    expect(corpGold).toBeDefined();
    expect(await pondIdOf('tag', corpGold?.id ?? '')).toBe(gold.id);

    must(await e.services.tags.update(e.t.owner, gold.id, { name: '白金卡' }));
    await e.drain();
    expect(corpGroup?.tags.find((t) => t.id === corpGold?.id)?.name).toBe('白金卡');

    const f = [...e.emulator.corp.follows.values()].find((x) => x.tagIds.length === 0);
    if (!f) throw new Error('no untagged relation');
    const c = await customerOf(f.externalUserId);
    must(await e.services.tags.tagCustomer(e.t.owner, c.publicId, [gold.id]));
    await e.drain();
    const relations = await db()
      .selectFrom('wecom_relationships')
      .select(['staff_userid', 'external_userid'])
      .where('customer_id', '=', c.id)
      .where('status', '=', 'active')
      .execute();
    expect(relations.length).toBeGreaterThan(0);
    for (const r of relations)
      expect(e.emulator.corp.follow(r.staff_userid, r.external_userid)?.tagIds).toContain(corpGold?.id);
    const jobs = await markJobs();
    expect(jobs).toBe(1);

    // WeCom tells Pond about the change (a member's client saves the contact): nothing goes back.
    e.clock.advance(60_000);
    await e.emulator.corp.editContact({ userId: f.userId, externalUserId: f.externalUserId, remark: '回访' });
    await e.drain();
    expect(await markJobs()).toBe(jobs);
    const held = (await tagsOf(c.publicId)).find((t) => t.tagId === gold.id);
    expect(held?.source).toBe('manual');

    must(await e.services.tags.untagCustomer(e.t.owner, c.publicId, [gold.id]));
    await e.drain();
    for (const r of relations)
      expect(e.emulator.corp.follow(r.staff_userid, r.external_userid)?.tagIds).not.toContain(corpGold?.id);
    e.clock.advance(60_000);
    await e.emulator.corp.editContact({ userId: f.userId, externalUserId: f.externalUserId, remark: '再访' });
    await e.drain();
    expect(await markJobs()).toBe(jobs + 1);
    expect((await tagsOf(c.publicId)).some((t) => t.tagId === gold.id)).toBe(false);
  });

  it('records WeCom’s refusal to rename a tag made in the admin console, and renames it when allowed', async () => {
    const [group] = e.emulator.corp.tagGroups;
    const corpTag = group?.tags[1] ?? group?.tags[0];
    if (!group || !corpTag) throw new Error('no console-made tag');
    const pondGroupId = (await pondIdOf('group', group.groupId)) ?? '';
    const pondTagId = (await pondIdOf('tag', corpTag.id)) ?? '';
    must(await e.services.tags.update(e.t.owner, pondTagId, { name: '控制台标签' }));
    await e.drain();
    const state = (await e.services.wecomTagSync.list(e.t.owner)).find((s) => s.groupId === pondGroupId);
    expect(state?.origin).toBe('wecom');
    expect(state?.lastError).toContain('301002');
    expect(corpTag.name).not.toBe('控制台标签');

    e.emulator.behaviour.editAllTags = true;
    try {
      must(await e.services.tags.update(e.t.owner, pondTagId, { name: '控制台标签二' }));
      await e.drain();
      expect(corpTag.name).toBe('控制台标签二');
      const after = (await e.services.wecomTagSync.list(e.t.owner)).find((s) => s.groupId === pondGroupId);
      expect(after?.lastError).toBeNull();
    } finally {
      e.emulator.behaviour.editAllTags = false;
    }
  });

  it('refuses to sync a group without a WeCom connection, or one of another brand', async () => {
    const other = await makeTenant(e.services);
    const group = must(await e.services.tags.createGroup(other.owner, { name: '无企微' }));
    const r = await e.services.wecomTagSync.setSynced(other.owner, group.id, true);
    expect(r.ok ? null : r.error.code).toBe('conflict');
    const mine = must(await e.services.tags.createGroup(e.t.owner, { name: '本品牌组' }));
    const foreign = await e.services.wecomTagSync.setSynced(other.owner, mine.id, true);
    expect(foreign.ok ? null : foreign.error.code).toBe('not_found');
    expect(await e.services.wecomTagSync.list(other.owner)).toEqual([]);
  });
});
