import { type ConnectionDiagnosis, diagnoseConnection } from './diagnose.ts';
import { WeComTransport } from './transport.ts';
import type {
  AddContactWayRequest,
  AddCorpTagRequest,
  BehaviorData,
  BehaviorDataRequest,
  ContactRelation,
  ContactWay,
  CorpTag,
  CorpTagGroup,
  Department,
  DepartmentRef,
  ExternalContactDetail,
  GroupChat,
  GroupChatSummary,
  GroupTransferFailure,
  MarkTagRequest,
  Page,
  RemarkRequest,
  SendMessageRequest,
  SendMessageResult,
  TransferItemResult,
  TransferRequest,
  TransferStatus,
  UnassignedCustomer,
  UpdateContactWayRequest,
  User,
  UserIdEntry,
  UserSummary,
  WelcomeMessage,
} from './types.ts';
import {
  compact,
  list,
  num,
  numbers,
  obj,
  optNum,
  readContactWay,
  readDepartment,
  readExternalContact,
  readFollowUser,
  readGroupChat,
  readRelation,
  readUser,
  str,
  strings,
  type Wire,
  writeAttachment,
  writeConclusions,
} from './wire.ts';

/**
 * The WeCom server API client for the calls Pond makes (SPEC §3). Methods take and return
 * camelCase types; list APIs have a page method (for resumable syncs that persist the
 * cursor) and an async iterator over all items.
 *
 * @example
 * const client = new WeComClient({ baseUrl: 'https://qyapi.weixin.qq.com', corpId, secret });
 * for await (const relation of client.iterateContactsByUser(['zhangsan'])) console.log(relation);
 */
export class WeComClient extends WeComTransport {
  /** `gettoken` (SPEC §3.1); cached and shared by concurrent callers. */
  getAccessToken(force = false): Promise<string> {
    return this.accessToken(force);
  }

  /** Says exactly what is wrong with the configuration, if anything. */
  checkConnection(): Promise<ConnectionDiagnosis> {
    return diagnoseConnection(this);
  }

  // ── Directory (SPEC §3.15) ─────────────────────────────────────────────────────────────

  /** `department/list`: the department and its subtree, or the whole visible tree. */
  async listDepartments(id?: number): Promise<Department[]> {
    const json = await this.call('department/list', { query: { id } });
    return list(json, 'department').map((d) => readDepartment(obj(d)));
  }

  /** `department/simplelist`: ids and parents only (the doc's recommended fast path). */
  async listDepartmentRefs(id?: number): Promise<DepartmentRef[]> {
    const json = await this.call('department/simplelist', { query: { id } });
    return list(json, 'department_id').map((d) => {
      const w = obj(d);
      return { id: num(w, 'id'), parentId: num(w, 'parentid'), order: num(w, 'order') };
    });
  }

  /** `department/get`. */
  async getDepartment(id: number): Promise<Department> {
    const json = await this.call('department/get', { query: { id } });
    return readDepartment(obj(json.department));
  }

  /** `user/simplelist`: members directly in a department (WeCom's department member list). */
  async listUsersInDepartment(departmentId: number): Promise<UserSummary[]> {
    const json = await this.call('user/simplelist', { query: { department_id: departmentId } });
    return list(json, 'userlist').map((u) => {
      const w = obj(u);
      const openUserId = str(w, 'open_userid');
      return {
        userId: str(w, 'userid'),
        name: str(w, 'name'),
        departments: numbers(w, 'department'),
        ...(openUserId && { openUserId }),
      };
    });
  }

  /** `user/get`. */
  async getUser(userId: string): Promise<User> {
    return readUser(await this.call('user/get', { query: { userid: userId } }));
  }

  /** `user/list_id`: one page of member ids (limit 1–10 000). */
  async listUserIds(cursor = '', limit = 10_000): Promise<Page<UserIdEntry>> {
    const json = await this.call('user/list_id', { body: { cursor, limit } });
    return {
      items: list(json, 'dept_user').map((e) => ({
        userId: str(obj(e), 'userid'),
        department: num(obj(e), 'department'),
      })),
      nextCursor: str(json, 'next_cursor'),
    };
  }

  iterateUserIds(limit = 10_000, cursor = ''): AsyncGenerator<UserIdEntry> {
    return paginate(cursor, (c) => this.listUserIds(c, limit));
  }

  // ── Customers (SPEC §3.2–3.5) ──────────────────────────────────────────────────────────

  /** `externalcontact/get_follow_user_list`: members with customer contact enabled. */
  async listFollowUsers(): Promise<string[]> {
    return strings(await this.call('externalcontact/get_follow_user_list'), 'follow_user');
  }

