import { makeTenant, testDialects } from '@pond/testing';
import ExcelJS from 'exceljs';
import iconv from 'iconv-lite';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type HttpFixture, httpFixture } from '../testing/http-fixture.ts';

const CSV = [
  '姓名,手机号,性别,生日,城市,会员等级,备注',
  '张伟,13800001234,男,1990-05-17,上海,金卡,老客户',
  '李娜,13800005678,女,1992/3/8,杭州,银卡,',
  '王五,12345,男,1990-01-01,北京,普通会员,手机号错',
  '赵六,13800009999,不详,1988-02-30,成都,普通会员,性别和生日都错',
  '孙七,,女,,,,没有身份',
].join('\r\n');

describe.each(testDialects())('customer import on %s', (dialect) => {
  let f: HttpFixture;
  let tenant: Awaited<ReturnType<typeof makeTenant>>;

  beforeAll(async () => {
    f = await httpFixture(dialect);
    tenant = await makeTenant(f.services);
  });
  afterAll(() => f.close());

  async function upload(body: Buffer, fileName: string, type = 'text/csv', t = tenant) {
    const owner = await f.signIn(t.ownerEmail);
    const res = await f.app.inject({
      method: 'POST',
      url: `/api/v1/imports?fileName=${encodeURIComponent(fileName)}`,
      headers: { cookie: owner.cookie, 'x-csrf-token': owner.csrfToken, 'content-type': type },
      payload: body,
    });
    return { res, owner };
  }

  const mapping = {
    姓名: 'name',
    手机号: 'phone',
    性别: 'gender',
    生日: 'birthday',
    城市: 'city',
    会员等级: 'membershipLevel',
  };

  async function runImport(id: string, owner: Awaited<ReturnType<HttpFixture['signIn']>>, dryRun = false) {
    const started = await owner.call('POST', `/api/v1/imports/${id}/start`, { mapping, dryRun });
    expect(started.status).toBe(202);
    await f.services.imports.settled(id);
    return (await owner.call('GET', `/api/v1/imports/${id}`)).json;
  }

  it('reads a GBK file, suggests the mapping, dry-runs, imports, reports bad rows and re-imports idempotently', async () => {
    const t = await makeTenant(f.services, 'GBK brand');
    const { res, owner } = await upload(iconv.encode(CSV, 'gbk'), '会员.csv', 'text/csv', t);
    expect(res.statusCode).toBe(201);
    const job = res.json();
    expect(job.encoding).toBe('gb18030');
    expect(job.columns).toEqual(['姓名', '手机号', '性别', '生日', '城市', '会员等级', '备注']);
    expect(job.suggestedMapping).toMatchObject({ ...mapping, 备注: 'ignore' });
    expect(job.sample[0]).toEqual(['张伟', '13800001234', '男', '1990-05-17', '上海', '金卡', '老客户']);
    const uploaded = await f.services.audit.list(t.owner, { limit: 5, order: 'desc', targetId: job.id });
    expect(uploaded.ok && uploaded.value.data.map((e) => [e.action, e.diff.fileName?.[1]])).toEqual([
      ['import.uploaded', '会员.csv'],
    ]);

    const dry = await runImport(job.id, owner, true);
    expect([dry.status, dry.createdRows, dry.failedRows]).toEqual(['done', 2, 3]);
    const none = await f.services.customers.list(t.owner, { limit: 10, order: 'asc' });
    expect(none.ok && none.value.data).toEqual([]);

    const done = await runImport(job.id, owner);
    expect([done.status, done.processedRows, done.createdRows, done.updatedRows, done.failedRows]).toEqual([
      'done',
      5,
      2,
      0,
      3,
    ]);
    const errors = await owner.call('GET', `/api/v1/imports/${job.id}/errors`);
    expect(errors.json.data.map((e: { line: number; column: string | null }) => [e.line, e.column])).toEqual([
      [4, '手机号'],
      [5, '性别'],
      [5, '生日'],
      [6, null],
    ]);
    const list = await f.services.customers.list(t.owner, { limit: 10, order: 'asc', q: '13800005678' });
    expect(
      list.ok && list.value.data.map((c) => [c.name, c.gender, c.birthday, c.city, c.membershipLevel]),
    ).toEqual([['李娜', 'female', '1992-03-08', '杭州', '银卡']]);

    const again = await upload(Buffer.from(`\ufeff${CSV}`, 'utf8'), '会员-utf8.csv', 'text/csv', t);
    expect(again.res.json().encoding).toBe('utf-8');
    const second = await runImport(again.res.json().id, again.owner);
    expect([second.createdRows, second.updatedRows, second.failedRows]).toEqual([0, 2, 3]);
    const all = await f.services.customers.list(t.owner, { limit: 10, order: 'asc' });
    expect(all.ok && all.value.data.length).toBe(2);
  });

  it('imports an XLSX file', async () => {
    const t = await makeTenant(f.services, 'XLSX brand');
    const workbook = new ExcelJS.Workbook();
    const sheet = workbook.addWorksheet('客户');
    sheet.addRow(['Name', 'Mobile', 'Member ID', 'tier']);
    sheet.addRow(['Chen Jie', '13900000001', 'M001', 'gold']);
    sheet.addRow(['Zhou Min', '13900000002', 'M002', 'silver']);
    const buffer = Buffer.from(await workbook.xlsx.writeBuffer());
    const { res, owner } = await upload(
      buffer,
      'members.xlsx',
      'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
      t,
    );
    expect(res.statusCode).toBe(201);
    expect(res.json().suggestedMapping).toEqual({
      Name: 'name',
      Mobile: 'phone',
      'Member ID': 'identity:member_id',
      tier: 'membershipLevel',
    });
    const defined = await owner.call('POST', '/api/v1/attributes', {
      key: 'tier',
      label: 'Tier',
      type: 'enum',
      options: ['gold', 'silver'],
    });
    expect(defined.status).toBe(201);
    const started = await owner.call('POST', `/api/v1/imports/${res.json().id}/start`, {
      mapping: { Name: 'name', Mobile: 'phone', 'Member ID': 'identity:member_id', tier: 'attribute:tier' },
    });
    expect(started.status).toBe(202);
    await f.services.imports.settled(res.json().id);
    const found = await f.services.customers.list(t.owner, { limit: 5, order: 'asc', q: 'M002' });
    expect(found.ok && found.value.data.map((c) => [c.name, c.attributes])).toEqual([
      ['Zhou Min', { tier: 'silver' }],
    ]);
  });

  it('refuses files and mappings it cannot use, with the field at fault', async () => {
    const empty = await upload(Buffer.alloc(0), 'empty.csv');
    expect([empty.res.statusCode, empty.res.json().error.field]).toEqual([400, 'body']);
    const dup = await upload(Buffer.from('phone,phone\n1,2'), 'dup.csv');
    expect(dup.res.json().error.message).toContain('appears twice');
    const name = await upload(Buffer.from('a\n1'), 'data.txt');
    expect([name.res.statusCode, name.res.json().error.field]).toEqual([400, 'query.fileName']);
    const ok = await upload(Buffer.from(CSV), 'ok.csv');
    const id = ok.res.json().id;
    const noIdentity = await ok.owner.call('POST', `/api/v1/imports/${id}/start`, {
      mapping: { 姓名: 'name' },
    });
    expect([noIdentity.status, noIdentity.json.error.field]).toEqual([400, 'body.mapping']);
    const unknownColumn = await ok.owner.call('POST', `/api/v1/imports/${id}/start`, {
      mapping: { 电话: 'phone' },
    });
    expect([unknownColumn.status, unknownColumn.json.error.field]).toEqual([400, 'body.mapping.电话']);
    const badTarget = await ok.owner.call('POST', `/api/v1/imports/${id}/start`, {
      mapping: { 手机号: 'shoe_size' },
    });
    expect(badTarget.status).toBe(400);
  });
});
