import type { WeComClient } from '@pond/wecom';

/**
 * What Pond asks of WeCom's REST API, as a port: the part of `@pond/wecom`'s client the
 * callback processing and the connection check use. The composition root builds one per
 * tenant connection; tests point it at the emulator.
 */
export type WeComGateway = Pick<
  WeComClient,
  | 'checkConnection'
  | 'getExternalContact'
  | 'getGroupChat'
  // Full sync (SPEC §3.2, §3.4, §3.11).
  | 'listFollowUsers'
  | 'batchGetByUser'
  | 'listGroupChats'
  | 'listDepartments'
  | 'listUsersInDepartment'
  | 'getUser'
  // Live codes (SPEC §3.5, §3.7, §3.8).
  | 'addContactWay'
  | 'updateContactWay'
  | 'deleteContactWay'
  | 'sendWelcomeMessage'
  | 'remark'
  // Succession (SPEC §3.11, §3.13).
  | 'transferCustomers'
  | 'transferResignedCustomers'
  | 'iterateTransferResults'
  | 'transferGroupChats'
  | 'iterateUnassigned'
  // Corp tags (SPEC §3.6).
  | 'getCorpTagList'
  | 'addCorpTag'
  | 'editCorpTag'
  | 'markTag'
>;

export interface WeComConnection {
  readonly corpId: string;
  readonly secret: string;
  readonly agentId: number | null;
  readonly apiBaseUrl: string;
}

export type WeComGatewayFactory = (connection: WeComConnection) => WeComGateway;

/** An error WeCom answered with (`errcode` ≠ 0). */
export function errcodeOf(e: unknown): number | null {
  if (typeof e === 'object' && e !== null && 'errcode' in e && typeof e.errcode === 'number')
    return e.errcode;
  return null;
}

/** WeCom errors that retrying will not fix: the contact or group is gone, or not ours to see. */
export const PERMANENT_ERRCODES: ReadonlySet<number> = new Set([
  40003, 40058, 40096, 50002, 60011, 60111, 84061, 90500, 90501,
]);
