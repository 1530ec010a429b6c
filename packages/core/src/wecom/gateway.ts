/**
 * What Pond asks of WeCom's REST API, as a port: the composition root builds it from
 * `@pond/wecom`'s client for each tenant's configuration, tests may pass the same client
 * pointed at the emulator. Field names are WeCom's own (SPEC §3).
 */
export interface WeComConnection {
  readonly corpId: string;
  readonly secret: string;
  readonly agentId: number | null;
  readonly apiBaseUrl: string;
}

export interface FollowUser {
  readonly userid: string;
  readonly remark?: string;
  readonly description?: string;
  /** Seconds. */
  readonly createtime?: number;
  readonly state?: string;
  readonly add_way?: number;
  readonly oper_userid?: string;
}

export interface ExternalContactDetail {
  readonly external_contact: {
    readonly external_userid: string;
    readonly name?: string;
    readonly type?: number;
    readonly gender?: number;
    readonly unionid?: string;
    readonly corp_name?: string;
    readonly avatar?: string;
  };
  readonly follow_user?: readonly FollowUser[];
}

export interface GroupChatDetail {
  readonly chat_id: string;
  readonly name?: string;
  readonly owner?: string;
  /** Seconds. */
  readonly create_time?: number;
  readonly notice?: string;
  readonly member_version?: string;
  readonly member_list?: readonly {
    readonly userid: string;
    /** 1 member, 2 external contact. */
    readonly type: number;
    readonly join_time?: number;
    readonly join_scene?: number;
    readonly name?: string;
    readonly group_nickname?: string;
    readonly unionid?: string;
  }[];
}

/** One finding of a connection check. */
export interface ConnectionFinding {
  readonly name: 'token' | 'permission';
  readonly ok: boolean;
  readonly errcode: number | null;
  readonly message: string;
}

export interface WeComGateway {
  /** Fetches a token and calls a customer-contact API; says what failed. */
  checkConnection(): Promise<ConnectionFinding[]>;
  getExternalContact(externalUserId: string): Promise<ExternalContactDetail>;
  getGroupChat(chatId: string): Promise<GroupChatDetail>;
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
  40003, 40096, 60111, 84061, 90500, 90501, 50002, 60011, 40058,
]);
