import { type Kysely, sql } from 'kysely';

const DAY = 86_400_000;
/** How far back the daily sizes of existing audiences are rebuilt from their history. */
const BACKFILL_DAYS = 366;

/**
 * Audiences can be archived, and keep their size per UTC day. The days before this migration
 * are rebuilt from the membership history, backwards from each audience's size now, so the
 * trend of an existing audience does not start empty.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema.alterTable('audiences').addColumn('archived_at', 'bigint').execute();
  await db.schema
    .createTable('audience_sizes')
    .addColumn('tenant_id', 'text', (c) => c.notNull())
    .addColumn('audience_id', 'text', (c) => c.notNull())
    .addColumn('day', 'bigint', (c) => c.notNull())
    .addColumn('size', 'integer', (c) => c.notNull())
    .addPrimaryKeyConstraint('audience_sizes_pk', ['tenant_id', 'audience_id', 'day'])
    .execute();
  // Entries and exits per audience and day, for the audience's size chart.
  await db.schema
    .createIndex('audience_history_audience')
    .on('audience_history')
    .columns(['tenant_id', 'audience_id', 'at'])
    .execute();

  const audiences = await sql<{ id: string; tenant_id: string; size: number; created_at: number }>`
    select id, tenant_id, size, created_at from audiences`.execute(db);
  if (audiences.rows.length === 0) return;
  const changes = await sql<{ audience_id: string; d: number | string; net: number | string }>`
    select audience_id, at / ${sql.lit(DAY)} as d, sum(case when change = 'entered' then 1 else -1 end) as net
    from audience_history group by audience_id, at / ${sql.lit(DAY)}`.execute(db);
  const net = new Map(changes.rows.map((c) => [`${c.audience_id}:${Number(c.d)}`, Number(c.net)]));
  const today = Math.floor(Date.now() / DAY);
  const rows: { tenant_id: string; audience_id: string; day: number; size: number }[] = [];
  for (const a of audiences.rows) {
    const first = Math.max(Math.floor(Number(a.created_at) / DAY), today - BACKFILL_DAYS + 1);
    let size = Number(a.size);
    for (let d = today; d >= first; d--) {
      rows.push({ tenant_id: a.tenant_id, audience_id: a.id, day: d * DAY, size: Math.max(0, size) });
      size -= net.get(`${a.id}:${d}`) ?? 0;
    }
  }
  for (let i = 0; i < rows.length; i += 500) {
    await (db as Kysely<{ audience_sizes: (typeof rows)[number] }>)
      .insertInto('audience_sizes')
      .values(rows.slice(i, i + 500))
      .execute();
  }
}
