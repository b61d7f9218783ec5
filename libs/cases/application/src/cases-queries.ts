import { hasRole, mayActIn, type Caller } from '@evp/auth';
import type { ReadModelStore } from '@evp/runtime';
import { CASES, queueIndex, statusIndex, type CaseDoc } from './cases-projection';

/**
 * Who may see a case: accounting, the arrears team and admin in their municipalities; a NAV
 * adviser only cases of their own NAV office. Landlords never see prevention cases.
 */
export function mayReadCase(caller: Caller, doc: Pick<CaseDoc, 'municipalityNumber' | 'navOffice'>): boolean {
  if (!mayActIn(caller, doc.municipalityNumber)) return false;
  if (hasRole(caller, 'accounting', 'arrears-team', 'admin')) return true;
  return hasRole(caller, 'nav-adviser') && caller.navOffice === doc.navOffice;
}

export type CaseSummary = Omit<CaseDoc, 'timeline' | 'streamRevision'>;
const summary = ({ timeline: _t, streamRevision: _r, ...rest }: CaseDoc): CaseSummary => rest;

export class CaseQueries {
  constructor(private readonly readModels: ReadModelStore) {}

  /** `undefined` when the case does not exist or is out of the caller's reach: a 404 either way. */
  async get(caller: Caller, caseId: string): Promise<Omit<CaseDoc, 'streamRevision'> | undefined> {
    const doc = await this.readModels.get<CaseDoc>(CASES, caseId);
    if (!doc || !doc.caseId || !mayReadCase(caller, doc)) return undefined;
    const { streamRevision: _r, ...rest } = doc;
    return rest;
  }

  async list(caller: Caller, options: { statuses: ReadonlyArray<CaseDoc['status']>; municipalities: readonly string[]; offset: number; limit: number }) {
    const docs: CaseDoc[] = [];
    for (const municipality of options.municipalities.filter((m) => mayActIn(caller, m))) {
      for (const status of options.statuses) docs.push(...(await this.load(statusIndex(status, municipality))));
    }
    const visible = docs.filter((d) => mayReadCase(caller, d)).sort((a, b) => b.openedOn.localeCompare(a.openedOn) || a.caseId.localeCompare(b.caseId));
    return { total: visible.length, items: visible.slice(options.offset, options.offset + options.limit).map(summary) };
  }

  /** The arrears team's queue: escalated, unresolved cases, the longest-waiting first. */
  async arrearsTeamQueue(caller: Caller, municipalities: readonly string[]) {
    const docs: CaseDoc[] = [];
    for (const municipality of municipalities.filter((m) => mayActIn(caller, m))) docs.push(...(await this.load(queueIndex(municipality))));
    const visible = docs
      .filter((d) => d.status === 'escalated' && mayReadCase(caller, d))
      .sort((a, b) => (a.escalatedOn as string).localeCompare(b.escalatedOn as string) || a.caseId.localeCompare(b.caseId));
    return { total: visible.length, items: visible.map(summary) };
  }

  private async load(index: string): Promise<CaseDoc[]> {
    const { ids } = await this.readModels.list(CASES, index, { limit: 1_000_000 });
    const docs: CaseDoc[] = [];
    for (let i = 0; i < ids.length; i += 500) {
      for (const d of await this.readModels.getMany<CaseDoc>(CASES, ids.slice(i, i + 500))) if (d) docs.push(d);
    }
    return docs;
  }
}
