import type { XmlValue } from '../xml.ts';
import {
  type CallbackTarget,
  checkReceiverUrl,
  type Delivery,
  type DeliveryOptions,
  deliver,
  type UrlVerification,
} from './delivery.ts';
import type {
  CorpData,
  EmContactWay,
  EmCustomer,
  EmDepartment,
  EmFollow,
  EmGroup,
  EmTag,
  EmTagGroup,
  EmTransfer,
  EmUser,
  EmWelcomeCode,
} from './model.ts';
import { ids, type Rng } from './random.ts';

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

export const relationKey = (userId: string, externalUserId: string) => `${userId}\n${externalUserId}`;

/** The emulated corp's data, its reads, and the plumbing that pushes callbacks. */
export class CorpState {
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
    for (const f of data.follows)
      this.follows.set(relationKey(f.userId, f.externalUserId), structuredClone(f));
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
    return this.follows.get(relationKey(userId, externalUserId));
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
    return checkReceiverUrl(this.callback, this.corpId, echo, this.deps.now());
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

  protected requireUser(userId: string): EmUser {
    const user = this.activeUser(userId);
    if (!user) throw new Error(`no active member ${userId}`);
    return user;
  }

  protected requireFollow(userId: string, externalUserId: string): EmFollow {
    const follow = this.follow(userId, externalUserId);
    if (!follow) throw new Error(`${externalUserId} is not a customer of ${userId}`);
    return follow;
  }
}
