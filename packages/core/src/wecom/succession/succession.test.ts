import { must, openTestStorage, testDialects } from '@pond/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type EmulatedTenant, emulatedTenant } from '../live-codes/emulator-fixture.ts';
import { POLL_INTERVAL_MS } from './transfer-jobs.ts';

describe.each(testDialects())('succession against the WeCom emulator on %s', (dialect) => {
  let e: EmulatedTenant;
  let closeStorage: () => Promise<void>;
  let leaver: string;
  let receiver: string;
  let customers: string[];
  let transferId: string;
  let chatId: string;

  beforeAll(async () => {
    const opened = await openTestStorage(dialect);
    closeStorage = opened.close;
    e = await emulatedTenant(opened.storage, 11);
    const byCount = [...e.staff.keys()]
      .map((u) => ({ u, n: e.emulator.corp.followsOf(u).length }))
      .sort((a, b) => b.n - a.n);
    leaver = byCount[0]?.u ?? '';
    receiver = byCount.at(-1)?.u ?? '';
    customers = e.emulator.corp.followsOf(leaver).map((f) => f.externalUserId);
    expect(customers.length).toBeGreaterThanOrEqual(3);
    chatId = (
      await e.emulator.corp.createGroup({
        owner: leaver,
        name: '老客群',
        externalUserIds: customers.slice(0, 2),
      })
    ).chatId;
    await e.drain();
    e.emulator.corp.staffLeaves(leaver);
    must(await e.services.staff.depart(e.t.owner, e.staff.get(leaver) ?? '', {}));
  });
  afterAll(async () => {
    await e.close();
    await closeStorage();
  });

  const detail = async () => must(await e.services.wecomSuccession.get(e.t.owner, transferId));
  const statuses = async () =>
    Object.fromEntries((await detail()).items.map((i) => [i.wecomId, [i.status, i.errcode]]));

  it('lists the departed member from WeCom’s unassigned list with their customers', async () => {
    const candidates = await e.services.wecomSuccession.candidates(e.t.owner, 'resigned');
    expect(candidates.warning).toBeNull();
    const found = candidates.data.find((c) => c.userId === leaver);
    expect(found?.customers).toBe(customers.length);
    expect(found?.staff?.id).toBe(e.staff.get(leaver));
    const assets = await e.services.wecomSuccession.assets(e.t.owner, 'resigned', leaver);
    expect(assets.customers.map((c) => c.externalUserId).sort()).toEqual([...customers].sort());
    const active = await e.services.wecomSuccession.candidates(e.t.owner, 'in_service');
    expect(active.data.some((c) => c.userId === leaver)).toBe(false);
  });

  it('refuses bad transfers precisely', async () => {
    const self = await e.services.wecomSuccession.create(e.t.owner, {
      kind: 'resigned',
      handoverUserId: receiver,
      takeoverStaffId: e.staff.get(receiver) ?? '',
      externalUserIds: ['wm1'],
    });
    expect(self.ok ? null : [self.error.code, self.error.field]).toEqual([
      'invalid_request',
      'body.takeoverStaffId',
    ]);
    const nobody = await e.services.wecomSuccession.create(e.t.owner, {
      kind: 'resigned',
      handoverUserId: leaver,
      takeoverStaffId: 'stf_nobody',
      externalUserIds: ['wm1'],
    });
    expect(nobody.ok ? null : [nobody.error.code, nobody.error.field]).toEqual([
      'not_found',
      'body.takeoverStaffId',
    ]);
  });

  it('transfers, tracks refusals from transfer_fail, and moves taken-over customers to the new owner', async () => {
    const [refuser, ...rest] = customers;
    const created = must(
      await e.services.wecomSuccession.create(e.t.owner, {
        kind: 'resigned',
        handoverUserId: leaver,
        takeoverStaffId: e.staff.get(receiver) ?? '',
        externalUserIds: [...customers, 'wmUnknownCustomer0001'],
      }),
    );
    transferId = created.id;
    expect(created.counts.queued).toBe(customers.length + 1);
    await e.drain();
    let s = await statuses();
    expect(s[refuser ?? '']).toEqual(['waiting', null]);
    expect(s.wmUnknownCustomer0001).toEqual(['failed', 40096]);
    expect((await detail()).items.find((i) => i.wecomId === 'wmUnknownCustomer0001')?.error).toContain(
      'external userid is not valid',
    );
    // A second transfer of a customer already under way is refused.
    const again = await e.services.wecomSuccession.create(e.t.owner, {
      kind: 'resigned',
      handoverUserId: leaver,
      takeoverStaffId: e.staff.get(receiver) ?? '',
      externalUserIds: [rest[0] ?? ''],
    });
    expect(again.ok ? null : [again.error.code, again.error.field]).toEqual([
      'conflict',
      'body.externalUserIds.0',
    ]);

    const deliveries = await e.emulator.corp.settleTransfers({ refused: [refuser ?? ''] });
    expect(deliveries.every((d) => d.delivered)).toBe(true);
    await e.drain();
    s = await statuses();
    // The transfer_fail callback settles the refusal before the next result check.
    expect(s[refuser ?? '']).toEqual(['refused', null]);
    expect(s[rest[0] ?? '']?.[0]).toBe('waiting');
    e.clock.advance(POLL_INTERVAL_MS);
    await e.drain();
    const d = await detail();
    expect(d.counts).toMatchObject({ taken_over: rest.length, refused: 1, failed: 1, waiting: 0, queued: 0 });
    expect(d.status).toBe('done');
    const rels = await e.services.platform.db
      .selectFrom('wecom_relationships')
      .select(['external_userid', 'staff_userid', 'status', 'staff_id'])
      .where('tenant_id', '=', e.t.tenantId)
      .where('external_userid', '=', rest[0] ?? '')
      .orderBy('staff_userid')
      .execute();
    expect(rels).toContainEqual({
      external_userid: rest[0],
      staff_userid: receiver.toLowerCase(),
      status: 'active',
      staff_id: e.staff.get(receiver),
    });
    const owner = await e.services.platform.db
      .selectFrom('customer_identities as i')
      .innerJoin('customers as c', 'c.id', 'i.customer_id')
      .select(['c.owner_staff_id', 'c.name'])
      .where('i.tenant_id', '=', e.t.tenantId)
      .where('i.value', '=', rest[0] ?? '')
      .executeTakeFirst();
    expect(owner?.owner_staff_id).toBe(e.staff.get(receiver));
    // Pond had not met this customer: the record made on takeover carries WeCom's name.
    expect(owner?.name).toBe(e.emulator.corp.customers.get(rest[0] ?? '')?.name);
  });

  it('retries a refused customer and tracks the new outcome', async () => {
    const retried = must(await e.services.wecomSuccession.retry(e.t.owner, transferId, {}));
    expect(retried.counts).toMatchObject({ queued: 2, refused: 0, failed: 0 });
    expect(retried.status).toBe('running');
    await e.drain();
    await e.emulator.corp.settleTransfers();
    e.clock.advance(POLL_INTERVAL_MS);
    await e.drain();
    const d = await detail();
    expect(d.counts).toMatchObject({ taken_over: customers.length, failed: 1, refused: 0 });
    expect(d.items.find((i) => i.wecomId === customers[0])?.attempts).toBe(2);
    const nothing = await e.services.wecomSuccession.retry(e.t.owner, transferId, {
      itemIds: [d.items.find((i) => i.status === 'taken_over')?.id ?? 0],
    });
    expect(nothing.ok ? null : [nothing.error.code, nothing.error.field]).toEqual([
      'conflict',
      'body.itemIds.0',
    ]);
    const audit = await e.services.platform.db
      .selectFrom('audit_log')
      .select('action')
      .where('tenant_id', '=', e.t.tenantId)
      .where('target_id', '=', transferId)
      .execute();
    expect(audit.map((a) => a.action).sort()).toEqual(['wecom.transfer_retried', 'wecom.transfer_started']);
  });

  it('hands a departed owner’s groups over, and names WeCom’s refusal for a group it does not know', async () => {
    const assets = await e.services.wecomSuccession.assets(e.t.owner, 'resigned', leaver);
    expect(assets.groups.map((g) => [g.chatId, g.name, g.memberCount])).toEqual([[chatId, '老客群', 3]]);
    const created = must(
      await e.services.wecomSuccession.create(e.t.owner, {
        kind: 'resigned',
        handoverUserId: leaver,
        takeoverStaffId: e.staff.get(receiver) ?? '',
        chatIds: [chatId, 'wrNoSuchGroup0001'],
      }),
    );
    transferId = created.id;
    await e.drain();
    const s = await statuses();
    expect(s).toEqual({ [chatId]: ['taken_over', null], wrNoSuchGroup0001: ['failed', 90501] });
    expect((await detail()).status).toBe('done');
    expect(e.emulator.corp.groups.get(chatId)?.owner).toBe(receiver);
    const group = await e.services.platform.db
      .selectFrom('wecom_groups')
      .select(['owner_userid', 'owner_staff_id'])
      .where('tenant_id', '=', e.t.tenantId)
      .where('chat_id', '=', chatId)
      .executeTakeFirstOrThrow();
    expect(group).toEqual({ owner_userid: receiver, owner_staff_id: e.staff.get(receiver) });
  });

  it('moves an active member’s customers with the transfer message (in service)', async () => {
    const [from, to] = [...e.staff.keys()].filter((u) => u !== leaver && u !== receiver);
    const theirs = e.emulator.corp
      .followsOf(from ?? '')
      .map((f) => f.externalUserId)
      .slice(0, 2);
    const created = must(
      await e.services.wecomSuccession.create(e.t.owner, {
        kind: 'in_service',
        handoverUserId: from ?? '',
        takeoverStaffId: e.staff.get(to ?? '') ?? '',
        externalUserIds: theirs,
        message: '您好，之后由我为您服务',
      }),
    );
    transferId = created.id;
    await e.drain();
    await e.emulator.corp.settleTransfers();
    e.clock.advance(POLL_INTERVAL_MS);
    await e.drain();
    expect((await detail()).counts.taken_over).toBe(theirs.length);
    expect(e.emulator.corp.follow(to ?? '', theirs[0] ?? '')).toBeDefined();
  });
});
