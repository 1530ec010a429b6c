import { WeComCustomerApi } from './customer-api.ts';
import { type ConnectionDiagnosis, diagnoseConnection } from './diagnose.ts';
import type {
  BehaviorData,
  BehaviorDataRequest,
  GroupChat,
  GroupChatSummary,
  GroupTransferFailure,
  Page,
  SendMessageRequest,
  SendMessageResult,
  TransferItemResult,
  TransferRequest,
  TransferStatus,
  UnassignedCustomer,
} from './types.ts';
import { compact, list, num, obj, optNum, paginate, readGroupChat, str, type Wire } from './wire.ts';

/**
 * The WeCom server API client for the calls Pond makes (SPEC §3). Methods take and return
 * camelCase types; list APIs have a page method (for resumable syncs that persist the
 * cursor) and an async iterator over all items.
 *
 * @example
 * const client = new WeComClient({ baseUrl: 'https://qyapi.weixin.qq.com', corpId, secret });
 * for await (const relation of client.iterateContactsByUser(['zhangsan'])) console.log(relation);
 */
export class WeComClient extends WeComCustomerApi {
  /** `gettoken` (SPEC §3.1); cached and shared by concurrent callers. */
  getAccessToken(force = false): Promise<string> {
    return this.accessToken(force);
  }

  /** Says exactly what is wrong with the configuration, if anything. */
  checkConnection(): Promise<ConnectionDiagnosis> {
    return diagnoseConnection(this);
  }

  // ── Customer groups (SPEC §3.11) ───────────────────────────────────────────────────────

  /** `externalcontact/groupchat/list`: one page (limit 1–1000). */
  async listGroupChats(
    opts: { statusFilter?: 0 | 1 | 2 | 3; ownerUserIds?: string[]; cursor?: string; limit?: number } = {},
  ): Promise<Page<GroupChatSummary>> {
    const json = await this.call('externalcontact/groupchat/list', {
      body: compact({
        status_filter: opts.statusFilter,
        owner_filter: opts.ownerUserIds && { userid_list: opts.ownerUserIds },
        cursor: opts.cursor || undefined,
        limit: opts.limit ?? 1000,
      }),
    });
    return {
      items: list(json, 'group_chat_list').map((g) => {
        const w = obj(g);
        const status = num(w, 'status');
        return {
          chatId: str(w, 'chat_id'),
          status: status === 1 || status === 2 || status === 3 ? status : 0,
        };
      }),
      nextCursor: str(json, 'next_cursor'),
    };
  }

  iterateGroupChats(
    opts: { statusFilter?: 0 | 1 | 2 | 3; ownerUserIds?: string[]; limit?: number } = {},
  ): AsyncGenerator<GroupChatSummary> {
    return paginate('', (cursor) => this.listGroupChats({ ...opts, cursor }));
  }

  /** `externalcontact/groupchat/get` (with member names by default). */
  async getGroupChat(chatId: string, needName = true): Promise<GroupChat> {
    const json = await this.call('externalcontact/groupchat/get', {
      body: { chat_id: chatId, need_name: needName ? 1 : 0 },
    });
    return readGroupChat(obj(json.group_chat));
  }

  /** `externalcontact/groupchat/transfer` (resigned owner) or `groupchat/onjob_transfer`. */
  async transferGroupChats(req: {
    chatIds: string[];
    newOwner: string;
    inService?: boolean;
  }): Promise<GroupTransferFailure[]> {
    const api = req.inService
      ? 'externalcontact/groupchat/onjob_transfer'
      : 'externalcontact/groupchat/transfer';
    const json = await this.call(api, { body: { chat_id_list: req.chatIds, new_owner: req.newOwner } });
    return list(json, 'failed_chat_list').map((f) => {
      const w = obj(f);
      return { chatId: str(w, 'chat_id'), errcode: num(w, 'errcode'), errmsg: str(w, 'errmsg') };
    });
  }

  // ── Succession (SPEC §3.13) ────────────────────────────────────────────────────────────

  /** `externalcontact/transfer_customer` (in service): per-customer errcode, 0 = started. */
  transferCustomers(req: TransferRequest): Promise<TransferItemResult[]> {
    return this.#transfer('externalcontact/transfer_customer', req);
  }

  /** `externalcontact/resigned/transfer_customer`: the handover member must have left. */
  transferResignedCustomers(req: Omit<TransferRequest, 'transferSuccessMsg'>): Promise<TransferItemResult[]> {
    return this.#transfer('externalcontact/resigned/transfer_customer', req);
  }

