import { z } from 'zod';
import { decodeCursor, type CursorValue } from '@evp/read-models';
import type { Caller } from '@evp/auth';
import { RequestValidationError } from '../http/errors';

export const municipalityParam = z.string().regex(/^\d{4}$/, 'må være et kommunenummer (fire siffer)');
export const cursorParam = z.string().max(1024).optional();
export const limitParam = z.coerce.number().int().min(1).max(500).default(50);
export const monthParam = z.string().regex(/^\d{4}-(0[1-9]|1[0-2])$/, 'må være en måned (ÅÅÅÅ-MM)');

/** The caller's one municipality when none is named; a caller with several must name one (lists are per municipality). */
export function municipalityFor(caller: Caller, named: string | undefined): string {
  if (named) return named;
  if (caller.municipalities.length === 1) return caller.municipalities[0] as string;
  throw new RequestValidationError([{ line: null, column: 'municipality', reason: 'må oppgis når du har tilgang til flere kommuner' }]);
}

export function cursorOf(value: string | undefined, arity = 2): CursorValue[] | undefined {
  if (value === undefined) return undefined;
  const after = decodeCursor(value, arity);
  if (!after) throw new RequestValidationError([{ line: null, column: 'cursor', reason: 'er ikke en gyldig sidemarkør; bruk nextCursor fra forrige side' }]);
  return after;
}

export function parsed<T>(schema: z.ZodType<T>, input: unknown): T {
  const result = schema.safeParse(input ?? {});
  if (!result.success) throw RequestValidationError.fromZod(result.error);
  return result.data;
}

/** `YYYY-MM` plus `n` months. */
export function addMonths(month: string, n: number): string {
  const [y, m] = month.split('-').map(Number) as [number, number];
  const index = y * 12 + (m - 1) + n;
  return `${String(Math.floor(index / 12)).padStart(4, '0')}-${String((index % 12) + 1).padStart(2, '0')}`;
}
