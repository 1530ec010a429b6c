import type { XmlValue } from '../xml.ts';
import {
  type CallbackTarget,
  type Delivery,
  type DeliveryOptions,
  deliver,
  type UrlVerification,
  verifyUrl,
} from './delivery.ts';
import type {
  CorpData,
  EmContactWay,
  EmCustomer,
  EmDepartment,
  EmFollow,
  EmGroup,
  EmGroupMember,
  EmTag,
  EmTagGroup,
  EmTransfer,
  EmUser,
  EmWelcomeCode,
} from './model.ts';
import { ids, personName, type Rng } from './random.ts';

/**
 * An emulated corp: the state the HTTP routes serve, and the actions people take in the
 * WeCom client or admin console. Each action changes the state and pushes the callback
 * WeCom would push (SPEC §2), encrypted, to the configured URL. Changes made through the
 * API (routes) push nothing, as in WeCom (SPEC §2.1).
 */

export interface CorpDeps {
  rng: Rng;
  now: () => number;
  agentId: number;
  delivery: DeliveryOptions;
  /** Default 20 000 ms (SPEC §3.8). */
  welcomeCodeTtlMs: number;
  /** Customers a takeover member may hold; a transfer beyond it ends with status 4. */
  takeoverCustomerLimit: number;
}

export type WithDelivery<T> = T & { delivery: Delivery };

export interface NewContact {
  userId?: string;
  /** Added through this contact way: the member comes from its rotation, `state` from it. */
  configId?: string;
  /** An existing customer adding another member; otherwise a new customer is made up. */
  externalUserId?: string;
  customer?: Partial<Omit<EmCustomer, 'externalUserId'>>;
  state?: string;
  addWay?: number;
  /** add_half_external_contact: the member has not confirmed yet (skip_verify codes). */
  half?: boolean;
  /** Whether WeCom issues a WelcomeCode (not when a console welcome message exists). Default true. */
  welcomeCode?: boolean;
}

const key = (userId: string, externalUserId: string) => `${userId}\n${externalUserId}`;

export class EmulatedCorp {
  readonly corpId: string;
  readonly corpName: string;
  readonly departments = new Map<number, EmDepartment>();
  readonly users = new Map<string, EmUser>();
  readonly customers = new Map<string, EmCustomer>();
  readonly follows = new Map<string, EmFollow>();
  readonly tagGroups: EmTagGroup[];
  readonly groups = new Map<string, EmGroup>();
  readonly contactWays = new Map<string, EmContactWay>();
  readonly welcomeCodes = new Map<string, EmWelcomeCode>();
  readonly transfers: EmTransfer[] = [];
  /** Welcome messages sent through send_welcome_msg, with the raw request body. */
  readonly welcomeMessages: { userId: string; externalUserId: string; body: Record<string, unknown> }[] = [];
  /** App messages sent through message/send. */
  readonly staffMessages: { toUsers: string[]; body: Record<string, unknown>; msgId: string }[] = [];
  /** Every callback pushed, in order. */
  readonly deliveries: Delivery[] = [];
  callback: CallbackTarget | null = null;
  readonly deps: CorpDeps;

  constructor(data: CorpData, deps: CorpDeps) {
    this.deps = deps;
    this.corpId = data.corpId;
    this.corpName = data.corpName;
    for (const d of data.departments) this.departments.set(d.id, structuredClone(d));
    for (const u of data.users) this.users.set(u.userId, structuredClone(u));
    for (const c of data.customers) this.customers.set(c.externalUserId, structuredClone(c));
    for (const f of data.follows) this.follows.set(key(f.userId, f.externalUserId), structuredClone(f));
    this.tagGroups = structuredClone(data.tagGroups);
    for (const g of data.groups) this.groups.set(g.chatId, structuredClone(g));
    for (const w of data.contactWays) this.contactWays.set(w.configId, structuredClone(w));
  }

  nowSeconds(): number {
    return Math.floor(this.deps.now() / 1000);
  }

  /** A fresh WeCom-shaped id from the corp's seeded generator. */
  nextId(kind: 'tag' | 'chat' | 'configId' | 'welcomeCode'): string {
    return ids[kind](this.deps.rng);
  }

  // ── Reads ───────────────────────────────────────────────────────────────────────────────

  follow(userId: string, externalUserId: string): EmFollow | undefined {
    return this.follows.get(key(userId, externalUserId));
  }

  followsOf(userId: string): EmFollow[] {
    return [...this.follows.values()].filter((f) => f.userId === userId);
  }

