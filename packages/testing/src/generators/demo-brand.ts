import { CITIES, chineseName, mobileFor } from './chinese.ts';
import { type Random, seeded } from './random.ts';

export interface DemoScale {
  readonly regions: number;
  readonly storesPerRegion: number;
  readonly staffPerStore: number;
  readonly customers: number;
  /** Roughly how many events in all; actual counts follow a long tail per customer. */
  readonly events: number;
  readonly days: number;
}

/** The demo brand of the issue: 3 regions, 12 stores, 60 staff, 50,000 customers, ~1M events. */
export const DEMO_FULL: DemoScale = {
  regions: 3,
  storesPerRegion: 4,
  staffPerStore: 5,
  customers: 50_000,
  events: 1_000_000,
  days: 180,
};
export const DEMO_SMALL: DemoScale = {
  regions: 2,
  storesPerRegion: 2,
  staffPerStore: 2,
  customers: 200,
  events: 3_000,
  days: 30,
};

export interface DemoStore {
  readonly key: string;
  readonly region: string;
  readonly name: string;
  readonly city: readonly [string, string];
}

export interface DemoStaff {
  readonly key: string;
  readonly store: string;
  readonly name: string;
  readonly mobile: string;
  readonly wecomUserId: string;
  readonly title: string;
}

export interface DemoCustomer {
  readonly index: number;
  readonly name: string;
  readonly gender: 'male' | 'female' | 'unknown';
  readonly birthday: string | null;
  readonly phone: string;
  readonly email: string | null;
  readonly region: string;
  readonly city: string;
  readonly membershipLevel: string;
  readonly lifecycleStage: string;
  readonly sourceChannel: string;
  readonly store: string;
  readonly ownerStaff: string;
  readonly externalUserId: string;
  readonly unionId: string | null;
  readonly memberId: string | null;
  readonly createdAt: number;
  /** How many events this customer produces (long-tailed). */
  readonly activity: number;
}

export interface DemoEvent {
  readonly customer: number;
  readonly name: string;
  readonly type: 'track' | 'page';
  readonly properties: Record<string, unknown>;
  readonly timestamp: number;
}

const REGIONS = ['华东大区', '华南大区', '华北大区', '西南大区', '华中大区'];
const TITLES = ['导购', '导购', '导购', '资深导购', '店长助理'];
const LEVELS: readonly (readonly [string, number])[] = [
  ['普通会员', 60],
  ['银卡', 25],
  ['金卡', 11],
  ['黑金', 4],
];
const STAGES: readonly (readonly [string, number])[] = [
  ['new', 20],
  ['active', 35],
  ['loyal', 10],
  ['at_risk', 20],
  ['churned', 15],
];
const CHANNELS: readonly (readonly [string, number])[] = [
  ['门店活码', 35],
  ['包裹卡', 15],
  ['公众号', 15],
  ['小程序商城', 15],
  ['直播', 8],
  ['裂变活动', 7],
  ['导入', 5],
];
const PRODUCTS = ['冷萃咖啡豆', '挂耳咖啡', '手冲壶', '燕麦拿铁', '咖啡杯', '月度订阅', '礼盒装'];
const ARTICLES = ['秋季新品上市', '手冲入门指南', '会员日福利', '咖啡产地故事', '门店活动预告'];
const DAY = 86_400_000;

/** The org: regions, stores with their cities, and staff with WeCom userids. */
export function demoOrg(seed: number, scale: DemoScale) {
  const r = seeded(seed);
  const stores: DemoStore[] = [];
  const staff: DemoStaff[] = [];
  for (let g = 0; g < scale.regions; g++) {
    const region = REGIONS[g % REGIONS.length] ?? `区域${g + 1}`;
    for (let s = 0; s < scale.storesPerRegion; s++) {
      const city = r.pick(CITIES);
      const key = `S${g + 1}${String(s + 1).padStart(2, '0')}`;
      stores.push({
        key,
        region,
        city,
        name: `${city[1]}${r.pick(['万象城', '太古里', '天街', '大悦城', '印象城', '银泰'])}店`,
      });
      for (let p = 0; p < scale.staffPerStore; p++) {
        const n = staff.length + 1;
        staff.push({
          key: `E${String(n).padStart(3, '0')}`,
          store: key,
          name: chineseName(r),
          mobile: mobileFor(r, 10_000_000 + n),
          wecomUserId: `staff${String(n).padStart(3, '0')}`,
          title: p === 0 ? '店长' : r.pick(TITLES),
        });
      }
    }
  }
  return { regions: REGIONS.slice(0, scale.regions), stores, staff };
}

