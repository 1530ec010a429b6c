import { ContactActions } from './corp-contacts.ts';
import type { WithDelivery } from './corp-state.ts';
import type { Delivery } from './delivery.ts';
import type { EmGroup, EmGroupMember, EmTag, EmTagGroup } from './model.ts';
import { ids } from './random.ts';

export type { NewContact } from './corp-contacts.ts';
export type { CorpDeps, WithDelivery } from './corp-state.ts';

/**
 * An emulated corp: the state the HTTP routes serve, and the actions people take in the
 * WeCom client or admin console. Each action changes the state and pushes the callback
 * WeCom would push (SPEC §2), encrypted, to the configured URL. Changes made through the
 * API (routes) push nothing, as in WeCom (SPEC §2.1).
 */
export class EmulatedCorp extends ContactActions {
  // ── Group actions (SPEC §2.3) ───────────────────────────────────────────────────────────

  async createGroup(input: {
    owner: string;
    name?: string;
    externalUserIds?: string[];
    memberUserIds?: string[];
  }): Promise<WithDelivery<{ chatId: string }>> {
    const owner = this.requireUser(input.owner);
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
    this.requireUser(owner);
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
}
