import { z } from 'zod';
import { MoneyFormatError, checkNationalId, containsIdentityNumber, isLocalDate, parseKroner, type LocalDate } from '@evp/shared-kernel';
import { hasRole, mayActIn, type Caller } from '@evp/auth';
import type { AppConfig } from '@evp/runtime';
import { TENANCY_ID } from '@evp/ledger-contract';
import { EVICTION_GROUNDS, STEP_KINDS, birthDateOfNationalId, isOrganisationNumber, type ReportedStep } from '@evp/warnings-domain';
import type { WarningSubmission } from '@evp/warnings-application';

/**
 * The landlord's form as the api takes it: every field checked, every error named by its path,
 * nothing stored unless all of it is right. An identity number is accepted only in `nationalId`
 * and never echoed; free text holding one is refused.
 */

type FieldError = { line: null; column: string; reason: string };

const date = z.string({ message: 'må være en dato (ÅÅÅÅ-MM-DD)' }).refine(isLocalDate, 'må være en dato (ÅÅÅÅ-MM-DD)');
const text = (max: number) =>
  z
    .string({ message: 'må fylles ut' })
    .trim()
    .min(1, 'må fylles ut')
    .max(max, `kan være høyst ${max} tegn`)
    .refine((v) => !containsIdentityNumber(v), 'ser ut til å inneholde et fødselsnummer; det hører bare hjemme i feltet for fødselsnummer');

const tenant = z
  .object({
    nationalId: z.string().trim().optional().nullable(),
    name: text(200),
    birthDate: date.optional().nullable(),
    noticeSentOn: date.optional().nullable(),
  })
  .strict();

const money = z.union([z.string(), z.number()]);

export const warningBody = z
  .object({
    landlord: z
      .object({
        kind: z.enum(['private-person', 'company', 'municipal'], { message: 'må være private-person, company eller municipal' }),
        name: text(200),
        organisationNumber: z.string().trim().optional().nullable(),
      })
      .strict(),
    municipalityNumber: z.string().regex(/^\d{4}$/, 'må være et kommunenummer (fire siffer)'),
    dwelling: z.object({ address: text(200), tenancyId: z.string().trim().optional().nullable() }).strict(),
    tenants: z.array(tenant, { message: 'må være en liste med leietakere' }).min(1, 'må ha minst én leietaker').max(10, 'kan ha høyst 10 leietakere'),
    ground: z.enum(EVICTION_GROUNDS as [string, ...string[]], { message: 'må være unpaid-rent, lease-expired eller other-breach' }),
    arrears: z
      .object({
        amount: money.optional().nullable(),
        months: z.array(z.string().regex(/^\d{4}-(0[1-9]|1[0-2])$/, 'må være måneder (ÅÅÅÅ-MM)')).max(36, 'kan ha høyst 36 måneder').default([]),
      })
      .strict()
      .optional(),
    plannedPetitionOn: date,
    declarations: z
      .object({
        tenantGotCopy: z.boolean({ message: 'må være true eller false' }),
        noWrittenObjectionReceived: z.boolean({ message: 'må være true eller false' }),
      })
      .strict(),
  })
  .strict();

export type WarningBody = z.infer<typeof warningBody>;

function amountOre(value: string | number | null | undefined): number | null | 'invalid' {
  if (value === undefined || value === null || value === '') return null;
  if (typeof value === 'number') return Number.isSafeInteger(value) ? value : 'invalid';
  try {
    return parseKroner(value);
  } catch (error) {
    if (error instanceof MoneyFormatError) return 'invalid';
    throw error;
  }
}

/**
 * Only a municipality's own property unit may act as the municipal landlord, and only in its
 * municipalities: listed by landlord id (WARNING_MUNICIPAL_LANDLORD_IDS), or — in development and
 * test, when no list is set — any landlord token that acts in the municipality. Fail closed otherwise.
 */
export function mayActAsMunicipalLandlord(config: Pick<AppConfig, 'NODE_ENV' | 'WARNING_MUNICIPAL_LANDLORD_IDS'>, caller: Caller, municipalityNumber: string): boolean {
  if (!hasRole(caller, 'landlord') || !caller.landlordId || !mayActIn(caller, municipalityNumber)) return false;
  const listed = config.WARNING_MUNICIPAL_LANDLORD_IDS;
  if (listed) return listed.includes(caller.landlordId);
  return config.NODE_ENV === 'development' || config.NODE_ENV === 'test';
}

export interface WarningInputContext {
  readonly today: LocalDate;
  readonly allowSynthetic: boolean;
  readonly navOffices: Readonly<Record<string, string>>;
  readonly municipalLandlord: (municipalityNumber: string) => boolean;
}