  async #transfer(api: string, req: TransferRequest): Promise<TransferItemResult[]> {
    const json = await this.call(api, {
      body: compact({
        handover_userid: req.handoverUserId,
        takeover_userid: req.takeoverUserId,
        external_userid: req.externalUserIds,
        transfer_success_msg: req.transferSuccessMsg,
      }),
    });
    return list(json, 'customer').map((c) => ({
      externalUserId: str(obj(c), 'external_userid'),
      errcode: num(obj(c), 'errcode'),
    }));
  }

  /** `externalcontact/transfer_result` (in service), one page. */
  transferResult(handoverUserId: string, takeoverUserId: string, cursor = ''): Promise<Page<TransferStatus>> {
    return this.#transferResult('externalcontact/transfer_result', handoverUserId, takeoverUserId, cursor);
  }

  /** `externalcontact/resigned/transfer_result`, one page. */
  resignedTransferResult(
    handoverUserId: string,
    takeoverUserId: string,
    cursor = '',
  ): Promise<Page<TransferStatus>> {
    return this.#transferResult(
      'externalcontact/resigned/transfer_result',
      handoverUserId,
      takeoverUserId,
      cursor,
    );
  }

  iterateTransferResults(
    handoverUserId: string,
    takeoverUserId: string,
    resigned = false,
  ): AsyncGenerator<TransferStatus> {
    return paginate('', (cursor) =>
      resigned
        ? this.resignedTransferResult(handoverUserId, takeoverUserId, cursor)
        : this.transferResult(handoverUserId, takeoverUserId, cursor),
    );
  }

  async #transferResult(
    api: string,
    handover: string,
    takeover: string,
    cursor: string,
  ): Promise<Page<TransferStatus>> {
    const json = await this.call(api, {
      body: compact({ handover_userid: handover, takeover_userid: takeover, cursor: cursor || undefined }),
    });
    return {
      items: list(json, 'customer').map((c) => {
        const w = obj(c);
        const status = num(w, 'status');
        return {
          externalUserId: str(w, 'external_userid'),
          status: status >= 1 && status <= 5 ? (status as TransferStatus['status']) : 5,
          takeoverTime: num(w, 'takeover_time'),
        };
      }),
      nextCursor: str(json, 'next_cursor'),
    };
  }

  /** `externalcontact/get_unassigned_list`: customers of members who left, one page (≤ 1000). */
  async getUnassignedList(
    cursor = '',
    pageSize = 1000,
  ): Promise<Page<UnassignedCustomer> & { isLast: boolean }> {
    const json = await this.call('externalcontact/get_unassigned_list', {
      body: compact({ cursor, page_size: pageSize }),
    });
    const isLast = json.is_last === true;
    return {
      items: list(json, 'info').map((i) => {
        const w = obj(i);
        return {
          handoverUserId: str(w, 'handover_userid'),
          externalUserId: str(w, 'external_userid'),
          dimissionTime: num(w, 'dimission_time'),
        };
      }),
      nextCursor: isLast ? '' : str(json, 'next_cursor'),
      isLast,
    };
  }

  iterateUnassigned(pageSize = 1000): AsyncGenerator<UnassignedCustomer> {
    return paginate('', (cursor) => this.getUnassignedList(cursor, pageSize));
  }

  // ── Staff messages and statistics (SPEC §3.14, §3.12) ──────────────────────────────────

  /** `message/send` from the app to members; partial failures come back in `invalid*`. */
  async sendMessage(req: SendMessageRequest): Promise<SendMessageResult> {
    const m = req.message;
    const content: Wire =
      m.type === 'textcard'
        ? { textcard: compact({ title: m.title, description: m.description, url: m.url, btntxt: m.btnText }) }
        : { [m.type]: { content: m.content } };
    const json = await this.call('message/send', {
      body: compact({
        touser: req.toUsers === '@all' ? '@all' : req.toUsers?.join('|'),
        toparty: req.toParties?.join('|'),
        totag: req.toTags?.join('|'),
        msgtype: m.type,
        agentid: req.agentId,
        ...content,
        safe: req.safe === undefined ? undefined : Number(req.safe),
        enable_duplicate_check:
          req.enableDuplicateCheck === undefined ? undefined : Number(req.enableDuplicateCheck),
        duplicate_check_interval: req.duplicateCheckInterval,
      }),
    });
    const split = (key: string) => str(json, key).split('|').filter(Boolean);
    return {
      invalidUsers: split('invaliduser'),
      invalidParties: split('invalidparty'),
      invalidTags: split('invalidtag'),
      unlicensedUsers: split('unlicenseduser'),
      msgId: str(json, 'msgid'),
    };
  }

  /** `externalcontact/get_user_behavior_data`: daily contact statistics, ≤ 30 days. */
  async getUserBehaviorData(req: BehaviorDataRequest): Promise<BehaviorData[]> {
    const json = await this.call('externalcontact/get_user_behavior_data', {
      body: compact({
        userid: req.userIds,
        partyid: req.partyIds,
        start_time: req.startTime,
        end_time: req.endTime,
      }),
    });
    return list(json, 'behavior_data').map((d) => {
      const w = obj(d);
      return compact<BehaviorData>({
        statTime: num(w, 'stat_time'),
        chatCnt: num(w, 'chat_cnt'),
        messageCnt: num(w, 'message_cnt'),
        replyPercentage: optNum(w, 'reply_percentage'),
        avgReplyTime: optNum(w, 'avg_reply_time'),
        negativeFeedbackCnt: num(w, 'negative_feedback_cnt'),
        newApplyCnt: num(w, 'new_apply_cnt'),
        newContactCnt: num(w, 'new_contact_cnt'),
      });
    });
  }
}