  /** `externalcontact/list`: a member's customers (no pagination). */
  async listExternalContactIds(userId: string): Promise<string[]> {
    return strings(await this.call('externalcontact/list', { query: { userid: userId } }), 'external_userid');
  }

  /** `externalcontact/get`: one page of a customer's followers (> 500 are paged). */
  async getExternalContact(externalUserId: string, cursor?: string): Promise<ExternalContactDetail> {
    const json = await this.call('externalcontact/get', {
      query: { external_userid: externalUserId, cursor: cursor || undefined },
    });
    return {
      externalContact: readExternalContact(obj(json.external_contact)),
      followUsers: list(json, 'follow_user').map((f) => readFollowUser(obj(f))),
      nextCursor: str(json, 'next_cursor'),
    };
  }

  /** `externalcontact/get` with every follower page merged. */
  async getExternalContactFull(externalUserId: string): Promise<ExternalContactDetail> {
    const first = await this.getExternalContact(externalUserId);
    let cursor = first.nextCursor;
    while (cursor) {
      const next = await this.getExternalContact(externalUserId, cursor);
      first.followUsers.push(...next.followUsers);
      cursor = next.nextCursor;
    }
    return { ...first, nextCursor: '' };
  }

  /** `externalcontact/batch/get_by_user`: one page of relations for ≤ 100 members (limit ≤ 100). */
  async batchGetByUser(userIds: string[], cursor = '', limit = 100): Promise<Page<ContactRelation>> {
    const json = await this.call('externalcontact/batch/get_by_user', {
      body: { userid_list: userIds, cursor, limit },
    });
    return {
      items: list(json, 'external_contact_list').map((r) => readRelation(obj(r))),
      nextCursor: str(json, 'next_cursor'),
    };
  }

  /**
   * Every (customer, member) relation of these members; more than 100 members are fetched
   * in consecutive sets of 100 (a cursor belongs to its member set).
   */
  async *iterateContactsByUser(userIds: string[], limit = 100): AsyncGenerator<ContactRelation> {
    for (let i = 0; i < userIds.length; i += 100) {
      const set = userIds.slice(i, i + 100);
      yield* paginate('', (c) => this.batchGetByUser(set, c, limit));
    }
  }

  /** `externalcontact/remark`. */
  async remark(req: RemarkRequest): Promise<void> {
    await this.call('externalcontact/remark', {
      body: compact({
        userid: req.userId,
        external_userid: req.externalUserId,
        remark: req.remark,
        description: req.description,
        remark_company: req.remarkCompany,
        remark_mobiles: req.remarkMobiles,
        remark_pic_mediaid: req.remarkPicMediaId,
      }),
    });
  }

  // ── Corp tags (SPEC §3.6) ──────────────────────────────────────────────────────────────

  /** `externalcontact/get_corp_tag_list`; no filter = the whole library. */
  async getCorpTagList(filter: { tagIds?: string[]; groupIds?: string[] } = {}): Promise<CorpTagGroup[]> {
    const json = await this.call('externalcontact/get_corp_tag_list', {
      body: compact({ tag_id: filter.tagIds, group_id: filter.groupIds }),
    });
    return list(json, 'tag_group').map((g) => readTagGroup(obj(g)));
  }

  /** `externalcontact/add_corp_tag`: returns the group with the created tags. */
  async addCorpTag(req: AddCorpTagRequest): Promise<CorpTagGroup> {
    const json = await this.call('externalcontact/add_corp_tag', {
      body: compact({
        group_id: req.groupId,
        group_name: req.groupName,
        order: req.order,
        tag: req.tags.map((t) => compact({ name: t.name, order: t.order })),
        agentid: req.agentId,
      }),
    });
    return readTagGroup(obj(json.tag_group));
  }

  /** `externalcontact/edit_corp_tag` for a tag or a tag group. */
  async editCorpTag(req: { id: string; name?: string; order?: number }): Promise<void> {
    await this.call('externalcontact/edit_corp_tag', {
      body: compact({ id: req.id, name: req.name, order: req.order }),
    });
  }

  /** `externalcontact/del_corp_tag`. */
  async deleteCorpTags(req: { tagIds?: string[]; groupIds?: string[] }): Promise<void> {
    await this.call('externalcontact/del_corp_tag', {
      body: compact({ tag_id: req.tagIds, group_id: req.groupIds }),
    });
  }

  /** `externalcontact/mark_tag` on one (member, customer) relation. */
  async markTag(req: MarkTagRequest): Promise<void> {
    await this.call('externalcontact/mark_tag', {
      body: compact({
        userid: req.userId,
        external_userid: req.externalUserId,
        add_tag: req.addTagIds,
        remove_tag: req.removeTagIds,
      }),
    });
  }

