import { InvalidEventError } from './errors';
import { validateAndSerialise, type MetadataMemo } from './validation';

const metadata = { correlationId: 'c-1', causationId: null, actor: { id: 'a-1', role: 'accounting' }, occurredAt: '2026-12-01T08:00:00.000Z', schemaVersion: 1 };
const event = (n: number, meta: unknown = metadata) => ({ id: `00000000-0000-5000-8000-${String(n).padStart(12, '0')}`, type: 'test.Seen', data: { n }, metadata: meta }) as never;

describe('validateAndSerialise with a metadata memo (one per append)', () => {
  it('checks and writes out a metadata object shared by many events once, giving each the same text', () => {
    const memo: MetadataMemo = new Map();
    const first = validateAndSerialise('seen-1', [event(1), event(2)], 'no_stream', memo);
    const second = validateAndSerialise('seen-2', [event(3)], 'no_stream', memo);
    expect(memo.size).toBe(1);
    expect(new Set([...first, ...second].map((e) => e.metadata))).toEqual(new Set([JSON.stringify(metadata)]));
    expect(first.map((e) => e.data)).toEqual(['{"n":1}', '{"n":2}']);
  });

  it('still refuses bad metadata, each object on its own, and remembers none of it', () => {
    const memo: MetadataMemo = new Map();
    validateAndSerialise('seen-1', [event(1)], 'no_stream', memo);
    expect(() => validateAndSerialise('seen-2', [event(2, { ...metadata, occurredAt: 'yesterday' })], 'no_stream', memo)).toThrow(InvalidEventError);
    expect(() => validateAndSerialise('seen-3', [event(3, { ...metadata, actor: null })], 'no_stream', memo)).toThrow(InvalidEventError);
    expect(() => validateAndSerialise('seen-4', [event(4, null)], 'no_stream', memo)).toThrow(InvalidEventError);
    expect(memo.size).toBe(1);
  });
});
