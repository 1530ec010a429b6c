import type { Random } from './random.ts';

// Common surnames weighted roughly by frequency, and given-name characters.
const SURNAMES: readonly (readonly [string, number])[] = [
  ['王', 7.1],
  ['李', 7.0],
  ['张', 6.7],
  ['刘', 5.4],
  ['陈', 4.5],
  ['杨', 3.1],
  ['黄', 2.2],
  ['赵', 2.1],
  ['吴', 2.0],
  ['周', 1.9],
  ['徐', 1.5],
  ['孙', 1.5],
  ['马', 1.3],
  ['朱', 1.3],
  ['胡', 1.2],
  ['郭', 1.1],
  ['何', 1.1],
  ['林', 1.0],
  ['高', 1.0],
  ['罗', 0.9],
  ['郑', 0.9],
  ['梁', 0.8],
  ['谢', 0.7],
  ['宋', 0.6],
  ['唐', 0.6],
  ['许', 0.6],
  ['韩', 0.6],
  ['冯', 0.5],
  ['邓', 0.5],
  ['曹', 0.5],
  ['彭', 0.5],
  ['曾', 0.5],
  ['肖', 0.5],
  ['田', 0.4],
  ['董', 0.4],
  ['潘', 0.4],
];
const GIVEN =
  '伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华玉萍红建文辉力鹏飞雪琳晨宇浩然欣怡子涵梓萱一诺雨彤思远嘉豪';

export const CITIES: readonly (readonly [string, string])[] = [
  ['上海', '上海'],
  ['北京', '北京'],
  ['广东', '广州'],
  ['广东', '深圳'],
  ['浙江', '杭州'],
  ['江苏', '南京'],
  ['江苏', '苏州'],
  ['四川', '成都'],
  ['湖北', '武汉'],
  ['陕西', '西安'],
  ['重庆', '重庆'],
  ['天津', '天津'],
  ['湖南', '长沙'],
  ['福建', '厦门'],
  ['山东', '青岛'],
  ['河南', '郑州'],
  ['浙江', '宁波'],
  ['辽宁', '沈阳'],
];

const MOBILE_PREFIXES = [
  '130',
  '131',
  '132',
  '133',
  '135',
  '136',
  '137',
  '138',
  '139',
  '150',
  '151',
  '152',
  '155',
  '158',
  '159',
  '176',
  '177',
  '180',
  '181',
  '186',
  '187',
  '188',
  '189',
  '199',
];

export function chineseName(r: Random): string {
  const surname = r.weighted(SURNAMES);
  const length = r.chance(0.7) ? 2 : 1;
  let given = '';
  for (let i = 0; i < length; i++) given += GIVEN.charAt(r.int(0, GIVEN.length - 1));
  return surname + given;
}

/** A mainland mobile number with a real carrier prefix, unique for distinct `n`. */
export function mobileFor(r: Random, n: number): string {
  return `${r.pick(MOBILE_PREFIXES)}${String(n).padStart(8, '0')}`;
}
