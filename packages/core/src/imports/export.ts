import { PassThrough, Readable } from 'node:stream';
import type { Customer, ListCustomersQuery } from '@pond/contracts';
import ExcelJS from 'exceljs';
import type { AuditLog } from '../audit/audit-log.ts';
import type { Customers } from '../customers/customers.ts';
import type { Platform } from '../platform/platform.ts';
import type { Ctx } from '../shared/context.ts';
import { ok, type Result } from '../shared/result.ts';

const COLUMNS: readonly [keyof Customer, string][] = [
  ['id', 'ID'],
  ['name', '姓名'],
  ['phone', '手机号'],
  ['email', '邮箱'],
  ['gender', '性别'],
  ['birthday', '生日'],
  ['region', '地区'],
  ['city', '城市'],
  ['membershipLevel', '会员等级'],
  ['lifecycleStage', '生命周期'],
  ['sourceChannel', '来源渠道'],
  ['ownerStaffId', '负责员工'],
  ['storeId', '门店'],
  ['orderCount', '订单数'],
  ['totalSpend', '累计消费'],
  ['lastActiveAt', '最近活跃'],
  ['createdAt', '创建时间'],
];

const csvCell = (v: unknown) => {
  if (v === null || v === undefined) return '';
  const s = typeof v === 'number' && v > 1e12 ? new Date(v).toISOString() : String(v);
  return /[",\r\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
};

export type ExportFilters = Omit<ListCustomersQuery, 'limit' | 'cursor' | 'order'>;

/**
 * Exports a filtered customer list as CSV (UTF-8 with a BOM, so Excel shows Chinese right)
 * or XLSX, page by page, so a large list never sits in memory. Personal data is masked for
 * principals without pii.view, as everywhere else.
 */
export function createExports(p: Platform, audit: AuditLog, customers: Customers) {
  async function* pages(ctx: Ctx, filters: ExportFilters) {
    let cursor: string | undefined;
    do {
      const page = await customers.list(ctx, { ...filters, limit: 200, order: 'asc', cursor });
      if (!page.ok) return;
      yield page.value.data;
      cursor = page.value.nextCursor ?? undefined;
    } while (cursor);
  }

  return {
    async customers(ctx: Ctx, filters: ExportFilters, format: 'csv' | 'xlsx'): Promise<Result<Readable>> {
      await p.tx(async (trx) => {
        await audit.record(trx, ctx, {
          action: 'customers.exported',
          targetType: 'customers',
          targetId: format,
          // Which filters were used, not their values: the log stays free of ids and search text.
          after: {
            filteredBy: Object.keys(filters).filter((k) => filters[k as keyof ExportFilters] !== undefined),
          },
        });
        return ok(null);
      });
      if (format === 'csv') {
        return ok(
          Readable.from(
            (async function* () {
              yield `\ufeff${COLUMNS.map(([, label]) => label).join(',')}\r\n`;
              for await (const rows of pages(ctx, filters)) {
                yield rows.map((c) => `${COLUMNS.map(([key]) => csvCell(c[key])).join(',')}\r\n`).join('');
              }
            })(),
          ),
        );
      }
      const out = new PassThrough();
      const workbook = new ExcelJS.stream.xlsx.WorkbookWriter({ stream: out });
      const sheet = workbook.addWorksheet('customers');
      sheet.addRow(COLUMNS.map(([, label]) => label)).commit();
      void (async () => {
        for await (const rows of pages(ctx, filters)) {
          for (const c of rows) sheet.addRow(COLUMNS.map(([key]) => c[key] ?? '')).commit();
        }
        sheet.commit();
        await workbook.commit();
      })().catch((e: unknown) => out.destroy(e instanceof Error ? e : new Error(String(e))));
      return ok(out);
    },
  };
}