  followersOf(externalUserId: string): EmFollow[] {
    return [...this.follows.values()].filter((f) => f.externalUserId === externalUserId);
  }

  findTag(id: string): { tag: EmTag; group: EmTagGroup } | undefined {
    for (const group of this.tagGroups) {
      const tag = group.tags.find((t) => t.id === id);
      if (tag) return { tag, group };
    }
    return undefined;
  }

  activeUser(userId: string): EmUser | undefined {
    const user = this.users.get(userId);
    return user && user.status === 1 ? user : undefined;
  }

  // ── Callback plumbing ───────────────────────────────────────────────────────────────────

  /** Where callbacks go; `null` stops pushing (actions still change the state). */
  setCallback(target: CallbackTarget | null): void {
    this.callback = target;
  }

  /** Performs WeCom's GET URL verification against the configured callback URL. */
  verifyCallbackUrl(): Promise<UrlVerification> {
    if (!this.callback)
      return Promise.resolve({ ok: false, expected: '', error: 'no callback URL configured' });
    const echo =
      String(this.deps.rng.int(1_000_000_000, 2_000_000_000)) +
      String(this.deps.rng.int(100_000_000, 999_999_999));
    return verifyUrl(this.callback, this.corpId, echo, this.deps.now());
  }

  async push(event: string, changeType: string | null, fields: Record<string, XmlValue>): Promise<Delivery> {
    const all: Record<string, XmlValue> = {
      ToUserName: this.corpId,
      FromUserName: 'sys',
      CreateTime: this.nowSeconds(),
      MsgType: 'event',
      Event: event,
      ...(changeType !== null && { ChangeType: changeType }),
      ...fields,
    };
    const delivery = await deliver(this.callback, this.corpId, all, this.deps.delivery, this.deps.now());
    this.deliveries.push(delivery);
    return delivery;
  }

