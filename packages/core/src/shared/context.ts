import type { Permission, Role } from '@pond/contracts';

/** Who is acting: a console user, an API key, or Pond itself. */
export interface Principal {
  readonly tenantId: string;
  readonly kind: 'user' | 'api_key' | 'system';
  readonly id: string;
  readonly name: string;
  readonly role: Role | null;
  readonly permissions: ReadonlySet<Permission>;
  /** The org unit whose subtree bounds everything this principal sees and changes. */
  readonly scope: { readonly unitId: string; readonly path: string };
  /** The staff member a console user is linked to (frontline staff see only their customers). */
  readonly staffId: string | null;
}

/** Passed as the first argument to every service call made on someone's behalf. */
export interface Ctx {
  readonly principal: Principal;
  readonly requestId: string | null;
  readonly ip: string | null;
}

export function can(ctx: Ctx, permission: Permission): boolean {
  return ctx.principal.permissions.has(permission);
}

/** Whether an org unit path lies within the principal's scope. */
export function inScope(ctx: Ctx, unitPath: string): boolean {
  return unitPath.startsWith(ctx.principal.scope.path);
}
