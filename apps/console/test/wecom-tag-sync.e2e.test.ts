import type { Services } from '@pond/core';
import type { TestTenant } from '@pond/testing';
import type { Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { browserAvailable } from './browser.ts';
import { openTenantConsole, type TenantConsole } from './console-session.ts';

describe.runIf(browserAvailable())('the corp tag sync on the tags page', () => {
  let services: Services;
  let tenant: TestTenant;
  let session: TenantConsole;
  let page: Page;
  let pondGroupId: string;

  beforeAll(async () => {
    session = await openTenantConsole();
    ({ services, tenant, page } = session);
    const fromWeCom = await services.tags.createGroup(tenant.owner, { name: '客户等级' });
    const pond = await services.tags.createGroup(tenant.owner, { name: '门店偏好' });
    if (!fromWeCom.ok || !pond.ok) throw new Error('setup');
    pondGroupId = pond.value.id;
    // A group that came from WeCom, whose last rename WeCom refused (made in its admin console).
    await services.platform.db
      .insertInto('wecom_synced_tag_groups')
      .values({
        tenant_id: tenant.tenantId,
        group_id: fromWeCom.value.id,
        origin: 'wecom',
        last_error: 'errcode 301002: not allow operate another agent resource',
        last_error_at: Date.now(),
        created_at: Date.now(),
      })
      .execute();
  }, 180_000);

  afterEach((ctx) => session.screenshotFailure(ctx.task));

  afterAll(() => session?.close());

  it('shows each group’s switch and WeCom error, and says why a group cannot be synced yet', async () => {
    await session.signIn(tenant.ownerEmail);
    await page.goto(`${session.url}/tags`);
    const wecomCard = page.locator('.ant-card-type-inner', { hasText: '客户等级' });
    await wecomCard.getByText('企业微信同步出错').waitFor();
    expect(await wecomCard.getByRole('switch').isChecked()).toBe(true);
    expect(await wecomCard.getByRole('switch').isDisabled()).toBe(true);

    const pondCard = page.locator('.ant-card-type-inner', { hasText: '门店偏好' });
    expect(await pondCard.getByRole('switch').isChecked()).toBe(false);
    await pondCard.getByRole('switch').click();
    await page.getByText(/connect WeCom first|连接企业微信/).waitFor();
    expect(await services.wecomTagSync.list(tenant.owner)).toHaveLength(1);
    expect((await services.wecomTagSync.list(tenant.owner))[0]?.groupId).not.toBe(pondGroupId);
    await page.screenshot({ path: '/tmp/pond-console-tag-sync.png', fullPage: true });
  });
});
