import { type Services, weComGateways } from '@pond/core';
import type { TestTenant } from '@pond/testing';
import { startWeComEmulator, type WeComEmulator } from '@pond/wecom';
import type { Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { browserAvailable } from './browser.ts';
import { openTenantConsole, type TenantConsole } from './console-session.ts';

const TOKEN = 'PondLiveCodeToken1';
const AES_KEY = 'cD0d7jx4tYvVtzqrmh3Dm3QFCXe6f8SlHoMtMh3qQEP';

describe.runIf(browserAvailable())('live codes and succession in the console', () => {
  let session: TenantConsole;
  let services: Services;
  let tenant: TestTenant;
  let emulator: WeComEmulator;
  let page: Page;
  let url: string;
  const names = new Map<string, string>();

  /** What the worker does in the background. */
  const work = async () => {
    for (let i = 0; i < 5; i++) await services.platform.jobs.runDue();
    await services.platform.outbox.drain();
  };

  beforeAll(async () => {
    emulator = await startWeComEmulator({ seed: 23, generate: { staff: 4, customers: 12, groups: 1 } });
    session = await openTenantConsole({ services: { wecomGateway: weComGateways() } });
    ({ services, tenant, page, url } = session);
    const saved = await services.wecom.config.save(tenant.owner, {
      corpId: emulator.corpId,
      secret: emulator.secret,
      token: TOKEN,
      encodingAesKey: AES_KEY,
      apiBaseUrl: emulator.url,
    });
    if (!saved.ok) throw new Error(saved.error.message);
    for (const u of emulator.corp.users.values()) {
      if (u.status !== 1 || !u.customerContact) continue;
      const s = await services.staff.create(tenant.owner, {
        name: u.name,
        orgUnitId: tenant.rootUnitId,
        wecomUserId: u.userId,
      });
      if (!s.ok) throw new Error(s.error.message);
      names.set(u.userId, u.name);
    }
    const group = await services.tags.createGroup(tenant.owner, { name: '渠道' });
    if (!group.ok) throw new Error('setup');
    await services.tags.create(tenant.owner, { groupId: group.value.id, name: '海报客户', color: 'blue' });
    emulator.setCallback({ url: `${url}${saved.value.callbackPath}`, token: TOKEN, encodingAesKey: AES_KEY });
  }, 180_000);

  afterEach((ctx) => session.screenshotFailure(ctx.task));

  afterAll(async () => {
    await session?.close();
    await emulator?.close();
  });

  it('creates a live code, shows its QR code, and an add through it gets the welcome message and the tag', async () => {
    await session.signIn(tenant.ownerEmail);
    await page.getByRole('menuitem', { name: '渠道活码' }).click();
    await page.getByText('还没有活码', { exact: false }).waitFor();
    await page.getByRole('button', { name: '新建活码' }).click();
    const drawer = page.locator('.ant-drawer');
    await drawer.getByLabel('名称').fill('西湖店海报');
    await drawer.getByLabel('渠道标识（state）').fill('poster-xh');
    const [first] = [...names.entries()];
    await drawer.getByLabel('员工', { exact: true }).click();
    await page
      .locator('.ant-select-item-option', { hasText: first?.[1] ?? '' })
      .first()
      .click();
    await drawer.getByLabel('每日上限').fill('50');
    await drawer.getByLabel('发送欢迎语').click();
    await drawer.getByLabel('文字（{name} 替换为客户昵称）').fill('欢迎来到湖畔咖啡！');
    await drawer.getByLabel('自动标签').click();
    await page.locator('.ant-select-item-option', { hasText: '海报客户' }).click();
    await page.screenshot({ path: '/tmp/pond-console-live-code-form.png', fullPage: true });
    await drawer.getByRole('button', { name: /保\s*存/ }).click();
    await page.getByText('西湖店海报').waitFor();
    const way = [...emulator.corp.contactWays.values()].find((w) => w.state === 'poster-xh');
    expect(way?.users).toEqual([first?.[0]]);

    const added = await emulator.corp.addExternalContact({ configId: way?.configId ?? '' });
    expect(added.delivery.delivered).toBe(true);
    await work();
    expect(emulator.corp.welcomeMessages.map((m) => m.externalUserId)).toContain(added.externalUserId);
    await page.reload();
    await page.getByRole('button', { name: /数\s*据/ }).click();
    const detail = page.locator('.ant-drawer');
    await detail.getByRole('img', { name: '二维码' }).first().waitFor();
    await detail.getByText('已发送').waitFor();
    await detail.getByRole('img', { name: '每日添加与流失' }).waitFor();
    await page.screenshot({ path: '/tmp/pond-console-live-code.png', fullPage: true });
    const tagged = await services.platform.db
      .selectFrom('customer_tags as ct')
      .innerJoin('customer_identities as i', 'i.customer_id', 'ct.customer_id')
      .select('ct.source_name')
      .where('i.value', '=', added.externalUserId)
      .execute();
    expect(tagged.map((r) => r.source_name)).toEqual(['西湖店海报']);
    await detail
      .getByRole('button', { name: 'Close' })
      .or(detail.locator('.ant-drawer-close'))
      .first()
      .click();
  }, 90_000);

  it('hands a departed member’s customers to a colleague, shows a refusal and retries it', async () => {
    const [leaver, receiver] = [...names.keys()]
      .map((u) => ({ u, n: emulator.corp.followsOf(u).length }))
      .sort((a, b) => b.n - a.n)
      .map((x) => x.u);
    const theirs = emulator.corp.followsOf(leaver ?? '').map((f) => f.externalUserId);
    expect(theirs.length).toBeGreaterThan(1);
    emulator.corp.staffLeaves(leaver ?? '');
    await page.getByRole('menuitem', { name: '客户继承' }).click();
    await page.getByRole('cell', { name: new RegExp(names.get(leaver ?? '') ?? '') }).click();
    // Every customer of theirs, then the receiver.
    await page.locator('.ant-table-thead .ant-checkbox-input').first().click();
    await page.getByLabel('接替人').click();
    await page.locator('.ant-select-item-option', { hasText: names.get(receiver ?? '') ?? '' }).click();
    await page.getByText(`已选 ${theirs.length} 位客户、0 个群`).waitFor();
    await page.screenshot({ path: '/tmp/pond-console-succession-pick.png', fullPage: true });
    await page.getByRole('button', { name: '开始转接' }).click();
    await page.getByText('已提交，结果会陆续更新').waitFor();
    await work();
    const transfer = await services.platform.db
      .selectFrom('wecom_transfers')
      .select('id')
      .where('tenant_id', '=', tenant.tenantId)
      .executeTakeFirstOrThrow();
    await emulator.corp.settleTransfers({ refused: [theirs[0] ?? ''] });
    await work();
    // The result check the timer would run.
    await services.wecomSuccession.jobs.poll(tenant.tenantId, transfer.id);
    await page.reload();
    await page.getByRole('button', { name: '转接详情' }).first().click();
    const detail = page.locator('.ant-drawer');
    await detail.getByText('客户拒绝').first().waitFor();
    await detail.getByText(`已接替 ${theirs.length - 1}`).waitFor();
    await page.screenshot({ path: '/tmp/pond-console-succession.png', fullPage: true });
    await detail
      .getByRole('button', { name: '重 试' })
      .or(detail.getByRole('button', { name: '重试' }))
      .click();
    await page.getByText('已重新提交').waitFor();
    await work();
    await detail.getByText('等待客户确认').first().waitFor();
  }, 90_000);
});
