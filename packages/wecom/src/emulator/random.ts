/**
 * A small seeded generator (mulberry32) so an emulated corp built from the same seed has the
 * same ids, names and data every time.
 */
export class Rng {
  #state: number;

  constructor(seed: number) {
    this.#state = seed >>> 0 || 0x9e3779b9;
  }

  /** A float in [0, 1). */
  next(): number {
    this.#state = (this.#state + 0x6d2b79f5) >>> 0;
    let t = this.#state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }

  /** An integer in [min, max]. */
  int(min: number, max: number): number {
    return min + Math.floor(this.next() * (max - min + 1));
  }

  chance(p: number): boolean {
    return this.next() < p;
  }

  pick<T>(items: readonly T[]): T {
    const item = items[Math.floor(this.next() * items.length)];
    if (item === undefined) throw new RangeError('pick from an empty list');
    return item;
  }

  /** `count` distinct items (fewer if the list is shorter). */
  sample<T>(items: readonly T[], count: number): T[] {
    const pool = [...items];
    const out: T[] = [];
    while (out.length < count && pool.length > 0)
      out.push(pool.splice(Math.floor(this.next() * pool.length), 1)[0] as T);
    return out;
  }

  chars(alphabet: string, length: number): string {
    let out = '';
    for (let i = 0; i < length; i += 1) out += alphabet[Math.floor(this.next() * alphabet.length)];
    return out;
  }

  hex(length: number): string {
    return this.chars('0123456789abcdef', length);
  }
}

const ALNUM = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';

/** WeCom-shaped ids: `wm…`/`wo…` customers, `wr…` groups, `et…` tags (SPEC §3.0). */
export const ids = {
  externalUser: (rng: Rng, wecomUser = false) => `${wecomUser ? 'wo' : 'wm'}${rng.chars(ALNUM, 26)}AAAA`,
  chat: (rng: Rng) => `wr${rng.chars(ALNUM, 26)}AAAA`,
  tag: (rng: Rng) => `et${rng.chars(ALNUM, 26)}AAAA`,
  unionId: (rng: Rng) => `oz${rng.chars(ALNUM, 26)}`,
  configId: (rng: Rng) => rng.hex(32),
  welcomeCode: (rng: Rng) => rng.chars(ALNUM, 43),
  token: (rng: Rng) => rng.chars(`${ALNUM}-_`, 214),
};

export const SURNAMES = [
  '王',
  '李',
  '张',
  '刘',
  '陈',
  '杨',
  '黄',
  '赵',
  '吴',
  '周',
  '徐',
  '孙',
  '马',
  '朱',
  '胡',
  '郭',
  '何',
  '林',
  '罗',
  '高',
];
export const GIVEN = [
  '伟',
  '芳',
  '娜',
  '敏',
  '静',
  '丽',
  '强',
  '磊',
  '洋',
  '艳',
  '勇',
  '军',
  '杰',
  '娟',
  '涛',
  '明',
  '超',
  '秀英',
  '霞',
  '平',
  '刚',
  '桂英',
  '晓东',
  '雨萱',
  '子涵',
  '思远',
  '欣怡',
  '浩然',
];
export const PINYIN = [
  'wang',
  'li',
  'zhang',
  'liu',
  'chen',
  'yang',
  'huang',
  'zhao',
  'wu',
  'zhou',
  'xu',
  'sun',
  'ma',
  'zhu',
  'hu',
  'guo',
  'he',
  'lin',
  'luo',
  'gao',
];

export function personName(rng: Rng): { name: string; surnameIndex: number } {
  const surnameIndex = rng.int(0, SURNAMES.length - 1);
  return { name: `${SURNAMES[surnameIndex]}${rng.pick(GIVEN)}`, surnameIndex };
}
