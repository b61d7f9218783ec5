import { ErrorSummary } from '@navikt/ds-react';
import type { Problem } from '../api/problem';
import { useFocusOn } from './page';

/** Field errors by the api's own path (`tenants.0.birthDate`), so the api's and the page's errors land on the same field. */
export type FieldErrors = Record<string, string>;

/** The element id of the field for an api path: `tenants.0.birthDate` → `f-tenants-0-birthDate`. */
export function fieldId(path: string): string {
  return `f-${path.replace(/[^A-Za-z0-9_-]/g, '-')}`;
}

/** «01.12.2026» (or «1.12.2026», or ISO `2026-12-01`) → `2026-12-01`; '' for empty; null when it is not a real date. */
export function parseDate(text: string): string | null {
  const t = text.trim();
  if (!t) return '';
  let m = /^(\d{1,2})\.(\d{1,2})\.(\d{4})$/.exec(t);
  let y: number, mo: number, d: number;
  if (m) [d, mo, y] = [Number(m[1]), Number(m[2]), Number(m[3])];
  else {
    m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(t);
    if (!m) return null;
    [y, mo, d] = [Number(m[1]), Number(m[2]), Number(m[3])];
  }
  const date = new Date(Date.UTC(y, mo - 1, d));
  if (date.getUTCFullYear() !== y || date.getUTCMonth() !== mo - 1 || date.getUTCDate() !== d) return null;
  return `${y}-${String(mo).padStart(2, '0')}-${String(d).padStart(2, '0')}`;
}

/** «1 234,50» or «1234» kroner → whole øre; null when it is not an amount. */
export function parseKroner(text: string): number | null {
  const t = text.replace(/[\s\u00a0]/g, '').replace(/kr$/i, '');
  const m = /^(\d+)(?:,(\d{1,2}))?$/.exec(t);
  if (!m) return null;
  return Number(m[1]) * 100 + Number((m[2] ?? '').padEnd(2, '0'));
}

/** The api's field errors, by path, each as «reason» (the label says which field). */
export function apiFieldErrors(problem: Problem): FieldErrors {
  const out: FieldErrors = {};
  for (const e of problem.errors) {
    if (!e.column) continue;
    out[e.column] = out[e.column] ? `${out[e.column]}; ${e.reason}` : e.reason;
  }
  return out;
}

/** Aksel's ErrorSummary of the errors shown, each linking to its field; it takes the focus when it appears. */
export function FormErrors({ errors, heading, labels, prefix }: { errors: FieldErrors; heading: string; labels?: (path: string) => string; prefix?: string }) {
  const list = Object.entries(errors);
  const ref = useFocusOn<HTMLDivElement>(list.length > 0 ? errors : null);
  if (list.length === 0) return null;
  return (
    <ErrorSummary ref={ref} heading={heading}>
      {list.map(([path, message]) => (
        <ErrorSummary.Item key={path} href={`#${fieldId(prefix ? `${prefix}.${path}` : path)}`}>
          {labels ? `${labels(path)}: ${message}` : message}
        </ErrorSummary.Item>
      ))}
    </ErrorSummary>
  );
}
