import type { Services } from '@pond/core';
import type { TestTenant } from '@pond/testing';
import type { FastifyInstance } from 'fastify';
import iconv from 'iconv-lite';
import type { Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { browserAvailable } from './browser.ts';
import { openTenantConsole, type TenantConsole } from './console-session.ts';

describe.runIf(browserAvailable())('console in Chromium', () => {
  let session: TenantConsole;
  let app: FastifyInstance;
  let services: Services;
  let tenant: TestTenant;
  let page: Page;
  let url: string;

  beforeAll(async () => {
    session = await openTenantConsole();
    ({ app, services, tenant, page, url } = session);
  }, 180_000);

  afterEach((ctx) => session.screenshotFailure(ctx.task));

  afterAll(() => session?.close());

  it('signs in, creates a store and a staff member in it', async () => {
    await session.signIn(tenant.ownerEmail, '/org');
    await page.getByRole('menuitem', { name: '组织与员工' }).click();
    await page.getByText('湖畔咖啡 · 总部').waitFor();

    // A store under the head office.
    await page.getByRole('button', { name: '添加下级' }).click();
    const unitDialog = page.getByRole('dialog');
    await unitDialog.getByLabel('组织名称').fill('西湖店');
    await unitDialog.getByLabel('类型').click();
    await page.locator('.ant-select-item-option', { hasText: '门店' }).click();
    await unitDialog.getByRole('button', { name: /保\s*存/ }).click();
    await page.getByText('西湖店 · 门店').click();

    // A staff member in that store.
    await page.getByRole('button', { name: '添加员工' }).click();
    const drawer = page.locator('.ant-drawer');
    await drawer.getByLabel('姓名').fill('王芳');
    await drawer.getByLabel('手机号').fill('13800138000');
    await drawer.getByLabel('企业微信 UserID').fill('wangfang');
    await drawer.getByRole('button', { name: /保\s*存/ }).click();
    await page.getByRole('cell', { name: '王芳' }).waitFor();
    await page.screenshot({ path: '/tmp/pond-console-org.png' });

    const units = await services.orgUnits.list(tenant.owner);
    const store = units.find((u) => u.name === '西湖店');
    expect(store?.kind).toBe('store');
    const staff = await services.staff.list(tenant.owner, {
      orgUnitId: store?.id,
      limit: 10,
      order: 'desc',
      sort: 'createdAt',
    });
    expect(staff.ok && staff.value.data.map((s) => [s.name, s.mobile, s.wecomUserId])).toEqual([
      ['王芳', '+8613800138000', 'wangfang'],
    ]);
  });

  it('shows a customer whose events arrived through a source, with their timeline', async () => {
    const source = await services.sources.create(tenant.owner, { name: 'Mall' });
    if (!source.ok) throw new Error('setup');
    const res = await app.inject({
      method: 'POST',
      url: '/v1/batch',
      headers: { 'x-write-key': source.value.writeKey, 'content-type': 'application/json' },
      payload: {
        batch: [
          {
            type: 'identify',
            userId: 'member-1',
            traits: { name: '李雷', phone: '13900139000', city: '上海' },
          },
          { type: 'track', userId: 'member-1', event: 'Order Completed', properties: { total: 128 } },
        ],
      },
    });
    expect(res.json().accepted).toBe(2);
    await page.goto(`${url}/customers`);
    await page.getByRole('cell', { name: '李雷' }).click();
    await page.getByText('Order Completed').waitFor();
    await page.getByText('user_id: member-1').waitFor();
    await page.screenshot({ path: '/tmp/pond-console-customer.png' });
    await page.getByRole('menuitem', { name: '实时调试' }).click();
    await page.getByRole('cell', { name: 'Order Completed' }).first().waitFor();
  });

  it('defines a custom attribute, edits a customer with it, adds an identity and merges a duplicate', async () => {
    await page.getByRole('menuitem', { name: '客户属性' }).click();
    await page.getByRole('button', { name: '新建属性' }).click();
    const dialog = page.getByRole('dialog');
    await dialog.getByLabel('显示名称').fill('会员层级');
    await dialog.getByLabel('属性标识').fill('vip_tier');
    await dialog.getByLabel('类型').click();
    await page.locator('.ant-select-item-option', { hasText: '单选' }).click();
    await dialog.getByLabel('可选值').fill('金卡');
    await dialog.getByLabel('可选值').press('Enter');
    await dialog.getByLabel('可选值').fill('银卡');
    await dialog.getByLabel('可选值').press('Enter');
    await dialog.getByRole('button', { name: /保\s*存/ }).click();
    await page.getByRole('cell', { name: 'vip_tier' }).waitFor();

    // Phone first in the merge priority.
    for (let i = 0; i < 4; i++) await page.getByRole('button', { name: 'phone 上移' }).click();
    await page
      .locator('.ant-card', { hasText: '身份合并优先级' })
      .getByRole('button', { name: /保\s*存/ })
      .click();
    await expect
      .poll(async () => (await services.identityPriority.get(tenant.owner)).priority[0])
      .toBe('phone');

    const duplicate = await services.customers.create(tenant.owner, {
      name: '李雷（旧）',
      email: 'lilei@example.test',
      identities: [],
    });
    if (!duplicate.ok) throw new Error('setup');
    await page.goto(`${url}/customers`);
    await page.getByRole('cell', { name: '李雷', exact: true }).click();
    await page.getByRole('button', { name: '编辑资料' }).click();
    const drawer = page.locator('.ant-drawer');
    await drawer.locator('.ant-form-item', { hasText: '会员层级' }).locator('.ant-select').click();
    await page.locator('.ant-select-dropdown:visible .ant-select-item-option', { hasText: '金卡' }).click();
    await drawer.getByRole('button', { name: /保\s*存/ }).click();
    await page.locator('.ant-descriptions-item', { hasText: '会员层级' }).getByText('金卡').waitFor();

    await page.getByRole('button', { name: '添加身份' }).click();
    const identity = page.getByRole('dialog');
    await identity.getByLabel('身份类型').click();
    await page
      .locator('.ant-select-dropdown:visible .ant-select-item-option', { hasText: 'member_id' })
      .click();
    await identity.getByLabel('值').fill('M-0001');
    await identity.getByRole('button', { name: /保\s*存/ }).click();
    await page.getByText('member_id: M-0001').waitFor();

    await page.getByRole('button', { name: '合并其他客户' }).click();
    const merge = page.getByRole('dialog');
    await merge.getByPlaceholder('搜索要合并的客户').fill('lilei@example.test');
    await merge.getByPlaceholder('搜索要合并的客户').press('Enter');
    await merge.getByText('李雷（旧）').click();
    await merge.getByRole('button', { name: /确\s*认/ }).click();
    await page.getByText('email: lilei@example.test').waitFor();
    await page.screenshot({ path: '/tmp/pond-console-customer-edit.png' });

    const found = await services.customers.list(tenant.owner, { q: 'M-0001', limit: 5, order: 'desc' });
    expect(found.ok && found.value.data.map((c) => [c.name, c.attributes, c.email])).toEqual([
      ['李雷', { vip_tier: '金卡' }, 'lilei@example.test'],
    ]);
  });

  it('imports a GBK CSV through the wizard', async () => {
    const csv = iconv.encode('姓名,手机号,城市\r\n韩梅梅,13700137000,南京\r\n坏数据,123,北京\r\n', 'gbk');
    await page.getByRole('menuitem', { name: '导入客户' }).click();
    await page
      .locator('input[type=file]')
      .setInputFiles({ name: '会员.csv', mimeType: 'text/csv', buffer: csv });
    await page.getByText('识别为 gb18030 编码').waitFor();
    await page.getByRole('button', { name: '开始导入' }).click();
    await page.getByText('下载错误报告').waitFor();
    const found = await services.customers.list(tenant.owner, { q: '13700137000', limit: 5, order: 'desc' });
    expect(found.ok && found.value.data.map((c) => [c.name, c.city])).toEqual([['韩梅梅', '南京']]);
  });

  it('filters the customer list and chooses its columns', async () => {
    await page.goto(`${url}/customers`);
    await page.getByRole('cell', { name: '李雷', exact: true }).waitFor();
    await page.getByLabel('城市').click();
    await page.locator('.ant-select-dropdown:visible .ant-select-item-option', { hasText: '南京' }).click();
    await page.getByRole('cell', { name: '韩梅梅' }).waitFor();
    await expect.poll(() => page.getByRole('cell', { name: '李雷', exact: true }).count()).toBe(0);
    await page.getByRole('button', { name: '显示列' }).click();
    await page.locator('.ant-popover').getByText('会员层级').click();
    await page.getByRole('columnheader', { name: '会员层级' }).waitFor();
  });

  it('manages tags, tags a customer from the 360 view and tags the selected customers in bulk', async () => {
    await page.locator('.ant-menu-item', { hasText: /^标签$/ }).click();
    await page.getByRole('button', { name: '新建标签组' }).click();
    await page.getByRole('dialog').getByLabel('标签组名称').fill('兴趣');
    await page
      .getByRole('dialog')
      .getByRole('button', { name: /保\s*存/ })
      .click();
    await page.getByRole('button', { name: '添加标签' }).click();
    await page.getByRole('dialog').getByLabel('标签名称').fill('咖啡爱好者');
    await page
      .getByRole('dialog')
      .getByRole('button', { name: /保\s*存/ })
      .click();
    await page.getByText('咖啡爱好者 · 0').waitFor();

    await page.goto(`${url}/customers`);
    await page.getByRole('cell', { name: '李雷', exact: true }).click();
    await page.getByLabel('选择标签').click();
    await page
      .locator('.ant-select-dropdown:visible .ant-select-item-option', { hasText: '咖啡爱好者' })
      .click();
    await page.getByRole('button', { name: '打标签' }).click();
    await page.locator('.ant-tag', { hasText: '兴趣：咖啡爱好者' }).waitFor();

    await page.goto(`${url}/customers`);
    await page
      .getByRole('row', { name: /韩梅梅/ })
      .getByRole('checkbox')
      .check();
    await page.getByLabel('选择标签').click();
    await page
      .locator('.ant-select-dropdown:visible .ant-select-item-option', { hasText: '咖啡爱好者' })
      .click();
    await page.getByRole('button', { name: '批量打标签' }).click();
    await page.getByText('1 位客户已更新').waitFor();
    await page.screenshot({ path: '/tmp/pond-console-tags.png' });

    await page.getByLabel('标签', { exact: true }).click();
    await page
      .locator('.ant-select-dropdown:visible .ant-select-item-option', { hasText: '咖啡爱好者' })
      .click();
    await page.getByRole('cell', { name: '韩梅梅' }).waitFor();
    await page.getByRole('cell', { name: '李雷', exact: true }).waitFor();

    const groups = await services.tags.groups(tenant.owner);
    expect(groups.map((g) => [g.name, g.tags.map((x) => [x.name, x.customers])])).toEqual([
      ['兴趣', [['咖啡爱好者', 2]]],
    ]);
  });

  it('counts an audience live while its conditions are edited', async () => {
    await page.getByRole('menuitem', { name: '人群' }).click();
    await page.getByText('还没有保存的人群').waitFor();
    await page.getByRole('button', { name: '圈选新人群' }).click();
    await page.getByLabel('字段', { exact: true }).click();
    await page.locator('.ant-select-dropdown:visible .ant-select-item-option', { hasText: '城市' }).click();
    await page.getByLabel('条件', { exact: true }).click();
    await page
      .locator('.ant-select-dropdown:visible .ant-select-item-option', { hasText: '等于' })
      .first()
      .click();
    await page.getByLabel('值', { exact: true }).fill('南京');
    await page.locator('.ant-statistic', { hasText: '匹配客户' }).getByText('1', { exact: true }).waitFor();
    await page.getByRole('cell', { name: '韩梅梅' }).waitFor();

    await page.getByRole('button', { name: '添加条件' }).click();
    await page.locator('.ant-segmented-item', { hasText: '满足任一条件' }).click();
    await page.locator('.ant-select', { hasText: '属性' }).nth(1).click();
    await page.locator('.ant-select-dropdown:visible .ant-select-item-option', { hasText: '标签' }).click();
    await page.getByLabel('选择标签').click();
    await page
      .locator('.ant-select-dropdown:visible .ant-select-item-option', { hasText: '咖啡爱好者' })
      .click();
    await page.locator('.ant-statistic', { hasText: '匹配客户' }).getByText('2', { exact: true }).waitFor();
    await page.screenshot({ path: '/tmp/pond-console-audience.png' });

    await page.getByLabel('搜索一位客户').fill('李雷');
    await page.locator('.ant-select-dropdown:visible .ant-select-item-option', { hasText: '李雷' }).click();
    await page.getByText('这位客户在人群中：').waitFor();

    await page.getByRole('button', { name: '保存为人群' }).click();
    await page.getByRole('dialog').getByLabel('名称').fill('南京或咖啡');
    await page
      .getByRole('dialog')
      .getByRole('button', { name: /保\s*存/ })
      .click();
    await page.getByText('人群「南京或咖啡」的 2 位客户').waitFor();
    await page.getByRole('cell', { name: '韩梅梅' }).waitFor();
    await page.getByText('给整个人群：').waitFor();
    await page.getByLabel('选择标签').click();
    await page
      .locator('.ant-select-dropdown:visible .ant-select-item-option', { hasText: '咖啡爱好者' })
      .click();
    await page.getByRole('button', { name: '批量打标签' }).click();
    await page.getByText('0 位客户已更新，2 位无需变更').waitFor();
    await page.getByRole('cell', { name: '韩梅梅' }).click();
    await page.locator('.ant-card', { hasText: '所在人群' }).getByText('南京或咖啡').waitFor();

    // A second audience, then how the two overlap.
    await services.savedAudiences.create(tenant.owner, {
      name: '南京',
      rule: { kind: 'attribute', field: 'city', op: 'eq', value: '南京' },
      kind: 'static',
    });
    await page.getByRole('menuitem', { name: '人群' }).click();
    for (const name of ['南京或咖啡', '南京']) {
      const row = page.locator('tr').filter({ has: page.getByRole('cell', { name, exact: true }) });
      await row.getByRole('checkbox').check();
    }
    await page.getByRole('button', { name: /比较重叠/ }).click();
    await page.getByRole('dialog').getByRole('cell', { name: '1', exact: true }).first().waitFor();
    await page.keyboard.press('Escape');
    await page.getByRole('dialog').waitFor({ state: 'hidden' });
  });

  it('creates an auto-tag rule that tags the matching customers', async () => {
    const groupId = (await services.tags.groups(tenant.owner))[0]?.id ?? '';
    const tag = await services.tags.create(tenant.owner, { groupId, name: '南京客户', color: 'green' });
    if (!tag.ok) throw new Error('setup');
    await page.getByRole('menuitem', { name: '自动标签' }).click();
    await page.getByRole('button', { name: '新建规则' }).click();
    const drawer = page.locator('.ant-drawer');
    await drawer.getByLabel('名称').fill('南京的客户');
    await drawer.getByLabel('打上的标签').click();
    await page
      .locator('.ant-select-dropdown:visible .ant-select-item-option', { hasText: '南京客户' })
      .click();
    await drawer.getByLabel('字段', { exact: true }).click();
    await page.locator('.ant-select-dropdown:visible .ant-select-item-option', { hasText: '城市' }).click();
    await drawer.getByLabel('条件', { exact: true }).click();
    await page
      .locator('.ant-select-dropdown:visible .ant-select-item-option', { hasText: '等于' })
      .first()
      .click();
    await drawer.getByLabel('值', { exact: true }).fill('南京');
    await drawer.locator('.ant-statistic', { hasText: '匹配客户' }).getByText('1', { exact: true }).waitFor();
    await drawer.getByRole('button', { name: /保\s*存/ }).click();
    await page.getByRole('cell', { name: '南京的客户' }).waitFor();
    // The worker runs queued jobs in the background; here the test runs them.
    await services.platform.jobs.runDue();
    await expect.poll(async () => (await services.autoTags.list(tenant.owner))[0]?.tagged).toBe(1);
  });

  it('switches to English', async () => {
    await page.getByRole('button', { name: 'English' }).click();
    await page.getByRole('menuitem', { name: 'Organization & staff' }).click();
    await page.getByRole('button', { name: 'Add staff member' }).waitFor();
  });
});
