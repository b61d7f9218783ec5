import { formatKroner } from '@evp/shared-kernel';
import type { NavEvent, NavFollowUp } from '@evp/nav-domain';

/**
 * What each step says on NAV's timeline, in bokmål, for the handling office's advisers only. No
 * note text here: notes are referenced by id and opened through the vault when an adviser reads.
 */
const SOURCES: Record<string, string> = { escalation: 'eskalert fra restansesaken', warning: 'varsel om fravikelse fra utleier', 'at-risk': 'regnskap meldte fare for utkastelse' };
const CHANNELS: Record<string, string> = { phone: 'telefon', meeting: 'møte', 'home-visit': 'hjemmebesøk', letter: 'brev', digital: 'digital melding' };
const COVERS: Record<string, string> = { rent: 'husleie', electricity: 'strøm', other: 'annet' };
export const OUTCOME_NAMES: Record<string, string> = {
  paid: 'betalt',
  'arrears-cleared': 'restansen er dekket',
  'plan-honoured': 'nedbetalingsavtalen er overholdt',
  moved: 'flyttet',
  rehoused: 'fått annen bolig',
  evicted: 'kastet ut',
  'warning-withdrawn': 'varselet er trukket',
};
const kr = (ore: number) => `${formatKroner(ore)} kr`;
const decided = (outcome: string) => (outcome === 'granted' ? 'innvilget' : 'avslått');

