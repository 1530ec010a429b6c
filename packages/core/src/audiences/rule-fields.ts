import {
  type AttributeDefinition,
  RULE_FIELDS,
  RULE_TYPE_OF_ATTRIBUTE,
  type RuleFieldType,
} from '@pond/contracts';

export interface Field {
  readonly type: RuleFieldType;
  /** A column of `customers`, or a custom attribute's key inside `customers.attributes`. */
  readonly column?: string;
  readonly attribute?: string;
}

/** `membershipLevel` → `membership_level`. */
const columnOf = (name: string) => name.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`);

/** The field a rule names, from the standard fields or the tenant's custom attributes. */
export function fieldOf(name: string, definitions: ReadonlyMap<string, AttributeDefinition>): Field | null {
  if (name.startsWith('attributes.')) {
    const key = name.slice('attributes.'.length);
    const def = definitions.get(key);
    return def ? { type: RULE_TYPE_OF_ATTRIBUTE[def.type], attribute: key } : null;
  }
  const type = RULE_FIELDS[name];
  return type ? { type, column: columnOf(name) } : null;
}

export const STANDARD_FIELDS = Object.keys(RULE_FIELDS);
