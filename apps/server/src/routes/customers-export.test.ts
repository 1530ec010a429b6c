import { addUser, makeTenant, testDialects } from '@pond/testing';
import ExcelJS from 'exceljs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type HttpFixture, httpFixture } from '../testing/http-fixture.ts';

describe.each(testDialects())('customer export on %s', (dialect) => {
  let f: HttpFixture;
  let tenant: Awaited<ReturnType<typeof makeTenant>>;

  beforeAll(async () => {
    f = await httpFixture(dialect);
    tenant = await makeTenant(f.services);
    for (const [name, phone, city] of [
      ['周杰', '13600000001', '上海'],
      ['吴磊, "小吴"', '13600000002', '北京'],
      ['郑爽', '13600000003', '上海'],
    ] as const) {
      await f.services.customers.create(tenant.owner, { name, phone, city, identities: [] });
    }
  });
  afterAll(() => f.close());

  const get = async (url: string, email = tenant.ownerEmail) => {
    const caller = await f.signIn(email);
    return f.app.inject({ method: 'GET', url, headers: { cookie: caller.cookie } });
  };

  it('exports the filtered list as CSV with a BOM, quoting where needed', async () => {
    const res = await get('/api/v1/customers/export?format=csv');
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toContain('text/csv');
    expect(res.headers['content-disposition']).toMatch(
      /attachment; filename="customers-\d{4}-\d{2}-\d{2}\.csv"/,
    );
    expect(res.rawPayload.subarray(0, 3)).toEqual(Buffer.from([0xef, 0xbb, 0xbf]));
    const lines = res.payload
      .replace(/^\ufeff/, '')
      .trim()
      .split('\r\n');
    expect(lines[0]).toMatch(/^ID,姓名,手机号,/);
    expect(lines.length).toBe(4);
    expect(lines[2]).toContain('"吴磊, ""小吴"""');
    const filtered = await get(`/api/v1/customers/export?q=${encodeURIComponent('郑爽')}`);
    expect(filtered.payload.trim().split('\r\n').length).toBe(2);
  });

  it('masks personal data for principals without pii.view, and exports XLSX', async () => {
    const analyst = await addUser(f.services, tenant.tenantId, tenant.rootUnitId, 'analyst');
    const masked = await get('/api/v1/customers/export', analyst.email);
    expect(masked.payload).toContain('+86136****0001');
    expect(masked.payload).not.toContain('13600000001');

    const xlsx = await get('/api/v1/customers/export?format=xlsx');
    expect(xlsx.statusCode).toBe(200);
    const workbook = new ExcelJS.Workbook();
    await workbook.xlsx.load(xlsx.rawPayload as unknown as ArrayBuffer);
    const sheet = workbook.worksheets[0];
    expect(sheet?.rowCount).toBe(4);
    expect(sheet?.getRow(2).getCell(2).value).toBe('周杰');
  });

  it('is refused to roles without customers.export', async () => {
    const staff = await addUser(f.services, tenant.tenantId, tenant.rootUnitId, 'store_manager');
    const res = await get('/api/v1/customers/export', staff.email);
    expect(res.statusCode).toBe(403);
  });
});