/** The date the step happened on, and what it says. */
export function timelineEntry(event: NavEvent, before: NavFollowUp | undefined): { on: string; summary: string } | null {
  switch (event.type) {
    case 'nav.ReferralReceived':
      return { on: event.data.referredOn, summary: `Henvisning mottatt (${SOURCES[event.data.source] ?? event.data.source}); frist for å ta den: ${event.data.pickupDueOn}.` };
    case 'nav.ReferralClaimed':
      return { on: event.data.claimedOn, summary: 'Tatt av veileder.' };
    case 'nav.ReferralReleased':
      // A release stored before releases had a pickup limit has no date to name.
      return { on: event.data.releasedOn, summary: event.data.pickupDueOn ? `Frigitt til kontorets innboks; må tas av en veileder innen ${event.data.pickupDueOn}.` : 'Frigitt til kontorets innboks.' };
    case 'nav.ReferralReassigned':
      return { on: event.data.reassignedOn, summary: 'Fordelt til en veileder av kontorlederen.' };
    case 'nav.ReferralPickupOverdue':
      return { on: event.data.escalatedOn, summary: `Eskalert til kontorlederen og husleierestanseteamet. ${event.data.reason}` };
    case 'nav.ContactMade':
      return { on: event.data.contactedOn, summary: `Kontakt med husstanden (${CHANNELS[event.data.channel] ?? event.data.channel}).` };
    case 'nav.EconomicAdviceRequested':
      return { on: event.data.requestedOn, summary: `${event.data.form === 'oral' ? 'Muntlig' : 'Skriftlig'} anmodning om økonomisk rådgivning (sosialtjenesteloven § 17); kontorets norm for oppstart: ${event.data.startNormDueOn}.` };
    case 'nav.EconomicAdviceDecided':
      return { on: event.data.decidedOn, summary: `Skriftlig vedtak om økonomisk rådgivning: ${decided(event.data.outcome)}.` };
    case 'nav.EconomicAdviceStarted':
      return {
        on: event.data.startedOn,
        summary: event.data.late ? `Økonomisk rådgivning startet, senere enn normen (${event.data.startNormDueOn}); begrunnelse registrert.` : `Økonomisk rådgivning startet innen normen (${event.data.startNormDueOn}).`,
      };
    case 'nav.EconomicAdviceFollowedUp':
      return { on: event.data.followedUpOn, summary: 'Oppfølging av økonomisk rådgivning.' };
    case 'nav.EconomicAdviceConcluded':
      return { on: event.data.concludedOn, summary: 'Økonomisk rådgivning avsluttet.' };
    case 'nav.PaymentPlanAgreed': {
      const total = event.data.instalments.reduce((sum, i) => sum + i.amountOre, 0);
      return {
        on: event.data.agreedOn,
        summary: `Nedbetalingsavtale: ${event.data.instalments.length} avdrag på til sammen ${kr(total)}, første ${event.data.instalments[0]?.dueOn ?? '–'}, toleranse ${event.data.toleranceDays} dager. Forfalt ved avtalen: ${kr(event.data.startOverdueOre)}.`,
      };
    }
    case 'nav.PaymentPlanBreached':
      return {
        on: event.data.detectedOn,
        summary: `Nedbetalingsavtalen er brutt: ${kr(event.data.actualOverdueOre)} forfalt, mot ${kr(event.data.expectedOverdueOre)} etter avdrag ${event.data.instalmentNo} (${event.data.instalmentDueOn}) og toleransen.`,
      };
    case 'nav.PaymentPlanBackOnTrack':
      return { on: event.data.on, summary: 'Nedbetalingsavtalen følges igjen.' };
    case 'nav.PaymentPlanKept':
      return { on: event.data.keptOn, summary: 'Nedbetalingsavtalen er overholdt til siste avdrag.' };
    case 'nav.PaymentPlanCancelled':
      return { on: event.data.cancelledOn, summary: 'Nedbetalingsavtalen er avsluttet.' };
    case 'nav.IncomeManagementAgreed':
      return {
        on: event.data.consentOn,
        summary: `Samtykke til forvaltning av inntekt (${event.data.covers.map((c) => COVERS[c] ?? c).join(', ')}) fra ${event.data.startOn}${event.data.endOn ? ` til ${event.data.endOn}` : ''}.`,
      };
    case 'nav.IncomeManagementConsentWithdrawn':
      return {
        on: event.data.withdrawnOn,
        summary: `Samtykket til forvaltning av inntekt er trukket: overvåkingen stopper${event.data.adviserTold ? ', veilederen er varslet' : ', kontorlederen er varslet'}${event.data.activePlanId ? '; nedbetalingsavtalen er i fare' : ''}.`,
      };
    case 'nav.IncomeManagementRentChecked':
      return { on: event.data.checkedOn, summary: event.data.arrived ? `Husleien for ${event.data.month} er betalt fra forvaltningen.` : `Husleien for ${event.data.month} er ikke kommet fra forvaltningen.` };
    case 'nav.FinancialAssistanceDecided':
      return {
        on: event.data.decidedOn,
        summary: `Økonomisk stønad etter sosialtjenesteloven § ${event.data.paragraph} (${event.data.form === 'grant' ? 'bidrag' : 'lån'}) på ${kr(event.data.amountOre)}: ${decided(event.data.outcome)}${event.data.expectedPaymentOn ? `, forventet utbetalt ${event.data.expectedPaymentOn}` : ''}.`,
      };
    case 'nav.FinancialAssistanceDatePassed':
      return { on: event.data.passedOn, summary: `Forventet utbetalingsdato for stønaden (${event.data.expectedPaymentOn}) er passert; den regnes ikke lenger som på vei.` };
    case 'nav.HousingApplicationNoted':
      return {
        on: event.data.decidedOn ?? event.data.appliedOn,
        summary: `Søknad om ${event.data.scheme === 'startlan' ? 'startlån' : 'bostøtte'} (${event.data.appliedOn}): ${event.data.outcome === 'pending' ? 'under behandling' : decided(event.data.outcome)}.`,
      };
    case 'nav.HousingDecisionRequested':
      return { on: event.data.requestedOn, summary: 'Anmodning om vedtak om bistand til å skaffe bolig (boligsosialloven § 6).' };
    case 'nav.HousingDecisionMade':
      return { on: event.data.decidedOn, summary: `Vedtak etter boligsosialloven § 6: ${decided(event.data.outcome)}.` };
    case 'nav.FollowUpPaused':
      return { on: event.data.pausedOn, summary: `Oppfølgingen er satt på pause til og med ${event.data.until}; ingen eskalering så lenge.` };
    case 'nav.FollowUpResumed':
      return { on: event.data.resumedOn, summary: event.data.automatically ? 'Pausen er over; oppfølgingen går videre av seg selv.' : 'Pausen er avsluttet før tiden.' };
    case 'nav.HouseholdFlagsSet': {
      const flags = [event.data.childrenInHousehold ? 'barn i husstanden' : null, event.data.vulnerable ? 'sårbar' : null].filter(Boolean);
      return { on: event.data.setOn, summary: flags.length ? `Markert: ${flags.join(', ')}.` : 'Markeringer fjernet.' };
    }
    case 'nav.CaseResolvedNoted':
      return { on: event.data.resolvedOn, summary: `Restansesaken er avsluttet (${OUTCOME_NAMES[event.data.outcome] ?? event.data.outcome}).` };
    case 'nav.FollowUpTransferred': {
      const d = event.data;
      return {
        on: d.transferredOn,
        summary:
          `Overført fra ${d.fromOffice} til ${d.toOffice} fordi leieforholdet har fått nytt NAV-kontor. ` +
          `${d.previousAdviser ? 'Veilederen ved det forrige kontoret har ikke lenger saken; den' : 'Den'} må tas av en veileder ved ${d.toOffice} innen ${d.pickupDueOn}.`,
      };
    }
    case 'nav.HoldReleased':
      return before ? { on: event.data.releasedOn, summary: 'Det som holdt eskaleringen tilbake, gjelder ikke lenger.' } : null;
    case 'nav.FollowUpConcluded':
      return { on: event.data.concludedOn, summary: `NAVs oppfølging er avsluttet: ${OUTCOME_NAMES[event.data.outcome] ?? event.data.outcome}.` };
    default: {
      const never: never = event;
      return never;
    }
  }
}

/** The note ids a step refers to (opened for the handling office's advisers only). */
export function noteRefsOf(event: NavEvent): string[] {
  return Object.entries(event.data)
    .filter(([key, value]) => key.endsWith('Ref') && typeof value === 'string')
    .map(([, value]) => value as string);
}
