import {
  type SaveWeComConfig,
  WECOM_DEFAULT_API_BASE_URL,
  type WeComCheckItem,
  type WeComConfig,
  type WeComConnectionCheck,
} from '@pond/contracts';
import type { Executor, WeComConfigTable } from '@pond/storage';
import { aesKeyOf } from '@pond/wecom';
import type { Selectable } from 'kysely';
import type { AuditLog } from '../audit/audit-log.ts';
import type { Platform } from '../platform/platform.ts';
import type { Ctx } from '../shared/context.ts';
import { randomToken } from '../shared/ids.ts';
import { fail, ok, type Result } from '../shared/result.ts';
import type { WeComConnection, WeComGatewayFactory } from './gateway.ts';
import { maskSecret, type SecretBox } from './secret-box.ts';

type Row = Selectable<WeComConfigTable>;

export const CALLBACK_PATH = '/wecom/callback/';

/** A tenant's configuration with its secrets opened, for the callback receiver and the gateway. */
export interface OpenConfig {
  readonly tenantId: string;
  readonly callbackKey: string;
  readonly corpId: string;
  readonly token: string;
  readonly encodingAesKey: string;
  /** Null when no secret is stored or it cannot be opened with this server's key. */
  readonly connection: WeComConnection | null;
  /** Why the stored secrets could not be opened, if they could not. */
  readonly problem: string | null;
}

export interface WeComConfigDeps {
  readonly box: SecretBox;
  readonly gateway: WeComGatewayFactory;
  /** Pond's public address, to show the full callback URL. */
  readonly publicUrl: string | null;
}

const KEY_PROBLEM =
  'the stored WeCom secrets cannot be opened with this server’s secret key (was POND_SECRET_KEY changed, or does another node use a different one?); enter them again';

export function openConfig(row: Row, box: SecretBox): OpenConfig {
  const token = box.open(row.token, row.tenant_id);
  const aesKey = box.open(row.aes_key, row.tenant_id);
  const secret = row.secret === null ? null : box.open(row.secret, row.tenant_id);
  const broken = token === null || aesKey === null || (row.secret !== null && secret === null);
  return {
    tenantId: row.tenant_id,
    callbackKey: row.callback_key,
    corpId: row.corp_id,
    token: token ?? '',
    encodingAesKey: aesKey ?? '',
    connection:
      secret === null || broken
        ? null
        : { corpId: row.corp_id, secret, agentId: row.agent_id, apiBaseUrl: row.api_base_url },
    problem: broken ? KEY_PROBLEM : null,
  };
}

export async function configRow(ex: Executor, tenantId: string): Promise<Row | undefined> {
  return ex.selectFrom('wecom_configs').selectAll().where('tenant_id', '=', tenantId).executeTakeFirst();
}

