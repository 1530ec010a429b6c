import type { EmDepartment } from '../model.ts';
import { bodyInt, EmError, page, queryStr, type Route, type RouteContext } from './common.ts';

/** Directory reads (SPEC §3.15) and the user/simplelist department member list. */

function subtree(ctx: RouteContext, id: string): EmDepartment[] {
  const all = [...ctx.corp.departments.values()];
  if (!id) return all;
  const root = ctx.corp.departments.get(Number(id));
  if (!root) throw new EmError(60123, 'invalid party id');
  const out = [root];
  for (let i = 0; i < out.length; i += 1) out.push(...all.filter((d) => d.parentId === out[i]?.id));
  return out;
}

export const directoryRoutes: Record<string, Route> = {
  'department/list': (ctx) => ({
    department: subtree(ctx, queryStr(ctx, 'id', false)).map((d) => ({
      id: d.id,
      name: d.name,
      name_en: d.nameEn,
      department_leader: d.leaders,
      parentid: d.parentId,
      order: d.order,
    })),
  }),
  'department/simplelist': (ctx) => ({
    department_id: subtree(ctx, queryStr(ctx, 'id', false)).map((d) => ({
      id: d.id,
      parentid: d.parentId,
      order: d.order,
    })),
  }),
  'department/get': (ctx) => {
    const d = ctx.corp.departments.get(Number(queryStr(ctx, 'id')));
    if (!d) throw new EmError(60123, 'invalid party id');
    return {
      department: {
        id: d.id,
        name: d.name,
        name_en: d.nameEn,
        department_leader: d.leaders,
        parentid: d.parentId,
        order: d.order,
      },
    };
  },
  'user/simplelist': (ctx) => {
    const department = Number(queryStr(ctx, 'department_id'));
    if (!ctx.corp.departments.has(department)) throw new EmError(60123, 'invalid party id');
    return {
      userlist: [...ctx.corp.users.values()]
        .filter((u) => u.status !== 5 && u.departments.includes(department))
        .map((u) => ({ userid: u.userId, name: u.name, department: u.departments })),
    };
  },
  'user/get': (ctx) => {
    const userId = queryStr(ctx, 'userid');
    const u = [...ctx.corp.users.values()].find((x) => x.userId.toLowerCase() === userId.toLowerCase());
    if (!u || u.status === 5) throw new EmError(60111, `invalid userid ${userId}`);
    return {
      userid: u.userId,
      name: u.name,
      department: u.departments,
      order: u.departments.map(() => 0),
      position: u.position,
      mobile: u.mobile,
      gender: u.gender,
      email: u.email,
      is_leader_in_dept: u.isLeaderInDept,
      direct_leader: [],
      avatar: `https://wework.qpic.cn/wwpic/${u.userId}/0`,
      thumb_avatar: `https://wework.qpic.cn/wwpic/${u.userId}/100`,
      telephone: '',
      alias: u.alias,
      status: u.status,
      main_department: u.mainDepartment,
      qr_code: `https://open.work.weixin.qq.com/wwopen/userQRCode?vcode=${u.userId}`,
      external_position: u.position,
    };
  },
  'user/list_id': (ctx) => {
    const limit = bodyInt(ctx, 'limit', 10_000, 1, 10_000);
    const cursor = typeof ctx.body.cursor === 'string' ? ctx.body.cursor : '';
    const rows = [...ctx.corp.users.values()]
      .filter((u) => u.status !== 5)
      .flatMap((u) => u.departments.map((d) => ({ userid: u.userId, department: d })));
    const p = page(rows, cursor, limit, 'list_id');
    return { next_cursor: p.nextCursor, dept_user: p.items };
  },
};
