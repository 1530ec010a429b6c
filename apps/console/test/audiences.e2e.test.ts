import type { Rule } from '@pond/contracts';
import type { Services } from '@pond/core';
import { must, type TestTenant } from '@pond/testing';
import type { Locator, Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { browserAvailable } from './browser.ts';
import { openTenantConsole, type TenantConsole } from './console-session.ts';

/**
 * The nested audience builder: groups inside groups, relationship and audience conditions,
 * the live count following each edit; then the saved audience's trend, detail chart, editing
 * its rule, and archiving refused while another audience depends on it.
 */
describe.runIf(browserAvailable())('audience builder in Chromium', () => {
  let session: TenantConsole;
  let services: Services;
  let tenant: TestTenant;
  let page: Page;
  let url: string;
  let live = '';

  beforeAll(async () => {
    session = await openTenantConsole({ viewport: { width: 1500, height: 1000 } });
    ({ services, tenant, page, url } = session);
    const owner = tenant.owner;
    const unit = async (name: string, parentId: string, kind: 'region' | 'store') =>
      must(await services.orgUnits.create(owner, { parentId, name, kind })).id;
    const westLake = await unit('西湖店', tenant.rootUnitId, 'store');
    const east = await unit('华东', tenant.rootUnitId, 'region');
    const nanjing = await unit('南京店', east, 'store');
    const wang = must(await services.staff.create(owner, { name: '王芳', orgUnitId: westLake })).id;
    const li = must(await services.staff.create(owner, { name: '李雷', orgUnitId: nanjing })).id;
    for (const [name, fields] of [
      ['甲', { ownerStaffId: wang, storeId: westLake, sourceChannel: '活码' }],
      ['乙', { ownerStaffId: li, storeId: nanjing, sourceChannel: '商城' }],
      ['丙', { sourceChannel: '活码' }],
    ] as const) {
      must(await services.customers.create(owner, { name, ...fields, identities: [] }));
    }
    const liveRule: Rule = { kind: 'source_channel', channels: ['活码'] };
    live = must(
      await services.savedAudiences.create(owner, { name: '活码客户', rule: liveRule, kind: 'dynamic' }),
    ).id;
    must(
      await services.savedAudiences.create(owner, {
        name: '依赖活码',
        rule: { kind: 'audience', audienceId: live, match: 'not_in' },
        kind: 'dynamic',
      }),
    );
    await session.signIn(tenant.ownerEmail, '/audiences/new');
  }, 180_000);

  afterEach((ctx) => session.screenshotFailure(ctx.task));

  afterAll(() => session?.close());

  const option = (text: string) =>
    page.locator('.ant-select-dropdown:visible .ant-select-item-option', { hasText: text }).first();
  const count = (n: number) =>
    page.locator('.ant-statistic', { hasText: '匹配客户' }).getByText(String(n), { exact: true }).waitFor();
  /** Turns the condition row holding the kind select `from` into `to`. */
  const kind = async (scope: Locator, from: string, to: string) => {
    await scope.locator('.ant-select', { hasText: from }).last().click();
    await option(to).click();
  };

  it('nests groups, switches their type and counts live as conditions change', async () => {
    await page.getByRole('menuitem', { name: '人群' }).click();
    await page.getByRole('button', { name: '圈选新人群' }).click();
    const root = page.locator('fieldset').first();
    await kind(root, '属性', '归属员工');
    await page.getByLabel('选择员工').click();
    await option('王芳').click();
    await page.keyboard.press('Escape');
    await count(1);
    // Which evaluator counted, and how long it took (the database while the index builds).
    await expect
      .poll(() => page.getByTestId('preview-answered-by').textContent())
      .toMatch(/^(内存索引|数据库)计算，用时 [\d.]+ (ms|s)/);

    // Any of: owned by 王芳, or (a group) in the audience 活码客户.
    await root.locator('.ant-segmented-item', { hasText: '满足任一条件' }).first().click();
    await page.getByRole('button', { name: '添加分组' }).click();
    const nested = page.locator('fieldset fieldset');
    await expect.poll(() => nested.count()).toBe(1);
    await kind(nested, '属性', '所在人群');
    await nested.getByLabel('选择人群').click();
    await option('活码客户').click();
    await count(2);

    // The group also needs the owner or store under 华东: nobody of 活码客户 is.
    await nested.getByRole('button', { name: '添加条件' }).click();
    await kind(nested, '属性', '组织范围');
    await nested.getByLabel('选择组织').click();
    await page.locator('.ant-select-tree-node-content-wrapper', { hasText: '华东' }).click();
    await page.keyboard.press('Escape');
    await count(1);

    // Either of them will do: 甲, 乙 and 丙.
    await nested.locator('.ant-segmented-item', { hasText: '满足任一条件' }).click();
    await count(3);
    // None of them: only those outside 活码客户 and 华东 — nobody but 甲 (by owner) is left.
    await nested.locator('.ant-segmented-item', { hasText: '都不满足' }).click();
    await count(1);
    await page.screenshot({ path: '/tmp/pond-console-audience-nested.png' });

    await nested.getByRole('button', { name: '删除分组' }).click();
    await expect.poll(() => nested.count()).toBe(0);
    await count(1);

    await page.getByRole('button', { name: '保存为人群' }).click();
    await page.getByRole('dialog').getByLabel('名称').fill('王芳的客户');
    await page
      .getByRole('dialog')
      .getByRole('button', { name: /保\s*存/ })
      .click();
    await page.getByText('人群「王芳的客户」的 1 位客户').waitFor();
    await page.getByRole('button', { name: '人群详情' }).click();
    await page.getByRole('img', { name: '人群「王芳的客户」每日人数、进入与离开' }).waitFor();
    const saved = (await services.savedAudiences.list(tenant.owner)).find((a) => a.name === '王芳的客户');
    expect(saved?.rule).toEqual({
      kind: 'any',
      rules: [{ kind: 'owner_staff', staffIds: [expect.any(String)] }],
    });
  });

  it('shows trends, the size chart, and edits a saved rule with a nested group', async () => {
    await page.getByRole('menuitem', { name: '人群' }).click();
    await page.getByRole('img', { name: /^王芳的客户 近 30 天人数/ }).waitFor();
    await page.screenshot({ path: '/tmp/pond-console-audience-list.png' });
    await page.getByRole('cell', { name: '王芳的客户', exact: true }).click();
    await page.getByRole('img', { name: '人群「王芳的客户」每日人数、进入与离开' }).waitFor();
    await page.screenshot({ path: '/tmp/pond-console-audience-detail.png' });
    await page.getByRole('button', { name: /编\s*辑/ }).click();
    await page.getByText('王芳', { exact: true }).first().waitFor();
    await page.getByRole('button', { name: '添加分组' }).click();
    const nested = page.locator('fieldset fieldset');
    await kind(nested, '属性', '来源渠道');
    await nested.getByLabel('选择或输入渠道').click();
    await option('商城').click();
    await page.keyboard.press('Escape');
    await count(2);
    await page.getByRole('button', { name: '保存修改' }).click();
    await page
      .getByRole('dialog')
      .getByRole('button', { name: /保\s*存/ })
      .click();
    await page.locator('.ant-statistic', { hasText: '当前人数' }).getByText('2', { exact: true }).waitFor();
    const saved = (await services.savedAudiences.list(tenant.owner)).find((a) => a.name === '王芳的客户');
    expect(saved?.rule).toEqual({
      kind: 'any',
      rules: [
        { kind: 'owner_staff', staffIds: [expect.any(String)] },
        { kind: 'all', rules: [{ kind: 'source_channel', channels: ['商城'] }] },
      ],
    });
  });

  it('refuses to archive an audience another one depends on, naming it', async () => {
    await page.goto(`${url}/audiences/${live}`);
    await page.getByRole('button', { name: /归\s*档/ }).click();
    await page.getByRole('button', { name: /确\s*认/ }).click();
    await page.getByText(/cannot be archived while others depend on it: audience "依赖活码"/).waitFor();
    expect(must(await services.savedAudiences.get(tenant.owner, live)).archivedAt).toBeNull();
  });
});
