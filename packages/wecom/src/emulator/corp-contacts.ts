import { CorpState, relationKey, type WithDelivery } from './corp-state.ts';
import type { Delivery } from './delivery.ts';
import type { EmContactWay, EmCustomer } from './model.ts';
import { ids, personName } from './random.ts';

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

/** Actions on customers (SPEC §2.2) and transfers (SPEC §3.13). */
export class ContactActions extends CorpState {
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
    this.requireUser(userId);
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
    this.follows.set(relationKey(userId, externalUserId), {
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
    const follow = this.requireFollow(input.userId, input.externalUserId);
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
    this.requireFollow(userId, externalUserId);
    this.follows.delete(relationKey(userId, externalUserId));
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
    this.requireFollow(userId, externalUserId);
    this.follows.delete(relationKey(userId, externalUserId));
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
      this.follows.set(relationKey(t.takeoverUserId, t.externalUserId), {
        ...(handover ?? { remark: '', description: '', tagIds: [], remarkMobiles: [], addWay: 202 }),
        userId: t.takeoverUserId,
        externalUserId: t.externalUserId,
        createTime: this.nowSeconds(),
        operUserId: t.takeoverUserId,
      });
      if (handover) {
        this.follows.delete(relationKey(t.handoverUserId, t.externalUserId));
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
