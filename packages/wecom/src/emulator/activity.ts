import type { EmulatedCorp } from './corp.ts';
import type { Delivery } from './delivery.ts';

/**
 * Live activity for demos: what happens in a real corp during a day — customers adding staff
 * through live codes, deleting them, joining and leaving groups, staff editing remarks and
 * tags — one action at a time, each pushing its callback. Seeded like the rest of the corp.
 */

export type ActivityKind =
  | 'add_via_contact_way'
  | 'add_direct'
  | 'add_second_staff'
  | 'customer_deletes_staff'
  | 'staff_deletes_customer'
  | 'edit_contact'
  | 'join_group'
  | 'quit_group';

export interface ActivityRecord {
  kind: ActivityKind;
  userId?: string;
  externalUserId?: string;
  chatId?: string;
  delivery: Delivery;
}

const WEIGHTS: [ActivityKind, number][] = [
  ['add_via_contact_way', 35],
  ['add_direct', 10],
  ['add_second_staff', 5],
  ['customer_deletes_staff', 8],
  ['staff_deletes_customer', 4],
  ['edit_contact', 13],
  ['join_group', 17],
  ['quit_group', 8],
];

const CHANNELS = ['store_qr', 'live_room', 'mp_menu', 'friend_referral'];

/** Performs one plausible action; falls back to a direct add when the chosen one has nothing to act on. */
export async function performRandomActivity(corp: EmulatedCorp): Promise<ActivityRecord> {
  const rng = corp.deps.rng;
  const staff = [...corp.users.values()]
    .filter((u) => u.status === 1 && u.customerContact)
    .map((u) => u.userId);
  const follows = [...corp.follows.values()].filter((f) => staff.includes(f.userId));
  const groups = [...corp.groups.values()];
  let roll = rng.next() * WEIGHTS.reduce((sum, [, w]) => sum + w, 0);
  let kind: ActivityKind = 'add_direct';
  for (const [k, w] of WEIGHTS) {
    roll -= w;
    if (roll < 0) {
      kind = k;
      break;
    }
  }
  if (staff.length === 0) throw new Error('no member with customer contact to act');

  if (kind === 'add_via_contact_way' && corp.contactWays.size > 0) {
    const configId = rng.pick([...corp.contactWays.keys()]);
    const added = await corp.addExternalContact({ configId });
    return { kind, userId: added.userId, externalUserId: added.externalUserId, delivery: added.delivery };
  }
  if (kind === 'add_second_staff' && follows.length > 0) {
    const f = rng.pick(follows);
    const other = staff.filter((u) => !corp.follow(u, f.externalUserId));
    if (other.length > 0) {
      const added = await corp.addExternalContact({
        userId: rng.pick(other),
        externalUserId: f.externalUserId,
        addWay: 3,
      });
      return { kind, userId: added.userId, externalUserId: added.externalUserId, delivery: added.delivery };
    }
  }
  if ((kind === 'customer_deletes_staff' || kind === 'staff_deletes_customer') && follows.length > 0) {
    const f = rng.pick(follows);
    const delivery =
      kind === 'customer_deletes_staff'
        ? await corp.customerDeletesStaff(f.userId, f.externalUserId)
        : await corp.staffDeletesCustomer(f.userId, f.externalUserId);
    return { kind, userId: f.userId, externalUserId: f.externalUserId, delivery };
  }
  if (kind === 'edit_contact' && follows.length > 0) {
    const f = rng.pick(follows);
    const tags = corp.tagGroups.flatMap((g) => g.tags.map((t) => t.id));
    const delivery = await corp.editContact({
      userId: f.userId,
      externalUserId: f.externalUserId,
      ...(rng.chance(0.5) || tags.length === 0
        ? {
            remark: `${corp.customers.get(f.externalUserId)?.name ?? ''}${rng.pick(['（VIP）', '（复购）', '（咨询中）'])}`,
          }
        : { addTagIds: [rng.pick(tags)] }),
    });
    return { kind, userId: f.userId, externalUserId: f.externalUserId, delivery };
  }
  if (kind === 'join_group' && groups.length > 0) {
    const group = rng.pick(groups);
    const inside = new Set(group.members.map((m) => m.userId));
    const candidates = [...corp.customers.keys()].filter((id) => !inside.has(id));
    if (candidates.length > 0) {
      const externalUserId = rng.pick(candidates);
      const delivery = await corp.joinGroup(group.chatId, externalUserId, {
        via: rng.chance(0.4) ? 'qrcode' : 'invite',
      });
      return { kind, externalUserId, chatId: group.chatId, delivery };
    }
  }
  if (kind === 'quit_group' && groups.length > 0) {
    const group = rng.pick(groups);
    const customers = group.members.filter((m) => m.type === 2);
    if (customers.length > 0) {
      const member = rng.pick(customers);
      const delivery = await corp.quitGroup(group.chatId, member.userId, { removed: rng.chance(0.2) });
      return { kind, externalUserId: member.userId, chatId: group.chatId, delivery };
    }
  }
  const added = await corp.addExternalContact({
    userId: rng.pick(staff),
    state: rng.pick(CHANNELS),
    addWay: 1,
  });
  return {
    kind: 'add_direct',
    userId: added.userId,
    externalUserId: added.externalUserId,
    delivery: added.delivery,
  };
}

export interface ActivityHandle {
  /** Stops the timer; resolves once an action already under way has delivered and been reported. */
  stop(): Promise<void>;
}

/**
 * Performs an action every `intervalMs` (default 5 s) until stopped or `maxActions` is reached.
 * A tick is skipped while the previous action is still delivering; the timer does not keep
 * the process alive. Once `stop()` resolves, no action runs and none is reported.
 */
export function startActivity(
  corp: EmulatedCorp,
  opts: {
    intervalMs?: number;
    maxActions?: number;
    onAction?: (record: ActivityRecord) => void;
    onError?: (error: unknown) => void;
  } = {},
): ActivityHandle {
  let underway: Promise<void> | null = null;
  let done = 0;
  const timer = setInterval(() => {
    if (underway) return;
    if (opts.maxActions !== undefined && done >= opts.maxActions) {
      clearInterval(timer);
      return;
    }
    done += 1;
    underway = performRandomActivity(corp)
      .then((record) => opts.onAction?.(record))
      .catch((error: unknown) => opts.onError?.(error))
      .finally(() => {
        underway = null;
      });
  }, opts.intervalMs ?? 5000);
  timer.unref();
  return {
    stop: async () => {
      clearInterval(timer);
      await underway;
    },
  };
}
