import { randomUUID } from 'node:crypto';
import { Readable } from 'node:stream';
import { api, type Endpoint, IdentityType } from '@pond/contracts';
import type { Ctx } from '@pond/core';
import { addUser, makeTenant, testDialects } from '@pond/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Caller, type HttpFixture, httpFixture, type SessionCaller } from '../testing/http-fixture.ts';
import { seedWeCom, TEST_CORP } from '../testing/wecom.ts';
import { connectEmulator } from '../testing/wecom-live-codes.ts';

/** Mutating endpoints whose audit entry is checked elsewhere, and why. */
const EXEMPT: Record<string, string> = {
  'setup.complete': 'needs an empty database; auth.test.ts checks its tenant.created entry',
  'demo.load': 'loads a whole demo brand in the background (demo.loaded is written by the loader)',
  'imports.upload': 'takes a raw file body; routes/imports.test.ts checks its import.uploaded entry',
  'audiences.preview': 'reads only: a rule is sent in a body because it does not fit in a query string',
  'audiences.explain': 'reads only, like audiences.preview',
  'audiences.overlap': 'reads only, like audiences.preview',
};

interface Request {
  readonly method: Endpoint['method'];
  readonly url: string;
  readonly body?: unknown;
  /** The entry's target id. */
  readonly target: string;
  /** Who sends it (the owner's session unless said); `actor` is who the entry names. */
  readonly caller?: Caller;
  readonly actor?: string;
}

interface Scenario {
  readonly action: string;
  /** Fields the diff must name. */
  readonly diff: readonly string[];
  prepare(): Promise<Request>;
}

/** Entries written later by work a call started, under that call's request id. */
const BACKGROUND_ACTIONS = ['import.completed', 'import.dry_run'];

const scenario = (action: string, diff: string[], prepare: () => Promise<Request>): Scenario => ({
  action,
  diff,
  prepare,
});

const mutating = Object.entries(api).flatMap(([group, list]) =>
  Object.entries(list as Record<string, Endpoint>)
    .filter(([, e]) => e.method !== 'GET')
    .map(([name]) => `${group}.${name}`),
);