/** The rules zod cannot say alone, each error named by its field. An empty list: the submission is whole. */
export function submissionOf(body: WarningBody, ctx: WarningInputContext): { submission?: WarningSubmission; errors: FieldError[] } {
  const errors: FieldError[] = [];
  const err = (column: string, reason: string) => errors.push({ line: null, column, reason });

  const { landlord } = body;
  const orgNo = landlord.organisationNumber?.replace(/\s/g, '') || null;
  if (landlord.kind === 'company') {
    if (!orgNo) err('landlord.organisationNumber', 'må fylles ut for et selskap (ni siffer)');
    else if (!isOrganisationNumber(orgNo)) err('landlord.organisationNumber', 'er ikke et gyldig organisasjonsnummer (ni siffer med kontrollsiffer)');
  } else if (orgNo && !isOrganisationNumber(orgNo)) {
    err('landlord.organisationNumber', 'er ikke et gyldig organisasjonsnummer (ni siffer med kontrollsiffer)');
  }
  if (landlord.kind === 'municipal' && !ctx.municipalLandlord(body.municipalityNumber)) err('landlord.kind', 'bare kommunens egen eiendomsenhet kan sende varsel som kommunal utleier');
  if (!ctx.navOffices[body.municipalityNumber]) err('municipalityNumber', 'kommunen tar ikke imot varsler i denne løsningen');

  const tenancyId = body.dwelling.tenancyId || null;
  if (tenancyId !== null) {
    if (!TENANCY_ID.test(tenancyId)) err('dwelling.tenancyId', 'er ikke et gyldig leieforholdsnummer');
    else if (landlord.kind !== 'municipal') err('dwelling.tenancyId', 'bare kommunen som utleier kan knytte varselet til et kommunalt leieforhold');
  }

  const tenants = body.tenants.map((t, i) => {
    const at = `tenants.${i}`;
    const nationalId = t.nationalId?.replace(/\s/g, '') || null;
    let birthDate: LocalDate | null = t.birthDate ?? null;
    if (nationalId) {
      const check = checkNationalId(nationalId, { allowSynthetic: ctx.allowSynthetic });
      if (!check.valid) err(`${at}.nationalId`, `fødselsnummeret ${check.reason}`);
      else {
        const derived = birthDateOfNationalId(nationalId);
        if (birthDate && derived && birthDate !== derived) err(`${at}.birthDate`, 'stemmer ikke med fødselsnummeret');
        birthDate = derived ?? birthDate;
      }
    } else if (!birthDate) {
      err(`${at}.birthDate`, 'må fylles ut når fødselsnummeret ikke er kjent');
    }
    if (birthDate && (birthDate > ctx.today || birthDate < '1900-01-01')) err(`${at}.birthDate`, 'er ikke en mulig fødselsdato');
    if (t.noticeSentOn && t.noticeSentOn > ctx.today) err(`${at}.noticeSentOn`, 'kan ikke være frem i tid');
    return { identity: { nationalId, name: t.name, birthDate: birthDate ?? '1900-01-01' }, noticeSentOn: t.noticeSentOn ?? null };
  });

  const arrears = amountOre(body.arrears?.amount);
  const months = [...new Set(body.arrears?.months ?? [])].sort();
  if (arrears === 'invalid') err('arrears.amount', 'er ikke et beløp i kroner (for eksempel 9 282,00)');
  else if (arrears !== null && arrears < 0) err('arrears.amount', 'kan ikke være negativt');
  if (body.ground === 'unpaid-rent') {
    if (arrears === null || arrears === 0) err('arrears.amount', 'må fylles ut når grunnlaget er ubetalt husleie');
    if (months.length === 0) err('arrears.months', 'må nevne månedene restansen gjelder');
  }
  if (months.some((m) => m > ctx.today.slice(0, 7))) err('arrears.months', 'kan ikke være frem i tid');
  if (body.plannedPetitionOn < ctx.today) err('plannedPetitionOn', 'kan ikke være tilbake i tid; er begjæringen sendt, meld det som et steg i stedet');
  if (!body.declarations.tenantGotCopy) err('declarations.tenantGotCopy', 'leietakeren skal få kopi av varselet (husleieloven § 9-11); bekreft at kopien er gitt');

  if (errors.length) return { errors };
  return {
    errors,
    submission: {
      landlord: { kind: landlord.kind, name: landlord.name, organisationNumber: orgNo },
      municipalityNumber: body.municipalityNumber,
      dwelling: { address: body.dwelling.address, tenancyId },
      tenants,
      ground: body.ground as WarningSubmission['ground'],
      arrearsOre: typeof arrears === 'number' ? arrears : 0,
      arrearsMonths: months,
      plannedPetitionOn: body.plannedPetitionOn,
      declarations: body.declarations,
    },
  };
}

