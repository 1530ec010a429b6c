import { type Services, weComGateways } from '@pond/core';
import type { TestTenant } from '@pond/testing';
import { startWeComEmulator, type WeComEmulator } from '@pond/wecom';
import type { Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { browserAvailable } from './browser.ts';
import { openTenantConsole, type TenantConsole } from './console-session.ts';

const TOKEN = 'PondConsoleToken1';
const AES_KEY = 'ConsoleE2eKey0123456789abcdefghijklmnopqrst';

describe.runIf(browserAvailable())('WeCom in the console', () => {
  let session: TenantConsole;
  let services: Services;
  let tenant: TestTenant;
  let emulator: WeComEmulator;
  let page: Page;
  let userId: string;

  /** What the worker does in the background. */
  const work = async () => {
    await services.platform.jobs.runDue();
    await services.platform.outbox.drain();
  };

  beforeAll(async () => {
    emulator = await startWeComEmulator({ seed: 11, generate: { staff: 3, customers: 5, groups: 0 } });
    session = await openTenantConsole({ services: { wecomGateway: weComGateways() } });
    ({ services, tenant, page } = session);
    userId = [...emulator.corp.users.keys()][0] ?? '';
    const staff = await services.staff.create(tenant.owner, {
      name: '王芳',
      orgUnitId: tenant.rootUnitId,
      wecomUserId: userId,
    });
    if (!staff.ok) throw new Error(staff.error.message);
  }, 180_000);

  afterEach((ctx) => session.screenshotFailure(ctx.task));

  afterAll(async () => {
    await session?.close();
    await emulator?.close();
  });

  it('configures WeCom, checks the connection and receives the emulated corp’s callbacks', async () => {
    await session.signIn(tenant.ownerEmail, '/wecom/settings');
    await page.getByRole('menuitem', { name: '企业微信设置' }).click();
    const form = page.getByRole('form', { name: '企业微信连接' });
    await form.getByLabel('企业 ID（corpid）').fill(emulator.corpId);
    await form.getByLabel('应用 AgentId').fill(String(emulator.agentId));
    await form.getByLabel('应用 Secret').fill(emulator.secret);
    await form.getByLabel('回调 Token').fill(TOKEN);
    await form.getByLabel('EncodingAESKey').fill(AES_KEY);
    await form.getByLabel('API 地址').fill(emulator.url);
    await form.getByRole('button', { name: /保\s*存/ }).click();
    await page.getByText('已保存', { exact: true }).first().waitFor();

    const callbackUrl = await page.getByLabel('回调地址').inputValue();
    expect(callbackUrl).toMatch(/\/wecom\/callback\/[A-Za-z0-9_-]+$/);
    await page.getByRole('button', { name: '检查连接' }).click();
    await page.getByTestId('wecom-check').getByText('连接正常').waitFor();

    // The corp's admin saves the URL: WeCom verifies it, then pushes events.
    emulator.setCallback({ url: callbackUrl, token: TOKEN, encodingAesKey: AES_KEY });
    expect((await emulator.verifyCallbackUrl()).ok).toBe(true);
    const added = await emulator.corp.addExternalContact({ userId, state: 'poster-01' });
    expect(added.delivery.delivered).toBe(true);
    const lost = await emulator.corp.customerDeletesStaff(userId, added.externalUserId);
    expect(lost.delivered).toBe(true);
    await work();
    await page.reload();
    await page.getByRole('cell', { name: /del_follow_user/ }).waitFor();
    await page.screenshot({ path: '/tmp/pond-console-wecom-settings.png', fullPage: true });

    // The loss alert, with its win-back task for the owner.
    const name = emulator.corp.customers.get(added.externalUserId)?.name ?? '';
    await page.getByRole('menuitem', { name: '流失提醒' }).click();
    const row = page.getByRole('row', { name: new RegExp(name) });
    await row.getByText('客户删除了员工').waitFor();
    await row.getByRole('button', { name: '任务完成' }).click();
    await row.getByText('已完成').waitFor();
    await page.screenshot({ path: '/tmp/pond-console-loss-alerts.png', fullPage: true });

    // The customer 360 shows the relationship.
    await row.getByRole('link', { name }).click();
    const card = page.getByTestId('customer-wecom');
    await card.getByText('客户已删除员工').waitFor();
    await card.getByText('渠道：poster-01', { exact: false }).waitFor();
  }, 90_000);

  it('runs a full sync and shows its progress', async () => {
    await page.getByRole('menuitem', { name: '企业微信设置' }).click();
    await page.getByRole('button', { name: '开始同步' }).click();
    await page.getByTestId('wecom-sync').waitFor();
    await work();
    const sync = page.getByTestId('wecom-sync');
    await sync.getByText('已完成').waitFor();
    await sync.getByText('全部完成').waitFor();
    const latest = await services.wecom.fullSync.latest(tenant.owner);
    expect(latest.sync?.relationships).toBeGreaterThan(0);
  });

  it('lists customer groups with their members', async () => {
    const externals = [...emulator.corp.customers.keys()].slice(0, 2);
    const created = await emulator.corp.createGroup({
      owner: userId,
      name: '咖啡同好群',
      externalUserIds: externals,
    });
    expect(created.delivery.delivered).toBe(true);
    await work();
    await page.getByRole('menuitem', { name: '客户群' }).click();
    await page.getByRole('cell', { name: '咖啡同好群' }).click();
    const drawer = page.locator('.ant-drawer');
    await drawer.getByText(created.chatId).waitFor();
    // Customers in the group link to their profiles.
    for (const id of externals) {
      await drawer.getByRole('link', { name: emulator.corp.customers.get(id)?.name ?? id }).waitFor();
    }
    await page.screenshot({ path: '/tmp/pond-console-customer-groups.png', fullPage: true });
  });
});
