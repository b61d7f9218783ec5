import { randomUUID } from 'node:crypto';
import { z } from 'zod';
import { deterministicId, isLocalDate, startsLikeSpreadsheetFormula, type LocalDate } from '@evp/shared-kernel';
import { NAV_OUTCOMES, type NavStep } from '@evp/nav-domain';
import { noteIdFor } from '@evp/nav-application';

/**
 * The follow-up's steps as the api takes them: `POST /api/v1/nav/cases/{caseId}/steps` with a
 * JSON body whose `type` names the step. Dates default to today; notes and reasons are free text
 * (personal data: stored through NAV's note vault, never in an event). Ids the step creates
 * (a § 17 request, a plan, …) derive from the Idempotency-Key, so a retried request makes nothing twice.
 */
const date = z.string().refine(isLocalDate, 'må være en dato (ÅÅÅÅ-MM-DD)');
const IDENTITY_NUMBER_LIKE = /(?<!\d)\d{6}[ -]?\d{5}(?!\d)/;
const text = z
  .string()
  .trim()
  .min(1, 'kan ikke være tom')
  .max(2000, 'er lengre enn 2000 tegn')
  .refine((t) => !IDENTITY_NUMBER_LIKE.test(t), 'kan ikke inneholde et fødselsnummer')
  .refine((t) => !startsLikeSpreadsheetFormula(t), 'kan ikke begynne med =, +, -, @ eller tabulator');
const id = z.string().regex(/^[A-Za-z0-9][A-Za-z0-9_.-]{0,79}$/, 'er ikke en gyldig id');
const ore = z.number().int('må være et helt antall øre').positive('må være et positivt beløp').max(100_000_000_00, 'er for stort');
const decision = z.enum(['granted', 'refused'], { message: 'må være granted eller refused' });

export const stepBody = z.discriminatedUnion('type', [
  z.object({ type: z.literal('contact-made'), channel: z.enum(['phone', 'meeting', 'home-visit', 'letter', 'digital'], { message: 'må være phone, meeting, home-visit, letter eller digital' }), contactedOn: date.optional(), note: text.optional() }).strict(),
  z.object({ type: z.literal('economic-advice-requested'), form: z.enum(['oral', 'written'], { message: 'må være oral eller written' }), requestedOn: date.optional(), note: text.optional() }).strict(),
  z.object({ type: z.literal('economic-advice-decided'), requestId: id, outcome: decision, decidedOn: date.optional(), reason: text.optional() }).strict(),
  z.object({ type: z.literal('economic-advice-started'), requestId: id, startedOn: date.optional(), lateReason: text.optional() }).strict(),
  z.object({ type: z.literal('economic-advice-followed-up'), requestId: id, followedUpOn: date.optional(), note: text.optional() }).strict(),
  z.object({ type: z.literal('economic-advice-concluded'), requestId: id, concludedOn: date.optional(), note: text.optional() }).strict(),
  z
    .object({
      type: z.literal('payment-plan-agreed'),
      agreedOn: date.optional(),
      instalments: z.array(z.object({ dueOn: date, amountOre: ore }).strict()).min(1, 'avtalen må ha minst ett avdrag').max(120, 'har mer enn 120 avdrag'),
      toleranceDays: z.number().int().min(0).max(31).optional(),
    })
    .strict(),
  z.object({ type: z.literal('payment-plan-cancelled'), planId: id, cancelledOn: date.optional(), reason: text.optional() }).strict(),
  z
    .object({
      type: z.literal('income-management-agreed'),
      consentOn: date.optional(),
      covers: z.array(z.enum(['rent', 'electricity', 'other'], { message: 'må være rent, electricity eller other' })).min(1, 'må dekke minst husleien'),
      startOn: date,
      endOn: date.optional(),
    })
    .strict(),
  z.object({ type: z.literal('income-management-withdrawn'), withdrawnOn: date.optional() }).strict(),
  z
    .object({
      type: z.literal('financial-assistance-decided'),
      paragraph: z.enum(['18', '19'], { message: 'må være 18 eller 19 (sosialtjenesteloven)' }),
      form: z.enum(['grant', 'loan'], { message: 'må være grant (bidrag) eller loan (lån)' }),
      amountOre: ore,
      outcome: decision,
      decidedOn: date.optional(),
      expectedPaymentOn: date.optional(),
      reason: text.optional(),
    })
    .strict(),
  z
    .object({
      type: z.literal('housing-application-noted'),
      applicationId: id.optional(),
      scheme: z.enum(['startlan', 'bostotte'], { message: 'må være startlan eller bostotte' }),
      appliedOn: date,
      outcome: z.enum(['pending', 'granted', 'refused'], { message: 'må være pending, granted eller refused' }),
      decidedOn: date.optional(),
    })
    .strict(),
  z.object({ type: z.literal('housing-decision-requested'), requestedOn: date.optional() }).strict(),
  z.object({ type: z.literal('housing-decision-made'), requestId: id, outcome: decision, decidedOn: date.optional(), reason: text.optional() }).strict(),
  z.object({ type: z.literal('paused'), until: date, reason: text }).strict(),
  z.object({ type: z.literal('resumed') }).strict(),
  z.object({ type: z.literal('flags-set'), vulnerable: z.boolean(), childrenInHousehold: z.boolean() }).strict(),
  z.object({ type: z.literal('concluded'), outcome: z.enum(NAV_OUTCOMES, { message: `må være en av ${NAV_OUTCOMES.join(', ')}` }), concludedOn: date.optional(), note: text.optional() }).strict(),
]);

