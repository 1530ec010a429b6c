import type { Customer, CustomerIdentity } from '@pond/contracts';
import type { CustomerIdentityTable, CustomerTable } from '@pond/storage';
import type { Selectable } from 'kysely';
import { maskEmail, maskMobile } from '../shared/personal-data.ts';

/** The API's view of a profile; personal data masked unless `unmasked`. */
export function toCustomer(r: Selectable<CustomerTable>, unmasked: boolean): Customer {
  return {
    id: r.public_id,
    name: r.name,
    gender: r.gender,
    birthday: r.birthday,
    phone: unmasked ? r.phone : maskMobile(r.phone),
    email: unmasked ? r.email : maskEmail(r.email),
    region: r.region,
    city: r.city,
    membershipLevel: r.membership_level,
    lifecycleStage: r.lifecycle_stage,
    sourceChannel: r.source_channel,
    ownerStaffId: r.owner_staff_id,
    storeId: r.store_id,
    attributes: JSON.parse(r.attributes) as Record<string, unknown>,
    firstSeenAt: r.first_seen_at,
    lastActiveAt: r.last_active_at,
    orderCount: r.order_count,
    totalSpend: r.total_spend,
    averageOrderValue: r.order_count > 0 ? Math.round((r.total_spend / r.order_count) * 100) / 100 : null,
    lastOrderAt: r.last_order_at,
    status: r.status,
    createdAt: r.created_at,
    updatedAt: r.updated_at,
  };
}

export function toIdentity(r: Selectable<CustomerIdentityTable>, unmasked: boolean): CustomerIdentity {
  const value = unmasked
    ? r.value
    : r.type === 'phone'
      ? (maskMobile(r.value) ?? '')
      : r.type === 'email'
        ? (maskEmail(r.value) ?? '')
        : r.value;
  return {
    type: r.type as CustomerIdentity['type'],
    namespace: r.namespace || null,
    value,
    source: r.source,
    createdAt: r.created_at,
  };
}
