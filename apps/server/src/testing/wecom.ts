import type { Ctx, Services } from '@pond/core';
import { sealCallback, toXml } from '@pond/wecom';

/** Callback settings of a test corp (the go-workwx G2 vector's Token and key). */
export const TEST_CORP = {
  corpId: 'ww6a112864f8022910',
  token: 'kz7Yx62CH8SaLN',
  encodingAesKey: 'cD0d7jx4tYvVtzqrmh3Dm3QFCXe6f8SlHoMtMh3qQEP',
};

/** A decrypted event as WeCom writes it, with the self-built header. */
export function wecomEvent(event: string, fields: Record<string, string | string[]>, at: number): string {
  return toXml('xml', {
    ToUserName: TEST_CORP.corpId,
    FromUserName: 'sys',
    CreateTime: Math.floor(at / 1000),
    MsgType: 'event',
    Event: event,
    ...fields,
  });
}

/** Seals an event and hands it to the tenant's receiver, as WeCom's POST would. */
export async function deliver(services: Services, callbackKey: string, xml: string) {
  const sealed = sealCallback(
    { token: TEST_CORP.token, encodingAesKey: TEST_CORP.encodingAesKey, receiveId: TEST_CORP.corpId },
    xml,
    { now: () => services.platform.clock.now() },
  );
  return services.wecom.receiver.receive(
    callbackKey,
    { msg_signature: sealed.msgSignature, timestamp: sealed.timestamp, nonce: sealed.nonce },
    sealed.xml,
    '203.0.113.1',
  );
}

/**
 * Gives a tenant WeCom data through its real callback path: a connection, a staff member
 * with a userid, a customer who added and then deleted them (a relationship and a loss
 * alert), a customer group with a member, and one callback left failed (for retries).
 */
export async function seedWeCom(services: Services, owner: Ctx, mark: string, orgUnitId: string) {
  const config = await services.wecom.config.save(owner, {
    ...TEST_CORP,
    apiBaseUrl: 'https://qyapi.weixin.qq.com',
  });
  if (!config.ok) throw new Error(config.error.message);
  const callbackKey = config.value.callbackPath?.split('/').pop() ?? '';
  const staff = await services.staff.create(owner, {
    name: `${mark} 导购`,
    orgUnitId,
    wecomUserId: `u${mark.slice(-8)}`,
  });
  if (!staff.ok) throw new Error(staff.error.message);
  const userId = `u${mark.slice(-8)}`;
  const external = `wm${mark.replace(/[^A-Za-z0-9]/g, '').slice(-12)}`;
  const now = () => services.platform.clock.now();
  const contact = { UserID: userId, ExternalUserID: external };
  await deliver(
    services,
    callbackKey,
    wecomEvent(
      'change_external_contact',
      { ChangeType: 'add_external_contact', ...contact, State: mark.slice(-20) },
      now(),
    ),
  );
  await deliver(
    services,
    callbackKey,
    wecomEvent('change_external_contact', { ChangeType: 'del_follow_user', ...contact }, now() + 1000),
  );
  await deliver(
    services,
    callbackKey,
    wecomEvent(
      'change_external_chat',
      {
        ChatId: `wr${external}`,
        ChangeType: 'update',
        UpdateDetail: 'add_member',
        JoinScene: '0',
        MemChangeList: [external],
      },
      now(),
    ),
  );
  await deliver(
    services,
    callbackKey,
    wecomEvent('change_external_contact', { ChangeType: 'edit_external_contact', ...contact }, now() + 2000),
  );
  await services.platform.jobs.runDue();
  const db = services.platform.db;
  const tenantId = owner.principal.tenantId;
  const edited = await db
    .selectFrom('wecom_callbacks')
    .select('id')
    .where('tenant_id', '=', tenantId)
    .where('change_type', '=', 'edit_external_contact')
    .executeTakeFirstOrThrow();
  // As if every attempt had failed: the one state a retry is offered for.
  await db
    .updateTable('wecom_callbacks')
    .set({ status: 'failed', last_error: 'WeCom answered errcode -1' })
    .where('id', '=', edited.id)
    .execute();
  const alert = await db
    .selectFrom('wecom_loss_alerts')
    .select('id')
    .where('tenant_id', '=', tenantId)
    .executeTakeFirstOrThrow();
  const group = await db
    .selectFrom('wecom_groups')
    .select('id')
    .where('tenant_id', '=', tenantId)
    .executeTakeFirstOrThrow();
  return {
    callbackKey,
    failedCallbackId: String(edited.id),
    lossAlertId: alert.id,
    groupId: group.id,
    staffId: staff.value.id,
  };
}
