import type { OrgUnit } from '@pond/contracts';

export interface UnitNode {
  readonly key: string;
  readonly value: string;
  readonly title: string;
  readonly unit: OrgUnit;
  readonly children: UnitNode[];
}

/**
 * Nests the flat, parents-first list the API returns. Units whose parent is outside the
 * caller's scope become roots (a store manager's tree starts at their store).
 */
export function buildUnitTree(units: readonly OrgUnit[], label: (u: OrgUnit) => string): UnitNode[] {
  const nodes = new Map<string, UnitNode>();
  for (const u of units) nodes.set(u.id, { key: u.id, value: u.id, title: label(u), unit: u, children: [] });
  const roots: UnitNode[] = [];
  for (const node of nodes.values()) {
    const parent = node.unit.parentId ? nodes.get(node.unit.parentId) : undefined;
    if (parent) parent.children.push(node);
    else roots.push(node);
  }
  return roots;
}