/** Customers, one at a time, each owned by a staff member of its store. */
export function* demoCustomers(seed: number, scale: DemoScale, org: ReturnType<typeof demoOrg>, now: number) {
  const r = seeded(seed * 31 + 7);
  const rawActivity: number[] = [];
  for (let i = 0; i < scale.customers; i++) rawActivity.push(r.pareto(1.3));
  const total = rawActivity.reduce((s, a) => s + a, 0);
  for (let i = 0; i < scale.customers; i++) {
    const store = r.pick(org.stores);
    const storeStaff = org.staff.filter((s) => s.store === store.key);
    const gender = r.weighted([
      ['female', 62],
      ['male', 33],
      ['unknown', 5],
    ] as const);
    const year = r.int(1965, 2005);
    const customer: DemoCustomer = {
      index: i,
      name: chineseName(r),
      gender,
      birthday: r.chance(0.7)
        ? `${year}-${String(r.int(1, 12)).padStart(2, '0')}-${String(r.int(1, 28)).padStart(2, '0')}`
        : null,
      phone: mobileFor(r, 20_000_000 + i),
      email: r.chance(0.25) ? `user${i}@example.cn` : null,
      region: store.city[0],
      city: store.city[1],
      membershipLevel: r.weighted(LEVELS),
      lifecycleStage: r.weighted(STAGES),
      sourceChannel: r.weighted(CHANNELS),
      store: store.key,
      ownerStaff: r.pick(storeStaff).key,
      externalUserId: `wmDEMO${String(i).padStart(8, '0')}`,
      unionId: r.chance(0.6) ? `oDEMOu${String(i).padStart(10, '0')}` : null,
      memberId: r.chance(0.5) ? `M${String(100000 + i)}` : null,
      createdAt: now - r.int(1, scale.days * 2) * DAY - r.int(0, DAY - 1),
      activity: Math.max(1, Math.round(((rawActivity[i] ?? 1) / total) * scale.events)),
    };
    yield customer;
  }
}

function event(r: Random, customer: number, timestamp: number): DemoEvent {
  const kind = r.weighted([
    ['page_view', 40],
    ['article_read', 20],
    ['product_view', 18],
    ['add_to_cart', 8],
    ['coupon_received', 5],
    ['check_in', 5],
    ['order_paid', 3],
    ['form_submit', 1],
  ] as const);
  switch (kind) {
    case 'page_view':
      return {
        customer,
        type: 'page',
        name: r.pick(['首页', '商品详情', '会员中心', '活动页']),
        properties: { path: `/p/${r.int(1, 40)}` },
        timestamp,
      };
    case 'article_read':
      return {
        customer,
        type: 'track',
        name: kind,
        properties: { title: r.pick(ARTICLES), dwellSeconds: r.int(5, 400), scrollDepth: r.int(10, 100) },
        timestamp,
      };
    case 'product_view':
    case 'add_to_cart':
      return {
        customer,
        type: 'track',
        name: kind,
        properties: { product: r.pick(PRODUCTS), price: r.pick([39, 59, 88, 128, 199, 299]) },
        timestamp,
      };
    case 'order_paid':
      return {
        customer,
        type: 'track',
        name: kind,
        properties: { amount: Math.round(r.pareto(1.6) * 60 * 100) / 100, items: r.int(1, 4) },
        timestamp,
      };
    case 'coupon_received':
      return {
        customer,
        type: 'track',
        name: kind,
        properties: { coupon: r.pick(['满100减20', '新客9折', '生日券']) },
        timestamp,
      };
    case 'check_in':
      return { customer, type: 'track', name: kind, properties: { streak: r.int(1, 30) }, timestamp };
    case 'form_submit':
      return {
        customer,
        type: 'track',
        name: kind,
        properties: { form: r.pick(['口味测试', '到店预约']) },
        timestamp,
      };
  }
}

/** Events over the last `days`, customer by customer, without holding them all in memory. */
export function* demoEvents(seed: number, scale: DemoScale, customers: Iterable<DemoCustomer>, now: number) {
  const r = seeded(seed * 17 + 3);
  const start = now - scale.days * DAY;
  for (const c of customers) {
    const from = Math.max(start, c.createdAt);
    for (let i = 0; i < c.activity; i++) yield event(r, c.index, from + Math.floor(r.next() * (now - from)));
  }
}
