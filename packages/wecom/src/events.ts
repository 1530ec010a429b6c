import { parseXmlTree, type XmlElement, XmlError } from './xml.ts';

/**
 * Customer-contact callback events (SPEC §2), typed. Both the self-built header
 * (ToUserName/CreateTime/Event) and the third-party instruction header
 * (SuiteId/AuthCorpId/TimeStamp/InfoType) are read. Anything unexpected becomes the
 * `unknown` variant with the raw fields kept; parsing never throws.
 */

interface Header {
  /** `Event` (self-built) or `InfoType` (third-party). */
  event: string;
  changeType: string;
  /** `ToUserName` or `AuthCorpId`. */
  corpId: string;
  /** Present on third-party instruction callbacks. */
  suiteId?: string;
  /** Seconds; `CreateTime` or `TimeStamp`, 0 when absent. */
  createTime: number;
  /** The richer deduplication key the spec recommends (§1.3). */
  dedupKey: string;
  /** Every field as it arrived (nested lists joined with ","). */
  raw: Record<string, string>;
}

interface ContactPair {
  userId: string;
  externalUserId: string;
}

export type TransferFailReason = 'customer_refused' | 'customer_limit_exceed';
export type ChatUpdateDetail = 'add_member' | 'del_member' | 'change_owner' | 'change_name' | 'change_notice';
export type TagChangeType = 'create' | 'update' | 'delete' | 'shuffle';

export type CallbackEvent =
  | (Header & ContactPair & { kind: 'add_external_contact'; state?: string; welcomeCode?: string })
  | (Header & ContactPair & { kind: 'add_half_external_contact'; state?: string; welcomeCode?: string })
  | (Header & ContactPair & { kind: 'edit_external_contact'; state?: string })
  | (Header &
      ContactPair & {
        kind: 'del_external_contact';
        source?: string;
        /** Removed automatically by an in-service transfer (Source = DELETE_BY_TRANSFER). */
        byTransfer: boolean;
      })
  | (Header & ContactPair & { kind: 'del_follow_user' })
  | (Header & ContactPair & { kind: 'transfer_fail'; failReason: TransferFailReason | (string & {}) })
  | (Header & ContactPair & { kind: 'msg_audit_approved'; welcomeCode?: string })
  | (Header & { kind: 'chat_create'; chatId: string })
  | (Header & {
      kind: 'chat_update';
      chatId: string;
      /** Unknown values mean "refresh the group" (SPEC §2.3). */
      updateDetail: ChatUpdateDetail | (string & {});
      /** add_member: 0 invited by a member, 3 scanned the group QR code. */
      joinScene?: number;
      /** del_member: 0 left, 1 removed by owner/admin. */
      quitScene?: number;
      memChangeCnt?: number;
      memChangeList: string[];
      lastMemVer?: string;
      curMemVer?: string;
    })
  | (Header & { kind: 'chat_dismiss'; chatId: string })
  | (Header & {
      kind: 'tag_change';
      tagChange: TagChangeType;
      /** Tag id or tag-group id. */
      id: string;
      /** Absent on shuffle. */
      tagType?: 'tag' | 'tag_group';
      strategyId?: string;
    })
  | (Header & { kind: 'unknown'; reason: string });

export type CallbackEventKind = CallbackEvent['kind'];

const CONTACT_KINDS = new Set([
  'add_external_contact',
  'add_half_external_contact',
  'edit_external_contact',
  'del_external_contact',
  'del_follow_user',
  'transfer_fail',
  'msg_audit_approved',
]);

function optional(raw: Record<string, string>, name: string): string | undefined {
  const value = raw[name];
  return value === undefined || value === '' ? undefined : value;
}

function optionalInt(raw: Record<string, string>, name: string): number | undefined {
  const value = optional(raw, name);
  if (value === undefined || !/^-?\d+$/.test(value.trim())) return undefined;
  return Number(value.trim());
}

/**
 * Builds the dedup key from the fields of a decrypted event (SPEC §1.3). Beyond the spec's
 * suggestion it includes the group update's detail, member list and version, so two people
 * joining one group within the same second stay two events; WeCom's retries carry the same
 * fields, so a retry still gets the same key.
 */
export function callbackDedupKey(raw: Record<string, string>): string {
  return [
    raw.ToUserName ?? raw.AuthCorpId ?? '',
    raw.Event ?? raw.InfoType ?? '',
    raw.ChangeType ?? '',
    raw.CreateTime ?? raw.TimeStamp ?? '',
    raw.UserID ?? '',
    raw.ExternalUserID ?? '',
    raw.ChatId ?? '',
    raw.Id ?? '',
    raw.UpdateDetail ?? '',
    raw.MemChangeList ?? '',
    raw.CurMemVer ?? '',
  ].join('|');
}

function flatten(root: XmlElement): { raw: Record<string, string>; lists: Record<string, string[]> } {
  const raw: Record<string, string> = {};
  const lists: Record<string, string[]> = {};
  for (const child of root.children) {
    if (Object.hasOwn(raw, child.name)) continue;
    if (child.children.length > 0) {
      lists[child.name] = child.children.map((item) => item.text);
      raw[child.name] = lists[child.name]?.join(',') ?? '';
    } else {
      raw[child.name] = child.text;
    }
  }
  return { raw, lists };
}