const optionalDate = date.optional().nullable();

/** `POST /api/v1/warnings/{id}/updates`: one step, its fields by kind. */
export const stepBody = z
  .object({
    kind: z.enum(STEP_KINDS as [string, ...string[]], { message: `må være en av: ${STEP_KINDS.join(', ')}` }),
    tenantRef: z.string().regex(/^t\d{1,2}$/, 'må være en leietaker i varselet (t1, t2, …)').optional(),
    sentOn: optionalDate,
    filedOn: optionalDate,
    receivedOn: optionalDate,
    objectedOn: optionalDate,
    evictionOn: optionalDate,
    evictedOn: optionalDate,
    paidOn: optionalDate,
    withdrawnOn: optionalDate,
  })
  .strict();

/** The step, or the field that is missing for its kind. Dates that are facts default to today only where the landlord may not know better. */
export function stepOf(body: z.infer<typeof stepBody>, today: LocalDate): { step?: ReportedStep; errors: FieldError[] } {
  const missing = (column: string): { errors: FieldError[] } => ({ errors: [{ line: null, column, reason: 'må fylles ut for dette steget' }] });
  switch (body.kind) {
    case 'notice-sent':
      if (!body.tenantRef) return missing('tenantRef');
      return body.sentOn ? { step: { kind: 'notice-sent', tenantRef: body.tenantRef, sentOn: body.sentOn }, errors: [] } : missing('sentOn');
    case 'petition-filed':
      return body.filedOn ? { step: { kind: 'petition-filed', filedOn: body.filedOn }, errors: [] } : missing('filedOn');
    case 'namsmann-letter-received':
      return { step: { kind: 'namsmann-letter-received', receivedOn: body.receivedOn ?? null }, errors: [] };
    case 'tenant-objected-to-namsmann':
      return body.objectedOn ? { step: { kind: 'tenant-objected-to-namsmann', objectedOn: body.objectedOn }, errors: [] } : missing('objectedOn');
    case 'eviction-date-set':
      return body.evictionOn ? { step: { kind: 'eviction-date-set', evictionOn: body.evictionOn }, errors: [] } : missing('evictionOn');
    case 'eviction-postponed':
      return body.evictionOn ? { step: { kind: 'eviction-postponed', evictionOn: body.evictionOn }, errors: [] } : missing('evictionOn');
    case 'eviction-carried-out':
      return body.evictedOn ? { step: { kind: 'eviction-carried-out', evictedOn: body.evictedOn }, errors: [] } : missing('evictedOn');
    case 'cancelled-paid':
      return { step: { kind: 'cancelled-paid', paidOn: body.paidOn ?? today }, errors: [] };
    case 'withdrawn':
      return { step: { kind: 'withdrawn', withdrawnOn: body.withdrawnOn ?? today }, errors: [] };
    default:
      return { errors: [{ line: null, column: 'kind', reason: 'er ikke et kjent steg' }] };
  }
}

/** `POST /api/v1/objections`: the tenant who objected in writing, and when it was received. */
export const objectionBody = z
  .object({
    municipalityNumber: z.string().regex(/^\d{4}$/, 'må være et kommunenummer (fire siffer)'),
    tenant: tenant.omit({ noticeSentOn: true }),
    receivedOn: date,
  })
  .strict();

export function objectionIdentityOf(body: z.infer<typeof objectionBody>, today: LocalDate, allowSynthetic: boolean): { identity?: { nationalId: string | null; name: string; birthDate: LocalDate }; errors: FieldError[] } {
  const errors: FieldError[] = [];
  const nationalId = body.tenant.nationalId?.replace(/\s/g, '') || null;
  let birthDate = body.tenant.birthDate ?? null;
  if (nationalId) {
    const check = checkNationalId(nationalId, { allowSynthetic });
    if (!check.valid) errors.push({ line: null, column: 'tenant.nationalId', reason: `fødselsnummeret ${check.reason}` });
    else {
      const derived = birthDateOfNationalId(nationalId);
      if (birthDate && derived && birthDate !== derived) errors.push({ line: null, column: 'tenant.birthDate', reason: 'stemmer ikke med fødselsnummeret' });
      birthDate = derived ?? birthDate;
    }
  } else if (!birthDate) {
    errors.push({ line: null, column: 'tenant.birthDate', reason: 'må fylles ut når fødselsnummeret ikke er kjent' });
  }
  if (body.receivedOn > today) errors.push({ line: null, column: 'receivedOn', reason: 'kan ikke være frem i tid' });
  if (errors.length || !birthDate) return { errors };
  return { identity: { nationalId, name: body.tenant.name, birthDate }, errors };
}
