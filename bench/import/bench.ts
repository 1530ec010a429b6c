import { createReadStream, createWriteStream, mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { finished } from 'node:stream/promises';
import { createServices, systemClock } from '@pond/core';
import { createApp, testConfig } from '@pond/server';
import { migrateToLatest, openStorage } from '@pond/storage';
import { makeTenant } from '@pond/testing';

const SCALES: Record<string, number> = { small: 20_000, default: 1_000_000, large: 2_000_000 };
const CITIES = ['上海', '北京', '杭州', '南京', '成都', '广州', '深圳', '武汉'];
const LEVELS = ['普通会员', '银卡', '金卡', '黑金'];
/** Every 1,000th row carries a phone number that cannot be one, and must be reported. */
const BAD_EVERY = 1_000;

/** Writes a member file the way a brand exports one: a Chinese header and one customer per row. */
async function writeFile(path: string, rows: number) {
  const out = createWriteStream(path);
  out.write('姓名,手机号,会员号,性别,生日,城市,会员等级,鞋码\r\n');
  for (let i = 0; i < rows; i++) {
    const phone = i % BAD_EVERY === BAD_EVERY - 1 ? `12${i}` : `1${3 + (i % 7)}${String(i).padStart(9, '0')}`;
    const line = `会员${i},${phone},M${i},${i % 2 ? '男' : '女'},19${70 + (i % 30)}-0${1 + (i % 9)}-1${i % 10},${CITIES[i % CITIES.length]},${LEVELS[i % LEVELS.length]},${35 + (i % 10)}\r\n`;
    if (!out.write(line)) await new Promise<void>((resolve) => out.once('drain', () => resolve()));
  }
  out.end();
  await finished(out);
}

export async function run(scale: string) {
  const rows = SCALES[scale] ?? SCALES.default ?? 0;
  const dir = mkdtempSync(join(tmpdir(), 'pond-bench-import-'));
  try {
    const file = join(dir, 'members.csv');
    await writeFile(file, rows);
    const storage = await openStorage(join(dir, 'pond.db'));
    await migrateToLatest(storage);
    const services = createServices({ storage, clock: systemClock, importDir: join(dir, 'uploads') });
    const tenant = await makeTenant(services, 'Bench');
    const defined = await services.attributes.create(tenant.owner, {
      key: 'shoe_size',
      label: '鞋码',
      type: 'number',
    });
    const key = await services.apiKeys.create(tenant.owner, {
      name: 'bench',
      scopes: ['customers.import', 'customers.read'],
    });
    if (!defined.ok || !key.ok) throw new Error('setup failed');
    const app = await createApp({ config: testConfig(), services });
    const url = await app.listen({ host: '127.0.0.1', port: 0 });
    const auth = { authorization: `Bearer ${key.value.secret}` };

    let peakRss = 0;
    const sampler = setInterval(() => {
      peakRss = Math.max(peakRss, process.memoryUsage().rss);
    }, 200);
    const started = performance.now();
    const upload = await fetch(`${url}/api/v1/imports?fileName=members.csv`, {
      method: 'POST',
      headers: { ...auth, 'content-type': 'text/csv' },
      body: Readable.toWeb(createReadStream(file)) as ReadableStream,
      duplex: 'half',
    } as RequestInit);
    const job = (await upload.json()) as { id: string; suggestedMapping: Record<string, string> };
    const uploaded = performance.now();
    const start = await fetch(`${url}/api/v1/imports/${job.id}/start`, {
      method: 'POST',
      headers: { ...auth, 'content-type': 'application/json' },
      body: JSON.stringify({ mapping: job.suggestedMapping }),
    });
    if (start.status !== 202) throw new Error(`start answered ${start.status}: ${await start.text()}`);
    let status: { status: string; processedRows: number; createdRows: number; failedRows: number };
    let polls = 0;
    for (;;) {
      await new Promise((resolve) => setTimeout(resolve, 500));
      const res = await fetch(`${url}/api/v1/imports/${job.id}`, { headers: auth });
      status = (await res.json()) as typeof status;
      polls++;
      if (polls % 20 === 0) console.error(`  ${status.processedRows} of ${rows} rows`);
      if (status.status !== 'running') break;
    }
    const seconds = (performance.now() - started) / 1000;
    clearInterval(sampler);
    const customers = Number(
      (
        await storage.db
          .selectFrom('customers')
          .select((eb) => eb.fn.countAll().as('n'))
          .where('tenant_id', '=', tenant.tenantId)
          .executeTakeFirstOrThrow()
      ).n,
    );
    await app.close();
    await storage.close();
    const bad = Math.floor(rows / BAD_EVERY);
    const correct =
      status.status === 'done' &&
      status.failedRows === bad &&
      customers === rows - bad &&
      status.createdRows === rows - bad;
    const mb = Math.round(statSync(file).size / 1024 / 1024);
    console.error(
      `import: ${rows} rows (${mb} MB) in ${seconds.toFixed(1)} s (upload ${((uploaded - started) / 1000).toFixed(1)} s), ` +
        `${status.createdRows} created, ${status.failedRows} refused, peak RSS ${Math.round(peakRss / 1024 / 1024)} MB`,
    );
    return {
      bench: 'import',
      scale,
      metric: 'rows_per_second',
      value: Math.round(rows / seconds),
      unit: 'rows/s',
      rows,
      file_mb: mb,
      seconds: Math.round(seconds * 10) / 10,
      peak_rss_mb: Math.round(peakRss / 1024 / 1024),
      correct,
    };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
