import { decodeCursor, encodeCursor, MAX_CURSOR_LENGTH } from './keyset';

describe('page cursors', () => {
  it('round-trip the key values as URL-safe text', () => {
    const values = ['2026-03-01', 'c/00+1?', 42, -1.5, true, 'æøå'];
    const cursor = encodeCursor(values);
    expect(cursor).toMatch(/^[A-Za-z0-9_-]+$/);
    expect(decodeCursor(cursor, values.length)).toEqual(values);
  });

  it.each([
    ['not a string', 42],
    ['empty', ''],
    ['not base64url', 'abc+/='],
    ['not JSON', Buffer.from('{nope').toString('base64url')],
    ['not an array', Buffer.from('{"a":1}').toString('base64url')],
    ['the wrong number of keys', encodeCursor(['2026-03-01'])],
    ['a null key', Buffer.from('["2026-03-01",null]').toString('base64url')],
    ['an object key', Buffer.from('["2026-03-01",{"x":1}]').toString('base64url')],
    ['too long', 'A'.repeat(MAX_CURSOR_LENGTH + 1)],
  ])('a cursor that is %s decodes to undefined (the caller answers 422)', (_, cursor) => {
    expect(decodeCursor(cursor, 2)).toBeUndefined();
  });

  it('only key values a query can bind go into a cursor', () => {
    expect(() => encodeCursor([null])).toThrow(/got null/);
    expect(() => encodeCursor([Number.NaN])).toThrow(/finite numbers/);
    expect(() => encodeCursor([{}])).toThrow(/got object/);
  });
});
