import type { Ctx, Services } from '@pond/core';
import { newId } from '@pond/core';
import { startWeComEmulator, type WeComEmulator } from '@pond/wecom';
import { TEST_CORP } from './wecom.ts';

/**
 * A live code and a transfer of a tenant, written directly (no WeCom connection needed), for
 * tests that only read them back or prove another tenant cannot reach them.
 */
export async function seedLiveCodeAndTransfer(
  services: Services,
  tenantId: string,
  mark: string,
  staffId: string,
) {
  const now = services.platform.clock.now();
  const liveCodeId = newId('wlc', now);
  await services.platform.db
    .insertInto('wecom_live_codes')
    .values({
      id: liveCodeId,
      tenant_id: tenantId,
      name: `${mark} code`,
      state: `s${mark.replace(/[^A-Za-z0-9]/g, '').slice(-20)}`,
      config_id: `cfg${mark.replace(/[^A-Za-z0-9]/g, '')}`,
      qr_code: null,
      skip_verify: 1,
      pool: JSON.stringify([{ staffId, dailyCap: null, schedule: [] }]),
      fallback_staff_id: null,
      welcome: JSON.stringify({ text: `${mark} welcome`, attachments: [] }),
      tag_ids: '[]',
      auto_remark: null,
      active_users: '[]',
      sync_error: null,
      status: 'active',
      created_at: now,
      updated_at: now,
      deleted_at: null,
    })
    .execute();
  const transferId = newId('wtr', now);
  await services.platform.db
    .insertInto('wecom_transfers')
    .values({
      id: transferId,
      tenant_id: tenantId,
      kind: 'resigned',
      handover_userid: `${mark}-leaver`,
      handover_staff_id: null,
      takeover_userid: `${mark}-taker`,
      takeover_staff_id: staffId,
      message: null,
      status: 'done',
      created_by: mark,
      next_check_at: null,
      created_at: now,
      updated_at: now,
    })
    .execute();
  await services.platform.db
    .insertInto('wecom_transfer_items')
    .values({
      tenant_id: tenantId,
      transfer_id: transferId,
      target: 'customer',
      wecom_id: `wm${mark.replace(/[^A-Za-z0-9]/g, '')}`,
      customer_id: null,
      origin_customer_id: null,
      status: 'refused',
      errcode: null,
      error: 'the customer refused the transfer',
      takeover_at: now,
      attempts: 1,
      created_at: now,
      updated_at: now,
    })
    .execute();
  return { liveCodeId, transferId };
}

/**
 * Points a tenant's WeCom connection at a fresh emulator (its own corp and secret) and makes
 * Pond staff for the corp's active members; the default gateway then talks to the emulator.
 */
export async function connectEmulator(services: Services, owner: Ctx, orgUnitId: string) {
  const secret = 'emulatorSecret_0123456789';
  const emulator: WeComEmulator = await startWeComEmulator({
    seed: 5,
    generate: { departments: 1, staff: 3, customers: 6, groups: 1 },
    secret,
  });
  const saved = await services.wecom.config.save(owner, {
    corpId: emulator.corpId,
    secret,
    token: TEST_CORP.token,
    encodingAesKey: TEST_CORP.encodingAesKey,
    apiBaseUrl: emulator.url,
  });
  if (!saved.ok) throw new Error(saved.error.message);
  const staff: { id: string; userId: string }[] = [];
  for (const u of emulator.corp.users.values()) {
    if (u.status !== 1 || !u.customerContact) continue;
    const s = await services.staff.create(owner, { name: u.name, orgUnitId, wecomUserId: u.userId });
    if (!s.ok) throw new Error(s.error.message);
    staff.push({ id: s.value.id, userId: u.userId });
  }
  return { emulator, staff };
}