describe.each(testDialects())('audit log on %s', (dialect) => {
  let f: HttpFixture;
  let owner: SessionCaller;
  let ownerCtx: Ctx;
  let tenantId: string;
  let root: string;

  beforeAll(async () => {
    f = await httpFixture(dialect);
    const t = await makeTenant(f.services);
    [tenantId, root, ownerCtx] = [t.tenantId, t.rootUnitId, t.owner];
    owner = await f.signIn(t.ownerEmail);
  });
  afterAll(() => f.close());

  const must = <T>(r: { ok: true; value: T } | { ok: false; error: unknown }): T => {
    if (!r.ok) throw new Error(`setup failed: ${JSON.stringify(r.error)}`);
    return r.value;
  };
  const unit = async () =>
    must(await f.services.orgUnits.create(ownerCtx, { parentId: root, name: 'U', kind: 'store' })).id;
  const staff = async () => must(await f.services.staff.create(ownerCtx, { name: 'S', orgUnitId: root })).id;
  const customer = async (name = 'C') =>
    must(await f.services.customers.create(ownerCtx, { name, identities: [] })).customer.id;
  const freshUser = async () => {
    const u = await addUser(f.services, tenantId, root, 'operator');
    return { ...u, caller: await f.signIn(u.email) };
  };

  let wecomSeeded: ReturnType<typeof seedWeCom> | null = null;
  const wecomSeed = () => {
    wecomSeeded ??= seedWeCom(f.services, ownerCtx, 'audit-wecom', root);
    return wecomSeeded;
  };

  // Live codes and transfers call WeCom: the tenant is connected to an emulator on first use.
  let connected: ReturnType<typeof connectEmulator> | null = null;
  const emulated = () => {
    connected ??= connectEmulator(f.services, ownerCtx, root);
    return connected;
  };
  afterAll(async () => {
    if (connected) await (await connected).emulator.close();
  });
  const liveCode = async () => {
    const { staff } = await emulated();
    return must(
      await f.services.wecomLiveCodes.create(ownerCtx, {
        name: '门店',
        pool: [{ staffId: staff[0]?.id ?? '' }],
      }),
    ).id;
  };

  const SCENARIOS: Record<string, Scenario> = {
    'liveCodes.create': scenario('wecom.live_code_created', ['name', 'state', 'configId'], async () => {
      const { staff } = await emulated();
      return {
        method: 'POST',
        url: '/api/v1/wecom/live-codes',
        body: { name: '门店海报', pool: [{ staffId: staff[0]?.id, dailyCap: 20 }] },
        target: '',
      };
    }),
    'liveCodes.update': scenario('wecom.live_code_updated', ['name'], async () => {
      const id = await liveCode();
      return { method: 'PATCH', url: `/api/v1/wecom/live-codes/${id}`, body: { name: '新名字' }, target: id };
    }),
    'liveCodes.remove': scenario('wecom.live_code_deleted', ['status'], async () => {
      const id = await liveCode();
      return { method: 'DELETE', url: `/api/v1/wecom/live-codes/${id}`, target: id };
    }),
    'transfers.create': scenario('wecom.transfer_started', ['kind', 'customers'], async () => {
      const { staff } = await emulated();
      return {
        method: 'POST',
        url: '/api/v1/wecom/transfers',
        body: {
          kind: 'in_service',
          handoverUserId: staff[0]?.userId,
          takeoverStaffId: staff[1]?.id,
          externalUserIds: ['wmAuditCustomer01'],
        },
        target: '',
      };
    }),
    'transfers.retry': scenario('wecom.transfer_retried', ['status'], async () => {
      const { staff } = await emulated();
      const id = must(
        await f.services.wecomSuccession.create(ownerCtx, {
          kind: 'in_service',
          handoverUserId: staff[0]?.userId ?? '',
          takeoverStaffId: staff[1]?.id ?? '',
          externalUserIds: ['wmAuditUnknown02'],
        }),
      ).id;
      await f.services.platform.jobs.runDue();
      return { method: 'POST', url: `/api/v1/wecom/transfers/${id}/retry`, body: {}, target: id };
    }),
    'wecomConfig.save': scenario('wecom.configured', ['corpId', 'token', 'encodingAesKey'], async () => ({
      method: 'PUT',
      url: '/api/v1/wecom/config',
      body: TEST_CORP,
      target: tenantId,
    })),
    'wecomConfig.check': scenario('wecom.connection_checked', ['ok'], async () => {
      await wecomSeed();
      return { method: 'POST', url: '/api/v1/wecom/config/check', target: tenantId };
    }),
    'wecomCallbacks.retry': scenario('wecom.callback_retried', ['status'], async () => {
      const { failedCallbackId } = await wecomSeed();
      return {
        method: 'POST',
        url: `/api/v1/wecom/callbacks/${failedCallbackId}/retry`,
        target: failedCallbackId,
      };
    }),
    'wecomSync.start': scenario('wecom.sync_started', ['status'], async () => {
      await wecomSeed();
      // A secret makes a sync possible; nothing listens on port 9, so its job only fails.
      must(
        await f.services.wecom.config.save(ownerCtx, {
          ...TEST_CORP,
          secret: 'audit-secret-0123456789',
          apiBaseUrl: 'http://127.0.0.1:9',
        }),
      );
      return { method: 'POST', url: '/api/v1/wecom/sync', target: '' };
    }),
    'lossAlerts.update': scenario('wecom.loss_alert_updated', ['status'], async () => {
      const { lossAlertId } = await wecomSeed();
      return {
        method: 'PATCH',
        url: `/api/v1/wecom/loss-alerts/${lossAlertId}`,
        body: { status: 'closed' },
        target: lossAlertId,
      };
    }),
    'auth.signIn': scenario('auth.signed_in', [], async () => {
      const u = await addUser(f.services, tenantId, root, 'analyst');
      const body = { identifier: u.email, password: 'correct horse battery' };
      return {
        method: 'POST',
        url: '/api/v1/auth/sign-in',
        body,
        target: u.id,
        caller: f.anonymous,
        actor: u.id,
      };
    }),
    'auth.signOut': scenario('auth.signed_out', [], async () => {
      const u = await freshUser();
      return { method: 'POST', url: '/api/v1/auth/sign-out', target: u.id, caller: u.caller, actor: u.id };
    }),
    'auth.changePassword': scenario('auth.password_changed', [], async () => {
      const u = await freshUser();
      const body = { currentPassword: 'correct horse battery', newPassword: 'a whole new password' };
      return {
        method: 'POST',
        url: '/api/v1/auth/password',
        body,
        target: u.id,
        caller: u.caller,
        actor: u.id,
      };
    }),
    'orgUnits.create': scenario('org_unit.created', ['name', 'kind', 'parentId'], async () => ({
      method: 'POST',
      url: '/api/v1/org-units',
      body: { parentId: root, name: 'East', kind: 'region' },
      target: '',
    })),
    'orgUnits.update': scenario('org_unit.updated', ['name'], async () => {
      const id = await unit();
      return { method: 'PATCH', url: `/api/v1/org-units/${id}`, body: { name: 'Renamed' }, target: id };
    }),
    'orgUnits.remove': scenario('org_unit.deleted', ['name', 'kind'], async () => {
      const id = await unit();
      return { method: 'DELETE', url: `/api/v1/org-units/${id}`, target: id };
    }),
    'staff.create': scenario('staff.created', ['name', 'mobile'], async () => ({
      method: 'POST',
      url: '/api/v1/staff',
      body: { name: 'Li', orgUnitId: root, mobile: '13700000000' },
      target: '',
    })),
    'staff.update': scenario('staff.updated', ['title'], async () => {
      const id = await staff();
      return { method: 'PATCH', url: `/api/v1/staff/${id}`, body: { title: 'Guide' }, target: id };
    }),
    'staff.depart': scenario('staff.departed', ['status', 'departed_at'], async () => {
      const id = await staff();
      return { method: 'POST', url: `/api/v1/staff/${id}/depart`, body: {}, target: id };
    }),
    'staff.reinstate': scenario('staff.reinstated', ['status', 'departed_at'], async () => {
      const id = await staff();
      must(await f.services.staff.depart(ownerCtx, id, {}));
      return { method: 'POST', url: `/api/v1/staff/${id}/reinstate`, target: id };
    }),
    'users.create': scenario('user.created', ['name', 'email', 'role'], async () => ({
      method: 'POST',
      url: '/api/v1/users',
      body: {
        name: 'New',
        email: `new-${randomUUID()}@example.test`,
        password: 'long enough password',
        role: 'staff',
      },
      target: '',
    })),
    'users.update': scenario('user.updated', ['role'], async () => {
      const u = await addUser(f.services, tenantId, root, 'staff');
      return { method: 'PATCH', url: `/api/v1/users/${u.id}`, body: { role: 'analyst' }, target: u.id };
    }),
    'apiKeys.create': scenario('api_key.created', ['name', 'scopes'], async () => ({
      method: 'POST',
      url: '/api/v1/api-keys',
      body: { name: 'Audited key', scopes: ['org.read'] },
      target: '',
    })),
    'apiKeys.revoke': scenario('api_key.revoked', ['revokedAt'], async () => {
      const id = must(await f.services.apiKeys.create(ownerCtx, { name: 'K', scopes: ['org.read'] })).apiKey
        .id;
      return { method: 'DELETE', url: `/api/v1/api-keys/${id}`, target: id };
    }),
    'customers.create': scenario('customer.created', ['name'], async () => ({
      method: 'POST',
      url: '/api/v1/customers',
      body: { name: 'Wang' },
      target: '',
    })),
    'customers.update': scenario('customer.updated', ['city'], async () => {
      const id = await customer();
      return { method: 'PATCH', url: `/api/v1/customers/${id}`, body: { city: '杭州' }, target: id };
    }),
    'customers.attachIdentities': scenario('customer.identities_attached', ['identities'], async () => {
      const id = await customer();
      const body = { identities: [{ type: 'member_id', value: `m-${randomUUID()}` }] };
      return { method: 'POST', url: `/api/v1/customers/${id}/identities`, body, target: id };
    }),
    'customers.addNote': scenario('customer.note_added', [], async () => {
      const id = await customer();
      return {
        method: 'POST',
        url: `/api/v1/customers/${id}/notes`,
        body: { body: 'Likes oolong' },
        target: id,
      };
    }),
    'customers.merge': scenario('customer.merged', ['merged'], async () => {
      const [a, b] = [await customer('A'), await customer('B')];
      return {
        method: 'POST',
        url: '/api/v1/customers/merge',
        body: { survivorId: a, mergedId: b },
        target: a,
      };
    }),
    'merges.unmerge': scenario('customer.unmerged', ['restored'], async () => {
      const [a, b] = [await customer('A'), await customer('B')];
      const merge = must(await f.services.customers.manualMerge(ownerCtx, a, b));
      return { method: 'POST', url: `/api/v1/merges/${merge.id}/unmerge`, target: a };
    }),
    'privacy.recordConsent': scenario('consent.withdrawn', ['purpose', 'channel', 'status'], async () => {
      const id = await customer();
      const body = { purpose: 'marketing', channel: 'sms', status: 'withdrawn' };
      return { method: 'POST', url: `/api/v1/customers/${id}/consents`, body, target: id };
    }),
    'privacy.erase': scenario('customer.erased', ['reason'], async () => {
      const id = await customer();
      const body = { confirm: id, reason: 'the customer asked' };
      return { method: 'POST', url: `/api/v1/customers/${id}/erase`, body, target: id };
    }),
    'imports.start': scenario('import.started', ['mapping', 'dryRun'], async () => {
      const upload = must(
        await f.services.imports.upload(
          ownerCtx,
          { fileName: 'a.csv' },
          Readable.from(['phone\n13800000000\n']),
        ),
      );
      return {
        method: 'POST',
        url: `/api/v1/imports/${upload.id}/start`,
        body: { mapping: { phone: 'phone' } },
        target: upload.id,
      };
    }),
    'attributes.create': scenario('attribute.created', ['label', 'type'], async () => ({
      method: 'POST',
      url: '/api/v1/attributes',
      body: { key: 'vip_tier', label: 'VIP tier', type: 'enum', options: ['gold', 'silver'] },
      target: 'vip_tier',
    })),
    'attributes.update': scenario('attribute.updated', ['label'], async () => {
      must(await f.services.attributes.create(ownerCtx, { key: 'shoe_size', label: 'Shoe', type: 'number' }));
      return {
        method: 'PATCH',
        url: '/api/v1/attributes/shoe_size',
        body: { label: 'Shoe size' },
        target: 'shoe_size',
      };
    }),
    'stratification.update': scenario('stratification.updated', ['rfm', 'version'], async () => ({
      method: 'PUT',
      url: '/api/v1/stratification',
      body: {
        rfm: {
          recencyDays: [14, 30, 90, 180],
          frequencyOrders: [2, 4, 6, 8],
          monetarySpend: [100, 300, 600, 1200],
          highFrom: 3,
        },
      },
      target: ownerCtx.principal.tenantId,
    })),
    'stratification.recompute': scenario('stratification.recompute', ['runId'], async () => ({
      method: 'POST',
      url: '/api/v1/stratification/recompute',
      target: ownerCtx.principal.tenantId,
    })),
    'identityPriority.set': scenario('identity_priority.updated', ['priority', 'isDefault'], async () => ({
      method: 'PUT',
      url: '/api/v1/settings/identity-priority',
      body: { priority: ['phone', ...IdentityType.options.filter((t) => t !== 'phone')] },
      target: ownerCtx.principal.tenantId,
    })),
    'tagGroups.create': scenario('tag_group.created', ['name'], async () => ({
      method: 'POST',
      url: '/api/v1/tag-groups',
      body: { name: '兴趣' },
      target: '',
    })),
    'tagGroups.update': scenario('tag_group.updated', ['name'], async () => {
      const id = must(await f.services.tags.createGroup(ownerCtx, { name: '旧组' })).id;
      return { method: 'PATCH', url: `/api/v1/tag-groups/${id}`, body: { name: '新组' }, target: id };
    }),
    'tagGroups.remove': scenario('tag_group.deleted', ['name'], async () => {
      const id = must(await f.services.tags.createGroup(ownerCtx, { name: '空组' })).id;
      return { method: 'DELETE', url: `/api/v1/tag-groups/${id}`, target: id };
    }),
    'wecomTagSync.set': scenario('tag_group.wecom_sync_off', ['synced'], async () => {
      const id = must(await f.services.tags.createGroup(ownerCtx, { name: '企微同步组' })).id;
      await f.services.platform.db
        .insertInto('wecom_synced_tag_groups')
        .values({
          tenant_id: ownerCtx.principal.tenantId,
          group_id: id,
          origin: 'pond',
          last_error: null,
          last_error_at: null,
          created_at: Date.now(),
        })
        .execute();
      return {
        method: 'PUT',
        url: `/api/v1/tag-groups/${id}/wecom-sync`,
        body: { synced: false },
        target: id,
      };
    }),
    'tags.create': scenario('tag.created', ['name', 'color'], async () => {
      const groupId = must(await f.services.tags.createGroup(ownerCtx, { name: '偏好' })).id;
      return {
        method: 'POST',
        url: '/api/v1/tags',
        body: { groupId, name: '咖啡', color: 'gold' },
        target: '',
      };
    }),
    'tags.update': scenario('tag.updated', ['name'], async () => {
      const groupId = must(await f.services.tags.createGroup(ownerCtx, { name: '渠道' })).id;
      const id = must(await f.services.tags.create(ownerCtx, { groupId, name: '门店', color: 'blue' })).id;
      return { method: 'PATCH', url: `/api/v1/tags/${id}`, body: { name: '线下门店' }, target: id };
    }),
    'tags.apply': scenario('tag.applied', ['changed'], async () => {
      const groupId = must(await f.services.tags.createGroup(ownerCtx, { name: '批量' })).id;
      const id = must(
        await f.services.tags.create(ownerCtx, { groupId, name: '批量打标', color: 'blue' }),
      ).id;
      const c = must(await f.services.customers.create(ownerCtx, { name: '批量客户', identities: [] }));
      return {
        method: 'POST',
        url: `/api/v1/tags/${id}/apply`,
        body: { customerIds: [c.customer.id] },
        target: id,
      };
    }),
    'tags.remove': scenario('tag.removed', ['changed'], async () => {
      const groupId = must(await f.services.tags.createGroup(ownerCtx, { name: '批量去除' })).id;
      const id = must(await f.services.tags.create(ownerCtx, { groupId, name: '去标', color: 'blue' })).id;
      const c = must(await f.services.customers.create(ownerCtx, { name: '去标客户', identities: [] }));
      must(await f.services.tags.bulkApply(ownerCtx, id, { customerIds: [c.customer.id] }));
      return {
        method: 'POST',
        url: `/api/v1/tags/${id}/remove`,
        body: { customerIds: [c.customer.id] },
        target: id,
      };
    }),
    'customerTags.add': scenario('customer.tagged', ['tags'], async () => {
      const groupId = must(await f.services.tags.createGroup(ownerCtx, { name: '单个' })).id;
      const tagId = must(
        await f.services.tags.create(ownerCtx, { groupId, name: '高价值', color: 'red' }),
      ).id;
      const c = must(await f.services.customers.create(ownerCtx, { name: '打标客户', identities: [] }));
      return {
        method: 'POST',
        url: `/api/v1/customers/${c.customer.id}/tags`,
        body: { tagIds: [tagId] },
        target: c.customer.id,
      };
    }),
    'customerTags.remove': scenario('customer.untagged', ['tags'], async () => {
      const groupId = must(await f.services.tags.createGroup(ownerCtx, { name: '单个去除' })).id;
      const tagId = must(
        await f.services.tags.create(ownerCtx, { groupId, name: '流失风险', color: 'red' }),
      ).id;
      const c = must(await f.services.customers.create(ownerCtx, { name: '去标签客户', identities: [] }));
      must(await f.services.tags.tagCustomer(ownerCtx, c.customer.id, [tagId]));
      return {
        method: 'POST',
        url: `/api/v1/customers/${c.customer.id}/tags/remove`,
        body: { tagIds: [tagId] },
        target: c.customer.id,
      };
    }),
    'autoTagRules.create': scenario('auto_tag_rule.created', ['name', 'rule'], async () => {
      const groupId = must(await f.services.tags.createGroup(ownerCtx, { name: '自动' })).id;
      const tagId = must(
        await f.services.tags.create(ownerCtx, { groupId, name: '上海客户', color: 'blue' }),
      ).id;
      return {
        method: 'POST',
        url: '/api/v1/auto-tag-rules',
        body: { name: '上海', rule: { kind: 'attribute', field: 'city', op: 'eq', value: '上海' }, tagId },
        target: '',
      };
    }),
    'autoTagRules.update': scenario('auto_tag_rule.updated', ['enabled'], async () => {
      const groupId = must(await f.services.tags.createGroup(ownerCtx, { name: '自动2' })).id;
      const tagId = must(
        await f.services.tags.create(ownerCtx, { groupId, name: '北京客户', color: 'blue' }),
      ).id;
      const rule = must(
        await f.services.autoTags.create(ownerCtx, {
          name: '北京',
          rule: { kind: 'attribute', field: 'city', op: 'eq', value: '北京' },
          tagId,
          removeWhenUnmatched: true,
        }),
      );
      return {
        method: 'PATCH',
        url: `/api/v1/auto-tag-rules/${rule.id}`,
        body: { enabled: false },
        target: rule.id,
      };
    }),
    'autoTagRules.run': scenario('auto_tag_rule.run', [], async () => {
      const groupId = must(await f.services.tags.createGroup(ownerCtx, { name: '自动3' })).id;
      const tagId = must(
        await f.services.tags.create(ownerCtx, { groupId, name: '杭州客户', color: 'blue' }),
      ).id;
      const rule = must(
        await f.services.autoTags.create(ownerCtx, {
          name: '杭州',
          rule: { kind: 'attribute', field: 'city', op: 'eq', value: '杭州' },
          tagId,
          removeWhenUnmatched: true,
        }),
      );
      return { method: 'POST', url: `/api/v1/auto-tag-rules/${rule.id}/run`, target: rule.id };
    }),
    'audiences.create': scenario('audience.created', ['name', 'size'], async () => ({
      method: 'POST',
      url: '/api/v1/audiences',
      body: { name: '上海客户', rule: { kind: 'attribute', field: 'city', op: 'eq', value: '上海' } },
      target: '',
    })),
    'audiences.update': scenario('audience.updated', ['name', 'rule'], async () => {
      const id = must(
        await f.services.savedAudiences.create(ownerCtx, {
          name: '杭州客户',
          rule: { kind: 'attribute', field: 'city', op: 'eq', value: '杭州' },
          kind: 'dynamic',
        }),
      ).id;
      const rule = { kind: 'source_channel', channels: ['活码'] };
      return {
        method: 'PATCH',
        url: `/api/v1/audiences/${id}`,
        body: { name: '活码客户', rule },
        target: id,
      };
    }),
    'sources.create': scenario('source.created', ['name'], async () => ({
      method: 'POST',
      url: '/api/v1/sources',
      body: { name: 'Mini program' },
      target: '',
    })),
    'sources.update': scenario('source.updated', ['name'], async () => {
      const id = must(await f.services.sources.create(ownerCtx, { name: 'Old' })).id;
      return { method: 'PATCH', url: `/api/v1/sources/${id}`, body: { name: 'New' }, target: id };
    }),
  };

  it.each(mutating)('%s records who did what to which, with the diff and the request id', async (key) => {
    if (EXEMPT[key]) return;
    const scenario = SCENARIOS[key];
    expect(scenario, `add a scenario for ${key} to SCENARIOS (or a reason to EXEMPT)`).toBeDefined();
    if (!scenario) return;
    const req = await scenario.prepare();
    const requestId = `req-${randomUUID()}`;
    const res = await (req.caller ?? owner).call(req.method, req.url, req.body, {
      'x-request-id': requestId,
    });
    expect(res.status, JSON.stringify(res.json)).toBeLessThan(300);
    expect(res.headers['x-request-id']).toBe(requestId);

    // Work the call started in the background (an import finishing) is recorded under the same
    // request id; the call's own entry is the one this scenario names.
    const rows = await f.services.platform.db
      .selectFrom('audit_log')
      .selectAll()
      .where('request_id', '=', requestId)
      .where('action', 'not in', BACKGROUND_ACTIONS)
      .execute();
    expect(rows.map((r) => r.action)).toEqual([scenario.action]);
    const [row] = rows;
    const target = req.target || res.json.id || res.json.apiKey?.id || res.json.customer?.id;
    expect(row).toMatchObject({
      tenant_id: tenantId,
      actor_type: 'user',
      actor_id: req.actor ?? owner.me.user.id,
      target_id: target,
      ip: f.remoteAddress,
      created_at: f.clock.now(),
    });
    const diff = JSON.parse(row?.diff ?? '{}') as Record<string, [unknown, unknown]>;
    expect(Object.keys(diff)).toEqual(expect.arrayContaining([...scenario.diff]));
    const text = JSON.stringify(diff);
    for (const secret of ['password_hash', 'key_hash', 'secret', 'scrypt$', 'correct horse', 'long enough']) {
      expect(text).not.toContain(secret);
    }
    // The entry reads back through the API with the same request id.
    const listed = await owner.call('GET', `/api/v1/audit-log?action=${scenario.action}&targetId=${target}`);
    expect(listed.json.data.map((e: { requestId: string }) => e.requestId)).toContain(requestId);
  });
});