/**
 * Parses a decrypted callback into a typed event.
 *
 * @example
 * const event = parseCallbackEvent(opened.message);
 * if (event.kind === 'add_external_contact') sendWelcome(event.welcomeCode);
 */
export function parseCallbackEvent(plainXml: string): CallbackEvent {
  let root: XmlElement;
  try {
    root = parseXmlTree(plainXml);
  } catch (error) {
    const reason = error instanceof XmlError ? `bad_xml: ${error.message}` : 'bad_xml';
    return {
      kind: 'unknown',
      reason,
      event: '',
      changeType: '',
      corpId: '',
      createTime: 0,
      dedupKey: '',
      raw: {},
    };
  }
  const { raw, lists } = flatten(root);
  const header: Header = {
    event: raw.Event ?? raw.InfoType ?? '',
    changeType: raw.ChangeType ?? '',
    corpId: raw.ToUserName ?? raw.AuthCorpId ?? '',
    createTime: optionalInt(raw, 'CreateTime') ?? optionalInt(raw, 'TimeStamp') ?? 0,
    dedupKey: callbackDedupKey(raw),
    raw,
  };
  if (raw.SuiteId !== undefined) header.suiteId = raw.SuiteId;
  const unknown = (reason: string): CallbackEvent => ({ ...header, kind: 'unknown', reason });

  switch (header.event) {
    case 'change_external_contact': {
      const kind = header.changeType;
      if (!CONTACT_KINDS.has(kind)) return unknown(`unknown ChangeType "${kind}"`);
      const userId = optional(raw, 'UserID');
      const externalUserId = optional(raw, 'ExternalUserID');
      if (!userId || !externalUserId) return unknown(`${kind} without UserID or ExternalUserID`);
      const pair = { ...header, userId, externalUserId };
      const state = optional(raw, 'State');
      const welcomeCode = optional(raw, 'WelcomeCode');
      switch (kind) {
        case 'add_external_contact':
        case 'add_half_external_contact':
          return {
            ...pair,
            kind,
            ...(state !== undefined && { state }),
            ...(welcomeCode !== undefined && { welcomeCode }),
          };
        case 'edit_external_contact':
          return { ...pair, kind, ...(state !== undefined && { state }) };
        case 'del_external_contact': {
          const source = optional(raw, 'Source');
          return {
            ...pair,
            kind,
            ...(source !== undefined && { source }),
            byTransfer: source === 'DELETE_BY_TRANSFER',
          };
        }
        case 'del_follow_user':
          return { ...pair, kind };
        case 'transfer_fail':
          return { ...pair, kind, failReason: raw.FailReason ?? '' };
        default:
          return { ...pair, kind: 'msg_audit_approved', ...(welcomeCode !== undefined && { welcomeCode }) };
      }
    }
    case 'change_external_chat': {
      const chatId = optional(raw, 'ChatId');
      if (!chatId) return unknown('change_external_chat without ChatId');
      if (header.changeType === 'create') return { ...header, kind: 'chat_create', chatId };
      if (header.changeType === 'dismiss') return { ...header, kind: 'chat_dismiss', chatId };
      if (header.changeType !== 'update') return unknown(`unknown ChangeType "${header.changeType}"`);
      const joinScene = optionalInt(raw, 'JoinScene');
      const quitScene = optionalInt(raw, 'QuitScene');
      const memChangeCnt = optionalInt(raw, 'MemChangeCnt');
      const lastMemVer = optional(raw, 'LastMemVer');
      const curMemVer = optional(raw, 'CurMemVer');
      return {
        ...header,
        kind: 'chat_update',
        chatId,
        updateDetail: raw.UpdateDetail ?? '',
        ...(joinScene !== undefined && { joinScene }),
        ...(quitScene !== undefined && { quitScene }),
        ...(memChangeCnt !== undefined && { memChangeCnt }),
        memChangeList: (lists.MemChangeList ?? []).filter((id) => id !== ''),
        ...(lastMemVer !== undefined && { lastMemVer }),
        ...(curMemVer !== undefined && { curMemVer }),
      };
    }
    case 'change_external_tag': {
      const change = header.changeType;
      if (change !== 'create' && change !== 'update' && change !== 'delete' && change !== 'shuffle') {
        return unknown(`unknown ChangeType "${change}"`);
      }
      const id = optional(raw, 'Id');
      if (!id) return unknown('change_external_tag without Id');
      const tagType = raw.TagType === 'tag' || raw.TagType === 'tag_group' ? raw.TagType : undefined;
      const strategyId = optional(raw, 'StrategyId');
      return {
        ...header,
        kind: 'tag_change',
        tagChange: change,
        id,
        ...(tagType !== undefined && { tagType }),
        ...(strategyId !== undefined && { strategyId }),
      };
    }
    default:
      return unknown(`unknown Event "${header.event}"`);
  }
}