/** The per-tenant WeCom connection: saved with secrets sealed, shown masked, checked live. */
export function createWeComConfig(p: Platform, audit: AuditLog, deps: WeComConfigDeps) {
  const { db, clock } = p;

  function view(row: Row | undefined): WeComConfig {
    const path = row ? `${CALLBACK_PATH}${row.callback_key}` : null;
    const opened = row ? openConfig(row, deps.box) : null;
    const secret = row?.secret ? (row.secret && opened?.connection ? opened.connection.secret : null) : null;
    return {
      configured: row !== undefined,
      corpId: row?.corp_id ?? null,
      agentId: row?.agent_id ?? null,
      secret: row?.secret ? (secret ? maskSecret(secret) : '••••••') : null,
      token: opened?.token ? maskSecret(opened.token) : row ? '••••••' : null,
      encodingAesKey: opened?.encodingAesKey ? maskSecret(opened.encodingAesKey) : row ? '••••••' : null,
      apiBaseUrl: row?.api_base_url ?? WECOM_DEFAULT_API_BASE_URL,
      callbackPath: path,
      callbackUrl: path && deps.publicUrl ? `${deps.publicUrl.replace(/\/$/, '')}${path}` : null,
      secretsEncrypted: true,
      lastCheck: row?.last_check ? (JSON.parse(row.last_check) as WeComConnectionCheck) : null,
      updatedAt: row?.updated_at ?? null,
    };
  }

  return {
    async get(ctx: Ctx): Promise<WeComConfig> {
      return view(await configRow(db, ctx.principal.tenantId));
    },

    save(ctx: Ctx, input: SaveWeComConfig): Promise<Result<WeComConfig>> {
      return p.tx(async (trx) => {
        const tenantId = ctx.principal.tenantId;
        const before = await configRow(trx, tenantId);
        if (!before && (input.token === undefined || input.encodingAesKey === undefined)) {
          const field = input.token === undefined ? 'body.token' : 'body.encodingAesKey';
          return fail('invalid_request', `${field} is required the first time WeCom is configured`, {
            field,
          });
        }
        if (input.encodingAesKey !== undefined && !aesKeyOf(input.encodingAesKey)) {
          return fail('invalid_request', 'the EncodingAESKey does not decode to a 32-byte AES key', {
            field: 'body.encodingAesKey',
          });
        }
        const now = clock.now();
        const seal = (v: string) => deps.box.seal(v, tenantId);
        const values = {
          corp_id: input.corpId,
          agent_id: input.agentId === undefined ? (before?.agent_id ?? null) : input.agentId,
          secret:
            input.secret === undefined
              ? (before?.secret ?? null)
              : input.secret === null
                ? null
                : seal(input.secret),
          token: input.token === undefined ? (before?.token ?? '') : seal(input.token),
          aes_key: input.encodingAesKey === undefined ? (before?.aes_key ?? '') : seal(input.encodingAesKey),
          api_base_url: input.apiBaseUrl.replace(/\/+$/, ''),
          // A changed connection makes the last check meaningless.
          last_check: null,
          last_check_at: null,
          updated_at: now,
        };
        if (before) {
          await trx.updateTable('wecom_configs').set(values).where('tenant_id', '=', tenantId).execute();
        } else {
          await trx
            .insertInto('wecom_configs')
            .values({ ...values, tenant_id: tenantId, callback_key: randomToken(18), created_at: now })
            .execute();
        }
        const after = await configRow(trx, tenantId);
        const shown = (r: Row | undefined) =>
          r && {
            corpId: r.corp_id,
            agentId: r.agent_id,
            apiBaseUrl: r.api_base_url,
            // Only whether a secret changed is recorded, never the value.
            secret: r.secret === null ? null : `sealed:${r.secret.slice(-8)}`,
            token: `sealed:${r.token.slice(-8)}`,
            encodingAesKey: `sealed:${r.aes_key.slice(-8)}`,
          };
        await audit.record(trx, ctx, {
          action: before ? 'wecom.config_updated' : 'wecom.configured',
          targetType: 'wecom_config',
          targetId: tenantId,
          before: shown(before) ?? null,
          after: shown(after) ?? null,
        });
        await p.outbox.append(trx, {
          tenantId,
          type: 'wecom.config_saved',
          aggregateType: 'wecom_config',
          aggregateId: tenantId,
          payload: { corpId: input.corpId },
        });
        return ok(view(after));
      });
    },

    /**
     * Checks the connection as WeCom sees it: the stored values, a token from the secret, a
     * customer-contact call, and whether callbacks have arrived. Each finding says what to fix.
     */
    async check(ctx: Ctx): Promise<Result<WeComConnectionCheck>> {
      const tenantId = ctx.principal.tenantId;
      const row = await configRow(db, tenantId);
      if (!row)
        return fail(
          'conflict',
          'WeCom is not configured yet; save the corpid, Token and EncodingAESKey first',
        );
      const opened = openConfig(row, deps.box);
      const items: WeComCheckItem[] = [];
      if (opened.problem) {
        items.push({
          name: 'config',
          status: 'failed',
          errcode: null,
          code: 'secrets_unreadable',
          message: opened.problem,
        });
      } else if (!opened.connection) {
        items.push({
          name: 'config',
          status: 'warning',
          errcode: null,
          code: 'no_secret',
          message:
            'no app secret is stored: callbacks are received, but customer details, groups and sync need the secret of a self-built app added under 客户联系 → 可调用接口的应用',
        });
      } else {
        items.push({
          name: 'config',
          status: 'ok',
          errcode: null,
          code: 'config_ok',
          message: 'corpid, secret, Token and EncodingAESKey are stored',
        });
      }
      if (opened.connection) {
        const diagnosis = await deps.gateway(opened.connection).checkConnection();
        if (diagnosis.ok) {
          items.push({
            name: 'token',
            status: 'ok',
            errcode: null,
            code: 'token_ok',
            message: 'an access token was issued for this corpid and secret',
          });
          items.push({
            name: 'permission',
            status: diagnosis.warnings.length ? 'warning' : 'ok',
            errcode: null,
            code: diagnosis.warnings.length ? 'no_follow_users' : 'permission_ok',
            params: { count: diagnosis.followUserCount },
            message: diagnosis.warnings.length
              ? diagnosis.warnings.join(' ')
              : `customer-contact APIs answer; ${diagnosis.followUserCount} members have customer contact enabled`,
          });
        } else {
          // gettoken failing means the corpid, secret or address is wrong; a later step, the permission.
          items.push({
            name: diagnosis.step === 'gettoken' ? 'token' : 'permission',
            status: 'failed',
            errcode: diagnosis.errcode ?? null,
            code: diagnosis.problem,
            message: `${diagnosis.problem}: ${diagnosis.detail}${diagnosis.errmsg ? ` (WeCom: ${diagnosis.errmsg})` : ''}`,
          });
        }
      } else {
        items.push({
          name: 'token',
          status: 'skipped',
          errcode: null,
          code: 'skipped',
          message: 'skipped: no usable app secret',
        });
      }
      const last = await db
        .selectFrom('wecom_callbacks')
        .select((eb) => eb.fn.max('received_at').as('at'))
        .where('tenant_id', '=', tenantId)
        .executeTakeFirst();
      const rejected = await db
        .selectFrom('wecom_callback_rejections')
        .select(['reason', 'received_at'])
        .where('tenant_id', '=', tenantId)
        .orderBy('id', 'desc')
        .limit(1)
        .executeTakeFirst();
      const lastAt = last?.at === null || last?.at === undefined ? null : Number(last.at);
      if (rejected && (lastAt === null || rejected.received_at > lastAt)) {
        items.push({
          name: 'callback',
          status: 'failed',
          errcode: null,
          code: 'last_refused',
          params: { reason: rejected.reason },
          message: `the last callback request was refused (${rejected.reason}): check that the Token and EncodingAESKey here match the WeCom admin, and the corpid`,
        });
      } else if (lastAt === null) {
        items.push({
          name: 'callback',
          status: 'warning',
          errcode: null,
          code: 'no_callback_yet',
          message: `no callback has arrived yet: enter ${CALLBACK_PATH}${row.callback_key} (after Pond's public https address) as the callback URL in the WeCom admin; WeCom verifies it when you save, and must be able to reach it`,
        });
      } else {
        items.push({
          name: 'callback',
          status: 'ok',
          errcode: null,
          code: 'callback_ok',
          message: `callbacks arrive; the last one at ${new Date(lastAt).toISOString()}`,
        });
      }
      if (deps.publicUrl)
        items.push(
          await reachability(`${deps.publicUrl.replace(/\/$/, '')}${CALLBACK_PATH}${row.callback_key}`),
        );
      const result: WeComConnectionCheck = {
        ok:
          items.every((i) => i.status === 'ok' || i.status === 'warning' || i.status === 'skipped') &&
          items.some((i) => i.name === 'token' && i.status === 'ok'),
        checkedAt: clock.now(),
        items,
      };
      return p.tx(async (trx) => {
        await trx
          .updateTable('wecom_configs')
          .set({ last_check: JSON.stringify(result), last_check_at: result.checkedAt })
          .where('tenant_id', '=', tenantId)
          .execute();
        await audit.record(trx, ctx, {
          action: 'wecom.connection_checked',
          targetType: 'wecom_config',
          targetId: tenantId,
          after: { ok: result.ok, failed: items.filter((i) => i.status === 'failed').map((i) => i.name) },
        });
        return ok(result);
      });
    },
  };
}

/**
 * Whether the callback URL answers at Pond's public address: Pond calls itself there with a
 * probe the receiver echoes. WeCom needs the same address to reach Pond from the internet.
 */
async function reachability(url: string): Promise<WeComCheckItem> {
  const probe = randomToken(12).replace(/[^A-Za-z0-9]/g, 'x');
  try {
    const res = await fetch(`${url}?probe=${probe}`, { signal: AbortSignal.timeout(3000) });
    const body = await res.text();
    if (res.status === 200 && body === `pond-wecom:${probe}`)
      return {
        name: 'callback',
        status: 'ok',
        errcode: null,
        code: 'url_ok',
        params: { url },
        message: `the callback URL answers at ${url}`,
      };
    return {
      name: 'callback',
      status: 'failed',
      errcode: null,
      code: 'url_other',
      params: { url, status: res.status },
      message: `the callback URL at ${url} answered ${res.status} from something other than this Pond (a proxy or another server?)`,
    };
  } catch (e) {
    return {
      name: 'callback',
      status: 'failed',
      errcode: null,
      code: 'url_unreachable',
      params: { url },
      message: `the callback URL ${url} is unreachable from this server (${e instanceof Error ? e.message : String(e)}); WeCom must be able to reach it over https`,
    };
  }
}