  #requireUser(userId: string): EmUser {
    const user = this.activeUser(userId);
    if (!user) throw new Error(`no active member ${userId}`);
    return user;
  }

  #requireFollow(userId: string, externalUserId: string): EmFollow {
    const follow = this.follow(userId, externalUserId);
    if (!follow) throw new Error(`${externalUserId} is not a customer of ${userId}`);
    return follow;
  }

  // ── Customer actions (SPEC §2.2) ────────────────────────────────────────────────────────

  /**
   * A customer adds a member (scanning a contact way, searching, a card…): the relation is
   * created and add_external_contact (or add_half_external_contact) is pushed with State and
   * a WelcomeCode valid for 20 seconds.
   */
  async addExternalContact(
    input: NewContact,
  ): Promise<WithDelivery<{ userId: string; externalUserId: string; welcomeCode?: string; state?: string }>> {
    let userId = input.userId;
    let state = input.state;
    if (input.configId) {
      const way = this.contactWays.get(input.configId);
      if (!way) throw new Error(`no contact way ${input.configId}`);
      const pool = this.#expandWayUsers(way);
      if (pool.length === 0) throw new Error(`contact way ${input.configId} has no active member`);
      userId ??= pool[way.cursor % pool.length];
      way.cursor += 1;
      state ??= way.state || undefined;
    }
    if (!userId) throw new Error('addExternalContact needs userId or configId');
    this.#requireUser(userId);
    let externalUserId = input.externalUserId;
    if (!externalUserId || !this.customers.has(externalUserId)) {
      const wecomUser = input.customer?.type === 2;
      externalUserId ??= ids.externalUser(this.deps.rng, wecomUser);
      this.customers.set(externalUserId, {
        externalUserId,
        name: personName(this.deps.rng).name,
        type: 1,
        gender: this.deps.rng.pick([1, 2] as const),
        avatar: `https://wework.qpic.cn/wwhead/${this.deps.rng.hex(24)}/0`,
        unionId: ids.unionId(this.deps.rng),
        ...input.customer,
      });
    }
    this.follows.set(key(userId, externalUserId), {
      userId,
      externalUserId,
      remark: '',
      description: '',
      createTime: this.nowSeconds(),
      tagIds: [],
      remarkMobiles: [],
      operUserId: externalUserId,
      addWay: input.addWay ?? (input.configId ? 1 : 0),
      ...(state !== undefined && { state }),
    });
    let welcomeCode: string | undefined;
    if (input.welcomeCode !== false) {
      welcomeCode = ids.welcomeCode(this.deps.rng);
      this.welcomeCodes.set(welcomeCode, {
        code: welcomeCode,
        userId,
        externalUserId,
        expiresAt: this.deps.now() + this.deps.welcomeCodeTtlMs,
        used: false,
      });
    }
    const delivery = await this.push(
      'change_external_contact',
      input.half ? 'add_half_external_contact' : 'add_external_contact',
      {
        UserID: userId,
        ExternalUserID: externalUserId,
        ...(state !== undefined && { State: state }),
        ...(welcomeCode !== undefined && { WelcomeCode: welcomeCode }),
      },
    );
    return {
      userId,
      externalUserId,
      ...(welcomeCode && { welcomeCode }),
      ...(state !== undefined && { state }),
      delivery,
    };
  }

  #expandWayUsers(way: EmContactWay): string[] {
    const fromParties = [...this.users.values()]
      .filter((u) => u.departments.some((d) => way.parties.includes(d)))
      .map((u) => u.userId);
    return [...new Set([...way.users, ...fromParties])].filter((id) => this.activeUser(id)?.customerContact);
  }

  /** A member edits a customer's remark, description or corp tags in the client: edit_external_contact. */
  async editContact(input: {
    userId: string;
    externalUserId: string;
    remark?: string;
    description?: string;
    addTagIds?: string[];
    removeTagIds?: string[];
  }): Promise<Delivery> {
    const follow = this.#requireFollow(input.userId, input.externalUserId);
    if (input.remark !== undefined) follow.remark = input.remark;
    if (input.description !== undefined) follow.description = input.description;
    const remove = new Set(input.removeTagIds ?? []);
    follow.tagIds = [...new Set([...follow.tagIds, ...(input.addTagIds ?? [])])].filter(
      (t) => !remove.has(t),
    );
    return this.push('change_external_contact', 'edit_external_contact', {
      UserID: input.userId,
      ExternalUserID: input.externalUserId,
    });
  }

  /** The customer deletes the member (del_follow_user): the relation is gone (84061 afterwards). */
  customerDeletesStaff(userId: string, externalUserId: string): Promise<Delivery> {
    this.#requireFollow(userId, externalUserId);
    this.follows.delete(key(userId, externalUserId));
    return this.push('change_external_contact', 'del_follow_user', {
      UserID: userId,
      ExternalUserID: externalUserId,
    });
  }

  /** The member deletes the customer (del_external_contact). */
  staffDeletesCustomer(
    userId: string,
    externalUserId: string,
    opts: { byTransfer?: boolean } = {},
  ): Promise<Delivery> {
    this.#requireFollow(userId, externalUserId);
    this.follows.delete(key(userId, externalUserId));
    return this.push('change_external_contact', 'del_external_contact', {
      UserID: userId,
      ExternalUserID: externalUserId,
      ...(opts.byTransfer && { Source: 'DELETE_BY_TRANSFER' }),
    });
  }

  /** A member leaves the corp: status 5, their customers become unassigned, their groups await inheritance. */
  staffLeaves(userId: string): void {
    const user = this.users.get(userId);
    if (!user) throw new Error(`no member ${userId}`);
    user.status = 5;
    user.customerContact = false;
    user.dimissionTime = this.nowSeconds();
    for (const group of this.groups.values())
      if (group.owner === userId && group.status === 0) group.status = 1;
  }

  // ── Group actions (SPEC §2.3) ───────────────────────────────────────────────────────────

  async createGroup(input: {
    owner: string;
    name?: string;
    externalUserIds?: string[];
    memberUserIds?: string[];
  }): Promise<WithDelivery<{ chatId: string }>> {
    const owner = this.#requireUser(input.owner);
    const chatId = ids.chat(this.deps.rng);
    const now = this.nowSeconds();
    const group: EmGroup = {
      chatId,
      name: input.name ?? '',
      owner: owner.userId,
      createTime: now,
      notice: '',
      admins: [],
      memberVersion: this.deps.rng.hex(32),
      status: 0,
      members: [
        { userId: owner.userId, type: 1, joinTime: now, joinScene: 1, groupNickname: '', name: owner.name },
      ],
    };
    this.groups.set(chatId, group);
    for (const id of [...(input.memberUserIds ?? []), ...(input.externalUserIds ?? [])]) {
      group.members.push(this.#member(id, now, 1, owner.userId));
    }
    const delivery = await this.push('change_external_chat', 'create', { ChatId: chatId });
    return { chatId, delivery };
  }

  #member(id: string, now: number, joinScene: 1 | 2 | 3, invitor?: string, state?: string): EmGroupMember {
    const user = this.users.get(id);
    const customer = this.customers.get(id);
    if (!user && !customer) throw new Error(`no member or customer ${id}`);
    return {
      userId: id,
      type: user ? 1 : 2,
      joinTime: now,
      joinScene,
      ...(invitor !== undefined && joinScene !== 3 && { invitor }),
      groupNickname: '',
      name: user?.name ?? customer?.name ?? '',
      ...(customer?.unionId !== undefined && { unionId: customer.unionId }),
      ...(state !== undefined && { state }),
    };
  }

  #requireGroup(chatId: string): EmGroup {
    const group = this.groups.get(chatId);
    if (!group) throw new Error(`no group ${chatId}`);
    return group;
  }

  #changed(group: EmGroup): { LastMemVer: string; CurMemVer: string } {
    const last = group.memberVersion;
    group.memberVersion = this.deps.rng.hex(32);
    return { LastMemVer: last, CurMemVer: group.memberVersion };
  }

  /** Someone joins: invited by a member (JoinScene 0) or by scanning the group QR code (3). */
  joinGroup(
    chatId: string,
    memberId: string,
    opts: { via?: 'invite' | 'link' | 'qrcode'; invitor?: string; state?: string } = {},
  ): Promise<Delivery> {
    const group = this.#requireGroup(chatId);
    if (group.members.some((m) => m.userId === memberId))
      throw new Error(`${memberId} is already in ${chatId}`);
    const via = opts.via ?? 'invite';
    const scene = via === 'qrcode' ? 3 : via === 'link' ? 2 : 1;
    group.members.push(
      this.#member(memberId, this.nowSeconds(), scene, opts.invitor ?? group.owner, opts.state),
    );
    return this.push('change_external_chat', 'update', {
      ChatId: chatId,
      UpdateDetail: 'add_member',
      JoinScene: via === 'qrcode' ? 3 : 0,
      MemChangeCnt: 1,
      MemChangeList: [memberId],
      ...this.#changed(group),
    });
  }

  /** Someone leaves (QuitScene 0) or is removed by the owner/admin (1). */
  quitGroup(chatId: string, memberId: string, opts: { removed?: boolean } = {}): Promise<Delivery> {
    const group = this.#requireGroup(chatId);
    const before = group.members.length;
    group.members = group.members.filter((m) => m.userId !== memberId);
    if (group.members.length === before) throw new Error(`${memberId} is not in ${chatId}`);
    return this.push('change_external_chat', 'update', {
      ChatId: chatId,
      UpdateDetail: 'del_member',
      QuitScene: opts.removed ? 1 : 0,
      MemChangeCnt: 1,
      MemChangeList: [memberId],
      ...this.#changed(group),
    });
  }

  renameGroup(chatId: string, name: string): Promise<Delivery> {
    this.#requireGroup(chatId).name = name;
    return this.push('change_external_chat', 'update', { ChatId: chatId, UpdateDetail: 'change_name' });
  }

  changeGroupNotice(chatId: string, notice: string): Promise<Delivery> {
    this.#requireGroup(chatId).notice = notice;
    return this.push('change_external_chat', 'update', { ChatId: chatId, UpdateDetail: 'change_notice' });
  }

  changeGroupOwner(chatId: string, owner: string): Promise<Delivery> {
    this.#requireUser(owner);
    this.#requireGroup(chatId).owner = owner;
    return this.push('change_external_chat', 'update', { ChatId: chatId, UpdateDetail: 'change_owner' });
  }

  dismissGroup(chatId: string): Promise<Delivery> {
    this.#requireGroup(chatId);
    this.groups.delete(chatId);
    return this.push('change_external_chat', 'dismiss', { ChatId: chatId });
  }

  // ── Tag library actions in the admin console (SPEC §2.4) ────────────────────────────────

  async createTagGroup(groupName: string, tagNames: string[]): Promise<WithDelivery<{ group: EmTagGroup }>> {
    const now = this.nowSeconds();
    const group: EmTagGroup = {
      groupId: ids.tag(this.deps.rng),
      groupName,
      createTime: now,
      order: 0,
      createdByApi: false,
      tags: tagNames.map((name) => ({ id: ids.tag(this.deps.rng), name, createTime: now, order: 0 })),
    };
    this.tagGroups.push(group);
    const delivery = await this.push('change_external_tag', 'create', {
      Id: group.groupId,
      TagType: 'tag_group',
    });
    return { group, delivery };
  }

  async addTag(groupId: string, name: string): Promise<WithDelivery<{ tag: EmTag }>> {
    const group = this.tagGroups.find((g) => g.groupId === groupId);
    if (!group) throw new Error(`no tag group ${groupId}`);
    const tag: EmTag = { id: ids.tag(this.deps.rng), name, createTime: this.nowSeconds(), order: 0 };
    group.tags.push(tag);
    const delivery = await this.push('change_external_tag', 'create', { Id: tag.id, TagType: 'tag' });
    return { tag, delivery };
  }

  /** Renames a tag or a tag group. */
  renameTag(id: string, name: string): Promise<Delivery> {
    const group = this.tagGroups.find((g) => g.groupId === id);
    if (group) {
      group.groupName = name;
      return this.push('change_external_tag', 'update', { Id: id, TagType: 'tag_group' });
    }
    const found = this.findTag(id);
    if (!found) throw new Error(`no tag ${id}`);
    found.tag.name = name;
    return this.push('change_external_tag', 'update', { Id: id, TagType: 'tag' });
  }

  /** Deletes a tag or a whole group (only the group deletion is called back). */
  deleteTag(id: string): Promise<Delivery> {
    const groupIndex = this.tagGroups.findIndex((g) => g.groupId === id);
    const removed = new Set<string>();
    if (groupIndex >= 0) {
      for (const t of this.tagGroups[groupIndex]?.tags ?? []) removed.add(t.id);
      this.tagGroups.splice(groupIndex, 1);
    } else {
      const found = this.findTag(id);
      if (!found) throw new Error(`no tag ${id}`);
      found.group.tags = found.group.tags.filter((t) => t.id !== id);
      removed.add(id);
    }
    for (const f of this.follows.values()) f.tagIds = f.tagIds.filter((t) => !removed.has(t));
    return this.push('change_external_tag', 'delete', {
      Id: id,
      TagType: groupIndex >= 0 ? 'tag_group' : 'tag',
    });
  }

  /** Reorders a group's tags (shuffle). */
  shuffleTags(groupId: string): Promise<Delivery> {
    const group = this.tagGroups.find((g) => g.groupId === groupId);
    if (!group) throw new Error(`no tag group ${groupId}`);
    group.tags.reverse().forEach((t, i) => {
      t.order = group.tags.length - i;
    });
    return this.push('change_external_tag', 'shuffle', { Id: groupId });
  }

  // ── Transfers (SPEC §3.13) ──────────────────────────────────────────────────────────────

  /**
   * Time passes: every waiting transfer completes, unless the customer refuses (`refused`)
   * or the takeover member is at the customer limit. Refusals and limits push transfer_fail;
   * a completed in-service transfer removes the old relation (del_external_contact with
   * Source DELETE_BY_TRANSFER).
   */
  async settleTransfers(opts: { refused?: string[] } = {}): Promise<Delivery[]> {
    const refused = new Set(opts.refused ?? []);
    const out: Delivery[] = [];
    for (const t of this.transfers.filter((x) => x.status === 2)) {
      t.takeoverTime = this.nowSeconds();
      const handover = this.follow(t.handoverUserId, t.externalUserId);
      if (refused.has(t.externalUserId)) t.status = 3;
      else if (this.followsOf(t.takeoverUserId).length >= this.deps.takeoverCustomerLimit) t.status = 4;
      else t.status = 1;
      if (t.status !== 1) {
        out.push(
          await this.push('change_external_contact', 'transfer_fail', {
            FailReason: t.status === 3 ? 'customer_refused' : 'customer_limit_exceed',
            UserID: t.takeoverUserId,
            ExternalUserID: t.externalUserId,
          }),
        );
        continue;
      }
      this.follows.set(key(t.takeoverUserId, t.externalUserId), {
        ...(handover ?? { remark: '', description: '', tagIds: [], remarkMobiles: [], addWay: 202 }),
        userId: t.takeoverUserId,
        externalUserId: t.externalUserId,
        createTime: this.nowSeconds(),
        operUserId: t.takeoverUserId,
      });
      if (handover) {
        this.follows.delete(key(t.handoverUserId, t.externalUserId));
        if (t.kind === 'onjob') {
          out.push(
            await this.push('change_external_contact', 'del_external_contact', {
              UserID: t.handoverUserId,
              ExternalUserID: t.externalUserId,
              Source: 'DELETE_BY_TRANSFER',
            }),
          );
        }
      }
    }
    return out;
  }
}
