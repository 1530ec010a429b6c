import { WeComTransport } from './transport.ts';
import type { Department, DepartmentRef, Page, User, UserIdEntry, UserSummary } from './types.ts';
import { list, num, numbers, obj, paginate, readDepartment, readUser, str } from './wire.ts';

/** Directory reads (SPEC §3.15); the base of `WeComClient`. */
export class WeComDirectoryApi extends WeComTransport {
  // ── Directory (SPEC §3.15) ─────────────────────────────────────────────────────────────

  /** `department/list`: the department and its subtree, or the whole visible tree. */
  async listDepartments(id?: number): Promise<Department[]> {
    const json = await this.call('department/list', { query: { id } });
    return list(json, 'department').map((d) => readDepartment(obj(d)));
  }

  /** `department/simplelist`: ids and parents only (the doc's recommended fast path). */
  async listDepartmentRefs(id?: number): Promise<DepartmentRef[]> {
    const json = await this.call('department/simplelist', { query: { id } });
    return list(json, 'department_id').map((d) => {
      const w = obj(d);
      return { id: num(w, 'id'), parentId: num(w, 'parentid'), order: num(w, 'order') };
    });
  }

  /** `department/get`. */
  async getDepartment(id: number): Promise<Department> {
    const json = await this.call('department/get', { query: { id } });
    return readDepartment(obj(json.department));
  }

  /** `user/simplelist`: members directly in a department (WeCom's department member list). */
  async listUsersInDepartment(departmentId: number): Promise<UserSummary[]> {
    const json = await this.call('user/simplelist', { query: { department_id: departmentId } });
    return list(json, 'userlist').map((u) => {
      const w = obj(u);
      const openUserId = str(w, 'open_userid');
      return {
        userId: str(w, 'userid'),
        name: str(w, 'name'),
        departments: numbers(w, 'department'),
        ...(openUserId && { openUserId }),
      };
    });
  }

  /** `user/get`. */
  async getUser(userId: string): Promise<User> {
    return readUser(await this.call('user/get', { query: { userid: userId } }));
  }

  /** `user/list_id`: one page of member ids (limit 1–10 000). */
  async listUserIds(cursor = '', limit = 10_000): Promise<Page<UserIdEntry>> {
    const json = await this.call('user/list_id', { body: { cursor, limit } });
    return {
      items: list(json, 'dept_user').map((e) => ({
        userId: str(obj(e), 'userid'),
        department: num(obj(e), 'department'),
      })),
      nextCursor: str(json, 'next_cursor'),
    };
  }

  iterateUserIds(limit = 10_000, cursor = ''): AsyncGenerator<UserIdEntry> {
    return paginate(cursor, (c) => this.listUserIds(c, limit));
  }
}
