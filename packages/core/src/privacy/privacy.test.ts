import { addUser, makeTenant, openTestStorage, simulatedClock, testDialects } from '@pond/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createServices, type Services } from '../services.ts';

describe.each(testDialects())('privacy on %s', (dialect) => {
  let services: Services;
  let close: () => Promise<void>;
  const clock = simulatedClock();

  beforeAll(async () => {
    const opened = await openTestStorage(dialect);
    close = opened.close;
    services = createServices({ storage: opened.storage, clock });
  });
  afterAll(() => close());

  async function customerWithHistory(name = '赵敏') {
    const t = await makeTenant(services);
    const created = await services.customers.create(t.owner, {
      name,
      phone: '13700001111',
      email: 'zhao@example.com',
      city: '苏州',
      identities: [{ type: 'user_id', value: 'zm-1' }],
    });
    if (!created.ok) throw new Error(created.error.message);
    const id = created.value.customer.id;
    await services.customers.addNote(t.owner, id, '喜欢燕麦拿铁');
    await services.customers.update(t.owner, id, { membershipLevel: '金卡' });
    const source = await services.sources.create(t.owner, { name: 'S' });
    if (!source.ok) throw new Error('setup');
    await services.ingest.ingest(
      { id: source.value.id, tenantId: t.tenantId },
      [
        {
          type: 'track',
          userId: 'zm-1',
          event: 'order_paid',
          properties: { amount: 88, address: '苏州工业园区' },
          context: { ip: '10.1.2.3' },
        },
      ],
      undefined,
    );
    return { t, id };
  }

  it('keeps consent history and shows the latest answer per purpose and channel', async () => {
    const { t, id } = await customerWithHistory();
    await services.privacy.recordConsent(t.owner, id, {
      purpose: 'marketing',
      channel: 'sms',
      status: 'granted',
      source: 'form',
    });
    clock.advance(1000);
    await services.privacy.recordConsent(t.owner, id, {
      purpose: 'marketing',
      channel: 'sms',
      status: 'withdrawn',
      source: 'reply TD',
    });
    await services.privacy.recordConsent(t.owner, id, {
      purpose: 'marketing',
      channel: 'wecom',
      status: 'granted',
      source: 'store',
    });
    const overview = await services.privacy.consents(t.owner, id);
    if (!overview.ok) throw new Error('consents');
    expect(overview.value.history.length).toBe(3);
    expect(overview.value.current.map((c) => [c.channel, c.status]).sort()).toEqual([
      ['sms', 'withdrawn'],
      ['wecom', 'granted'],
    ]);
  });

  it('exports everything held about a customer', async () => {
    const { t, id } = await customerWithHistory();
    await services.privacy.recordConsent(t.owner, id, {
      purpose: 'service',
      channel: 'all',
      status: 'granted',
      source: 'x',
    });
    const exported = await services.privacy.exportData(t.owner, id);
    if (!exported.ok) throw new Error(exported.error.message);
    const e = exported.value;
    expect(e.customer.phone).toBe('+8613700001111');
    expect(e.customer.identities.map((i) => i.type).sort()).toEqual(['email', 'phone', 'user_id']);
    expect(e.timeline.map((i) => i.kind).sort()).toEqual(['change', 'event', 'note']);
    expect(e.consents.length).toBe(1);
    const log = await services.audit.list(t.owner, {
      limit: 5,
      order: 'desc',
      action: 'customer.data_exported',
    });
    expect(log.ok && log.value.data.length).toBe(1);
  });

  it('erases personal data, keeps aggregates, and refuses a second erasure', async () => {
    const { t, id } = await customerWithHistory('钱多多');
    const wrong = await services.privacy.erase(t.owner, id, { confirm: 'cus_other', reason: 'request' });
    expect(!wrong.ok && wrong.error.field).toBe('body.confirm');
    const erased = await services.privacy.erase(t.owner, id, { confirm: id, reason: 'PIPL request #42' });
    expect(erased.ok).toBe(true);
    const db = services.platform.db;
    const row = await db
      .selectFrom('customers')
      .selectAll()
      .where('public_id', '=', id)
      .executeTakeFirstOrThrow();
    expect([row.name, row.phone, row.email, row.city, row.status, row.membership_level]).toEqual([
      null,
      null,
      null,
      null,
      'erased',
      '金卡',
    ]);
    expect(
      await db.selectFrom('customer_identities').select('id').where('customer_id', '=', row.id).execute(),
    ).toEqual([]);
    const events = await db.selectFrom('events').selectAll().where('customer_id', '=', row.id).execute();
    expect(events.map((e) => [e.name, e.properties, e.context])).toEqual([['order_paid', '{}', '{}']]);
    const everywhere = JSON.stringify(await services.privacy.exportData(t.owner, id));
    for (const pii of ['钱多多', '13700001111', 'zhao@example.com', '苏州', '10.1.2.3', '燕麦'])
      expect(everywhere).not.toContain(pii);
    const again = await services.privacy.erase(t.owner, id, { confirm: id, reason: 'again' });
    expect(!again.ok && again.error.code).toBe('conflict');
    const found = await services.customers.list(t.owner, { q: '13700001111', limit: 5, order: 'desc' });
    expect(found.ok && found.value.data).toEqual([]);
  });

  it('lets only principals with privacy.manage export or erase', async () => {
    const { t, id } = await customerWithHistory();
    const operator = await addUser(services, t.tenantId, t.rootUnitId, 'operator');
    expect(operator.ctx.principal.permissions.has('privacy.manage')).toBe(false);
    expect(t.owner.principal.permissions.has('privacy.manage')).toBe(true);
    const other = await makeTenant(services);
    expect((await services.privacy.erase(other.owner, id, { confirm: id, reason: 'x' })).ok).toBe(false);
  });
});
