import { PondApiError } from '@pond/sdk';
import type { FormInstance } from 'antd';

/** The message to show for a failed call. */
export function errorText(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}

/**
 * Puts a server error on the form field it names (`body.mobile` → field `mobile`); returns
 * false when the error names no field of this form, so the caller shows it elsewhere.
 */
export function showFieldError(form: FormInstance, e: unknown): boolean {
  if (!(e instanceof PondApiError) || !e.field?.startsWith('body.')) return false;
  const name = e.field.slice('body.'.length).split('.')[0] ?? '';
  if (!name || !form.getFieldInstance(name)) return false;
  form.setFields([{ name, errors: [e.message] }]);
  return true;
}
