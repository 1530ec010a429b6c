import { describe, expect, it } from 'vitest';
import { diffOf } from './diff.ts';

describe('audit diffs', () => {
  it('lists every set field of a creation as [null, value]', () => {
    expect(diffOf(null, { id: 'stf_1', name: 'Li', title: null, depth: 2 })).toEqual({
      id: [null, 'stf_1'],
      name: [null, 'Li'],
      depth: [null, 2],
    });
  });

  it('lists every set field of a deletion as [value, null]', () => {
    expect(diffOf({ id: 'ou_1', name: 'East', code: null }, null)).toEqual({
      id: ['ou_1', null],
      name: ['East', null],
    });
  });

  it('keeps only the fields that changed, and not the update time', () => {
    const before = { name: 'Li', title: 'Guide', updated_at: 1, updatedAt: 1, tags: ['a'] };
    const after = { name: 'Li', title: 'Lead', updated_at: 2, updatedAt: 2, tags: ['a'] };
    expect(diffOf(before, after)).toEqual({ title: ['Guide', 'Lead'] });
    expect(diffOf(before, { ...before })).toEqual({});
  });

  it('compares nested values by content and treats a missing field as null', () => {
    expect(diffOf({ scopes: ['a', 'b'] }, { scopes: ['a', 'b'] })).toEqual({});
    expect(diffOf({ scopes: ['a'] }, { scopes: ['a', 'b'] })).toEqual({ scopes: [['a'], ['a', 'b']] });
    expect(diffOf({ code: null }, {})).toEqual({});
    expect(diffOf({}, { code: 'S1' })).toEqual({ code: [null, 'S1'] });
    expect(diffOf({ n: 0 }, { n: null })).toEqual({ n: [0, null] });
    expect(diffOf({ on: false }, { on: true })).toEqual({ on: [false, true] });
  });

  it('never records secrets, even when they change', () => {
    const before = { name: 'a', password_hash: 'scrypt$1', key_hash: 'h1', csrf_token: 'c1', secret: 's1' };
    const after = {
      name: 'b',
      password_hash: 'scrypt$2',
      passwordHash: 'x',
      password: 'hunter22',
      key_hash: 'h2',
      csrf_token: 'c2',
      secret: 's2',
    };
    const diff = diffOf(before, after);
    expect(diff).toEqual({ name: ['a', 'b'] });
    expect(JSON.stringify(diff)).not.toMatch(/scrypt|hunter|h2|c2|s2/);
  });

  it('masks personal data on both sides, keeping enough to tell values apart', () => {
    expect(diffOf({ mobile: '+8613800138000' }, { mobile: '+8613900139011' })).toEqual({
      mobile: ['+86****00', '+86****11'],
    });
    expect(diffOf(null, { email: 'alice@example.com', phone: '+8613700000000' })).toEqual({
      email: [null, 'ali****om'],
      phone: [null, '+86****00'],
    });
    expect(diffOf({ email: 'a@b' }, { email: null })).toEqual({ email: ['****', null] });
    // A change the masks hide is still recorded as a change.
    expect(Object.keys(diffOf({ mobile: '+8613800000001' }, { mobile: '+8613811111101' }))).toEqual([
      'mobile',
    ]);
  });
});
