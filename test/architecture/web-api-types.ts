/**
 * Where the web app's copies of the api's answers meet the api's own types.
 *
 * The web app (apps/web, a browser bundle with a tsconfig of its own that neither resolves the
 * libs nor knows Node's types) keeps hand-written copies of what the api sends, in
 * `apps/web/src/api/types.ts`. Two copies of one shape drift silently. Here, for every answer the
 * web reads, the api's own type must be assignable to the web's copy: a field the web reads that
 * the api drops, renames or retypes fails `npm run typecheck` (the first step of the tests). A
 * field the api adds, or a union the api narrows, is fine: the web reads less than it is sent.
 *
 * Compiled, never run: there is nothing to execute, only types to compare.
 */
// eslint-disable-next-line @nx/enforce-module-boundaries -- types only, compared and never bundled or run; the apps publish no package to import them from
import type * as Web from '../../apps/web/src/api/types';
import type { PolicyReason } from '@evp/cases-contract';
import type { Ruling } from '@evp/warnings-contract';
import type { CaseDetail, CaseSummary, MeetingPackCase } from '@evp/cases-application';
import type { AccountSummary, ImportSummary, PostingResult, RegistrationResult } from '@evp/ledger-application';
import type { WarningDetail, WarningSummary } from '@evp/warnings-application';
import type { InboxItem, NavRecordView, NavSummaryView } from '@evp/nav-application';
import type { DeadlineService, ParkedEntry, RebuildProgress, SubscriptionLag, SubscriptionStatus } from '@evp/runtime';
// eslint-disable-next-line @nx/enforce-module-boundaries -- types only, compared and never bundled or run; the apps publish no package to import them from
import type { MeetingPackWithFigures } from '../../apps/api/src/meetings/meetings.controller';
// eslint-disable-next-line @nx/enforce-module-boundaries -- types only, compared and never bundled or run; the apps publish no package to import them from
import type { DashboardMonth } from '../../apps/api/src/dashboard/dashboard.controller';
// eslint-disable-next-line @nx/enforce-module-boundaries -- types only, compared and never bundled or run; the apps publish no package to import them from
import type { PublicAppConfig } from '../../apps/api/src/web/app-config.controller';

/**
 * True when every value of `Api` is a value of `WebCopy` (no distribution over unions), and the
 * copy names no field the api's type lacks: an optional field the api never sends would pass the
 * first test and leave the page waiting for it for ever.
 */
type Fits<Api, WebCopy> = [Api] extends [WebCopy] ? ([Exclude<keyof WebCopy, keyof Api>] extends [never] ? true : false) : false;
/** Fails to compile unless given `true`. */
type Expect<T extends true> = T;

export type WebReadsWhatTheApiSends = [
  Expect<Fits<PolicyReason, Web.PolicyReason>>,
  Expect<Fits<Ruling, Web.Ruling>>,
  // The prevention cases and the husleierestanseteam's meeting pack.
  Expect<Fits<CaseSummary, Web.CaseSummary>>,
  Expect<Fits<CaseDetail, Web.CaseDetail>>,
  Expect<Fits<MeetingPackCase, Web.MeetingPackCase>>,
  Expect<Fits<MeetingPackWithFigures, Web.MeetingPack>>,
  Expect<Fits<DashboardMonth, Web.DashboardMonth>>,
  // The ledger: the arrears list, the import history, the answers to an upload.
  Expect<Fits<AccountSummary, Web.ArrearsItem>>,
  Expect<Fits<ImportSummary, Web.ImportRecord>>,
  Expect<Fits<PostingResult, Web.PostingResult>>,
  Expect<Fits<RegistrationResult, Web.RegistrationResult>>,
  // § 9-11 warnings.
  Expect<Fits<WarningSummary, Web.WarningSummary>>,
  Expect<Fits<WarningDetail, Web.WarningDetail>>,
  // NAV.
  Expect<Fits<InboxItem, Web.NavInboxItem>>,
  Expect<Fits<NavRecordView, Web.NavRecord>>,
  Expect<Fits<NavSummaryView, Web.NavSummary>>,
  // Operations.
  Expect<Fits<ParkedEntry, Web.ParkedEntry>>,
  Expect<Fits<SubscriptionStatus, Web.SubscriptionStatus>>,
  Expect<Fits<SubscriptionLag, Web.SubscriptionLag>>,
  Expect<Fits<RebuildProgress, Web.RebuildProgress>>,
  Expect<Fits<Awaited<ReturnType<DeadlineService['overview']>>, Web.DeadlineOverview>>,
  Expect<Fits<PublicAppConfig, Web.AppConfig>>,
];

// The check can fail: a copy reading a field the api does not send does not compile.
// @ts-expect-error -- `caseId` missing from what the api sends
export type ProvesTheCheckBites = Expect<Fits<Omit<CaseSummary, 'caseId'>, Web.CaseSummary>>;