  // ── Contact ways and welcome messages (SPEC §3.7, §3.8) ────────────────────────────────

  /** `externalcontact/add_contact_way`. */
  async addContactWay(req: AddContactWayRequest): Promise<{ configId: string; qrCode?: string }> {
    const json = await this.call('externalcontact/add_contact_way', {
      body: compact({
        type: req.type,
        scene: req.scene,
        is_temp: req.isTemp,
        is_exclusive: req.isExclusive,
        mark_source: req.markSource,
        ...writeContactWayFields(req),
      }),
    });
    const qrCode = str(json, 'qr_code');
    return { configId: str(json, 'config_id'), ...(qrCode && { qrCode }) };
  }

  /** `externalcontact/get_contact_way`. */
  async getContactWay(configId: string): Promise<ContactWay> {
    const json = await this.call('externalcontact/get_contact_way', { body: { config_id: configId } });
    return readContactWay(obj(json.contact_way));
  }

  /** `externalcontact/update_contact_way`: lists given here replace the previous ones. */
  async updateContactWay(req: UpdateContactWayRequest): Promise<void> {
    await this.call('externalcontact/update_contact_way', {
      body: { config_id: req.configId, ...writeContactWayFields(req) },
    });
  }

  /** `externalcontact/del_contact_way`. */
  async deleteContactWay(configId: string): Promise<void> {
    await this.call('externalcontact/del_contact_way', { body: { config_id: configId } });
  }

  /** `externalcontact/list_contact_way`: one page of config ids (limit ≤ 1000). */
  async listContactWays(
    opts: { startTime?: number; endTime?: number; cursor?: string; limit?: number } = {},
  ): Promise<Page<string>> {
    const json = await this.call('externalcontact/list_contact_way', {
      body: compact({
        start_time: opts.startTime,
        end_time: opts.endTime,
        cursor: opts.cursor,
        limit: opts.limit,
      }),
    });
    return {
      items: list(json, 'contact_way').map((c) => str(obj(c), 'config_id')),
      nextCursor: str(json, 'next_cursor'),
    };
  }

  iterateContactWays(
    opts: { startTime?: number; endTime?: number; limit?: number } = {},
  ): AsyncGenerator<string> {
    return paginate('', (cursor) => this.listContactWays({ ...opts, cursor }));
  }

  /** `externalcontact/send_welcome_msg`: within 20 s of the event, once per code. */
  async sendWelcomeMessage(msg: WelcomeMessage): Promise<void> {
    await this.call('externalcontact/send_welcome_msg', {
      body: compact({
        welcome_code: msg.welcomeCode,
        text: msg.text === undefined ? undefined : { content: msg.text },
        attachments: msg.attachments?.map(writeAttachment),
      }),
    });
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

function readTagGroup(w: Wire): CorpTagGroup {
  return compact<CorpTagGroup>({
    groupId: str(w, 'group_id'),
    groupName: str(w, 'group_name'),
    createTime: num(w, 'create_time'),
    order: num(w, 'order'),
    deleted: typeof w.deleted === 'boolean' ? w.deleted : undefined,
    tags: list(w, 'tag').map((t) => {
      const tag = obj(t);
      return compact<CorpTag>({
        id: str(tag, 'id'),
        name: str(tag, 'name'),
        createTime: num(tag, 'create_time'),
        order: num(tag, 'order'),
        deleted: typeof tag.deleted === 'boolean' ? tag.deleted : undefined,
      });
    }),
  });
}

function writeContactWayFields(req: UpdateContactWayRequest | AddContactWayRequest): Wire {
  return compact({
    style: req.style,
    remark: req.remark,
    skip_verify: req.skipVerify,
    state: req.state,
    user: req.users,
    party: req.parties,
    expires_in: req.expiresIn,
    chat_expires_in: req.chatExpiresIn,
    unionid: req.unionId,
    conclusions: req.conclusions && writeConclusions(req.conclusions),
  });
}

/** Walks a cursor-paginated list until the cursor comes back empty. */
async function* paginate<T>(
  start: string,
  fetchPage: (cursor: string) => Promise<Page<T>>,
): AsyncGenerator<T> {
  let cursor = start;
  for (;;) {
    const page = await fetchPage(cursor);
    yield* page.items;
    // A repeated cursor would loop forever; treat it as the end.
    if (!page.nextCursor || page.nextCursor === cursor) return;
    cursor = page.nextCursor;
  }
}
