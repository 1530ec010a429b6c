import type { Services } from '@pond/core';
import type { TestTenant } from '@pond/testing';
import type { Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { browserAvailable } from './browser.ts';
import { openTenantConsole, type TenantConsole } from './console-session.ts';

const DAY = 86_400_000;

describe.runIf(browserAvailable())('stratification in the console', () => {
  let services: Services;
  let tenant: TestTenant;
  let session: TenantConsole;
  let page: Page;
  let loyalId: string;

  /** What the worker does in the background: timers, recompute runs and outbox consumers. */
  const work = async () => {
    await services.platform.outbox.drain();
    await services.platform.jobs.runDue();
    await services.platform.outbox.drain();
  };

  beforeAll(async () => {
    session = await openTenantConsole();
    ({ services, tenant, page } = session);
    const customers: [string, number, number, number | null][] = [
      ['老客户', 8, 4200, Date.now() - 3 * DAY],
      ['回头客', 2, 260, Date.now() - 40 * DAY],
      ['新朋友', 0, 0, null],
    ];
    for (const [name, orders, spend, lastOrderAt] of customers) {
      const created = await services.customers.create(tenant.owner, {
        name,
        identities: [{ type: 'user_id', value: name }],
      });
      if (!created.ok) throw new Error('setup');
      if (name === '老客户') loyalId = created.value.customer.id;
      await services.platform.db
        .updateTable('customers')
        .set({
          order_count: orders,
          total_spend: spend,
          last_order_at: lastOrderAt,
          last_active_at: lastOrderAt,
          first_seen_at: lastOrderAt === null ? Date.now() : lastOrderAt - 100 * DAY,
        })
        .where('public_id', '=', created.value.customer.id)
        .execute();
    }
    await work();
  }, 180_000);

  afterEach((ctx) => session.screenshotFailure(ctx.task));

  afterAll(() => session?.close());

  it('shows the distributions, refuses a bad rule on its field, saves and recomputes with progress', async () => {
    await session.signIn(tenant.ownerEmail);
    await page.getByRole('menuitem', { name: '客户分层' }).click();
    await page.getByText('当前使用默认规则').waitFor();
    await page.getByRole('img', { name: '生命周期阶段分布' }).waitFor();
    await page.getByRole('img', { name: '最近消费 × 消费频次' }).waitFor();
    await page.getByRole('img', { name: 'RFM 分群分布' }).waitFor();
    // Two of the three have ordered; one has not.
    const unscored = page.locator('.ant-statistic', { hasText: '未下单（无 RFM 评分）' });
    await expect.poll(() => unscored.locator('.ant-statistic-content').textContent()).toBe('1');
    await page.screenshot({ path: '/tmp/pond-console-stratification.png', fullPage: true });

    // At risk after more days than churned: the server names the field and the form shows it.
    const lifecycle = page.locator('.ant-card', { hasText: '生命周期规则' });
    await lifecycle.getByLabel('流失风险：不活跃天数 ≥').fill('200');
    await lifecycle.getByRole('button', { name: '保存并重新计算' }).click();
    await lifecycle.getByText('must be more than atRiskAfterDays (200)').waitFor();
    expect((await services.stratification.get(tenant.owner)).version).toBe(0);

    await lifecycle.getByLabel('流失风险：不活跃天数 ≥').fill('30');
    await lifecycle.getByRole('button', { name: '保存并重新计算' }).click();
    await page.getByText('已保存，正在后台重新计算全部客户').waitFor();
    await page.getByText('等待重新计算…').waitFor();
    const saved = await services.stratification.get(tenant.owner);
    expect([saved.version, saved.lifecycle.atRiskAfterDays]).toEqual([1, 30]);

    // The worker runs the recompute; the page follows it to the end.
    await work();
    // 回头客, inactive for 40 days, is now at risk; the charts follow.
    await page.getByText(/上次重新计算完成于.*1 位客户的分层发生变化/).waitFor();
    await page.getByText('规则版本 1', { exact: false }).waitFor();
  });

  it('shows the stage, the checks behind it and the RFM scores on the customer 360', async () => {
    await page.goto(`${session.url}/customers/${loyalId}`);
    const card = page.locator('.ant-card', { hasText: '判断过程' });
    await card.getByText('忠诚', { exact: true }).first().waitFor();
    await card.getByText('重要价值客户').waitFor();
    await card.getByText('订单 8 笔，阈值 3 笔').waitFor();
    await page.screenshot({ path: '/tmp/pond-console-customer-stratification.png', fullPage: true });
  });

  it('reads in English too', async () => {
    await page.getByRole('button', { name: 'English' }).click();
    await page.getByRole('menuitem', { name: 'Stratification' }).click();
    await page.getByText('Customers by lifecycle stage').first().waitFor();
    await page.getByText('Lifecycle rules').waitFor();
    await page.screenshot({ path: '/tmp/pond-console-stratification-en.png', fullPage: true });
  });
});