export type StepBody = z.infer<typeof stepBody>;

export interface PreparedStep {
  readonly step: NavStep;
  readonly texts: Array<{ noteId: string; text: string }>;
  /** The id the step created, when it creates one (a request, a plan, an assistance decision, …). */
  readonly createdId: string | null;
  /** Unique per request (or per Idempotency-Key): the events' ids and the notes' ids derive from it. */
  readonly causationId: string;
}

/** Turns a validated body into the domain's step: ids from the key, texts set aside under note ids. */
export function prepareStep(body: StepBody, actorId: string, key: string | undefined, today: LocalDate): PreparedStep {
  const causationId = key ? `nav-step-${deterministicId(`nav-step|${actorId}|${key}`)}` : `nav-step-${randomUUID()}`;
  const newId = deterministicId(`${causationId}|id`);
  const texts: Array<{ noteId: string; text: string }> = [];
  const ref = (field: string, value: string | undefined): string | null => {
    if (value === undefined) return null;
    const noteId = noteIdFor(causationId, field);
    texts.push({ noteId, text: value });
    return noteId;
  };
  const prepared = (step: NavStep, createdId: string | null = null): PreparedStep => ({ step, texts, createdId, causationId });
  switch (body.type) {
    case 'contact-made':
      return prepared({ type: body.type, contactId: newId, channel: body.channel, contactedOn: body.contactedOn ?? today, noteRef: ref('note', body.note) }, newId);
    case 'economic-advice-requested':
      return prepared({ type: body.type, requestId: newId, requestedOn: body.requestedOn ?? today, form: body.form, noteRef: ref('note', body.note) }, newId);
    case 'economic-advice-decided':
      return prepared({ type: body.type, requestId: body.requestId, decidedOn: body.decidedOn ?? today, outcome: body.outcome, reasonRef: ref('reason', body.reason) });
    case 'economic-advice-started':
      return prepared({ type: body.type, requestId: body.requestId, startedOn: body.startedOn ?? today, lateReasonRef: ref('lateReason', body.lateReason) });
    case 'economic-advice-followed-up':
      return prepared({ type: body.type, requestId: body.requestId, followedUpOn: body.followedUpOn ?? today, noteRef: ref('note', body.note) });
    case 'economic-advice-concluded':
      return prepared({ type: body.type, requestId: body.requestId, concludedOn: body.concludedOn ?? today, noteRef: ref('note', body.note) });
    case 'payment-plan-agreed':
      return prepared({ type: body.type, planId: newId, agreedOn: body.agreedOn ?? today, instalments: body.instalments, toleranceDays: body.toleranceDays ?? null, startOverdueOre: 0 }, newId);
    case 'payment-plan-cancelled':
      return prepared({ type: body.type, planId: body.planId, cancelledOn: body.cancelledOn ?? today, reasonRef: ref('reason', body.reason) });
    case 'income-management-agreed':
      return prepared({ type: body.type, consentOn: body.consentOn ?? today, covers: body.covers, startOn: body.startOn, endOn: body.endOn ?? null });
    case 'income-management-withdrawn':
      return prepared({ type: body.type, withdrawnOn: body.withdrawnOn ?? today });
    case 'financial-assistance-decided':
      return prepared(
        {
          type: body.type,
          assistanceId: newId,
          paragraph: body.paragraph,
          form: body.form,
          amountOre: body.amountOre,
          decidedOn: body.decidedOn ?? today,
          outcome: body.outcome,
          expectedPaymentOn: body.expectedPaymentOn ?? null,
          reasonRef: ref('reason', body.reason),
        },
        newId,
      );
    case 'housing-application-noted': {
      const applicationId = body.applicationId ?? newId;
      return prepared({ type: body.type, applicationId, scheme: body.scheme, appliedOn: body.appliedOn, outcome: body.outcome, decidedOn: body.decidedOn ?? null }, applicationId);
    }
    case 'housing-decision-requested':
      return prepared({ type: body.type, requestId: newId, requestedOn: body.requestedOn ?? today }, newId);
    case 'housing-decision-made':
      return prepared({ type: body.type, requestId: body.requestId, decidedOn: body.decidedOn ?? today, outcome: body.outcome, reasonRef: ref('reason', body.reason) });
    case 'paused':
      return prepared({ type: body.type, pauseId: newId, until: body.until, reasonRef: ref('reason', body.reason) }, newId);
    case 'resumed':
      return prepared({ type: body.type });
    case 'flags-set':
      return prepared({ type: body.type, vulnerable: body.vulnerable, childrenInHousehold: body.childrenInHousehold });
    case 'concluded':
      return prepared({ type: body.type, outcome: body.outcome, concludedOn: body.concludedOn ?? today, noteRef: ref('note', body.note) });
    default: {
      const never: never = body;
      return never;
    }
  }
}
