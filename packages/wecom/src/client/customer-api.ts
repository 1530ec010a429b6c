import { WeComDirectoryApi } from './directory-api.ts';
import type {
  AddContactWayRequest,
  AddCorpTagRequest,
  ContactRelation,
  ContactWay,
  CorpTag,
  CorpTagGroup,
  ExternalContactDetail,
  MarkTagRequest,
  Page,
  RemarkRequest,
  UpdateContactWayRequest,
  WelcomeMessage,
} from './types.ts';
import {
  compact,
  list,
  num,
  obj,
  paginate,
  readContactWay,
  readExternalContact,
  readFollowUser,
  readRelation,
  str,
  strings,
  type Wire,
  writeAttachment,
  writeConclusions,
} from './wire.ts';

/** Customers, corp tags, contact ways and welcome messages (SPEC §3.2–3.8); the base of `WeComClient`. */
export class WeComCustomerApi extends WeComDirectoryApi {
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
