import type { LocalDate, WorkflowEvent, WorkflowInput } from '@evp/shared-kernel';
import { LEDGER_EVENT_TYPES } from '@evp/ledger-contract';
import { WARNING_WORKFLOW_LEDGER_TYPES, warningWorkflow, type WarningWorkflowState } from './warning-workflow';

/** Given (the state the runner loads) → when (one input, a literal event) → then (the outputs). */
const given = (state: WarningWorkflowState) => ({
  when: (input: WorkflowInput) => ({ then: (expected: unknown[]) => expect(warningWorkflow(input, state)).toEqual(expected) }),
});

const event = (type: string, data: unknown, streamName: string, occurredAt: LocalDate = '2026-12-02'): WorkflowEvent => ({
  kind: 'event',
  type,
  data,
  id: '6a0b1c2d-0000-5000-8000-000000000001',
  streamName,
  occurredAt: `${occurredAt}T09:00:00.000Z`,
});

const WARNING = '3f1c2a9e-5b7d-5e21-9c3a-0d4e5f6a7b8c';
const OTHER = '8d7c6b5a-4f3e-5d2c-9b1a-0f9e8d7c6b5a';
const received = { warningId: WARNING, status: 'received', ground: 'unpaid-rent', stage: 'warned' } as const;

describe('warnings workflow: a warning comes in', () => {
  it('received: forward it (the command checks the objection register at that moment)', () => {
    given({ warnings: [received] })
      .when(event('warnings.WarningSubmitted', { warningId: WARNING }, `warning-${WARNING}`))
      .then([{ kind: 'send', command: { type: 'warnings.ForwardWarning', warningId: WARNING } }]);
  });

  it('already decided (an objection was on record at submission): nothing more', () => {
    given({ warnings: [{ ...received, status: 'not-forwarded' }] })
      .when(event('warnings.WarningSubmitted', { warningId: WARNING }, `warning-${WARNING}`))
      .then([{ kind: 'ignored', reason: 'Varselet er allerede avgjort; det vurderes ikke på nytt.' }]);
  });

  it('replayed after it was forwarded: nothing more', () => {
    given({ warnings: [{ ...received, status: 'forwarded' }] })
      .when(event('warnings.WarningSubmitted', { warningId: WARNING }, `warning-${WARNING}`))
      .then([{ kind: 'ignored', reason: 'Varselet er allerede avgjort; det vurderes ikke på nytt.' }]);
  });

  it.each([['warnings.WarningForwarded'], ['warnings.WarningNotForwarded'], ['warnings.StepReported'], ['warnings.EvictionStoppedByPayment']])('%s is followed up by the case: ignored here', (type) => {
    given({ warnings: [received] })
      .when(event(type, { warningId: WARNING }, `warning-${WARNING}`))
      .then([{ kind: 'ignored', reason: 'Et avgjort varsel og utleiers meldinger følges opp i saken, ikke her.' }]);
  });
});

describe('warnings workflow: the ledger of a municipal tenancy', () => {
  const payment = event('ledger.PaymentPosted', { voucherRef: 'I-1', date: '2027-01-05', amountOre: 1856400 }, 'tenancy-5035-100235', '2027-01-05');

  it('a payment on a tenancy with an open warning for unpaid rent: check whether it stops the eviction', () => {
    given({ warnings: [{ ...received, status: 'forwarded', stage: 'eviction-date-set' }] })
      .when(payment)
      .then([{ kind: 'send', command: { type: 'warnings.StopEvictionIfPaid', warningId: WARNING } }]);
  });

  it.each([['ledger.CreditPosted'], ['ledger.WriteOffPosted']])('%s reduces what is owed: check too', (type) => {
    given({ warnings: [{ ...received, status: 'forwarded' }] })
      .when(event(type, { voucherRef: 'K-1', date: '2027-01-05', amountOre: 100 }, 'tenancy-5035-100235'))
      .then([{ kind: 'send', command: { type: 'warnings.StopEvictionIfPaid', warningId: WARNING } }]);
  });

  it('an expired lease is not stopped by paying; a closed warning needs nothing', () => {
    given({
      warnings: [
        { ...received, status: 'forwarded', ground: 'lease-expired' },
        { ...received, warningId: OTHER, status: 'closed' },
      ],
    })
      .when(payment)
      .then([
        { kind: 'ignored', reason: 'Betaling stanser ikke en fravikelse som ikke gjelder ubetalt husleie (tvangsfullbyrdelsesloven § 13-2 tredje ledd).' },
        { kind: 'ignored', reason: 'Varselet er avsluttet.' },
      ]);
  });

  it('a payment on a tenancy no warning is about', () => {
    given({ warnings: [] })
      .when(payment)
      .then([{ kind: 'ignored', reason: 'Ingen varsler om fravikelse gjelder leieforholdet.' }]);
  });

  it('a charge changes nothing here', () => {
    given({ warnings: [received] })
      .when(event('ledger.ChargePosted', { voucherRef: 'F-1', date: '2026-12-15', dueDate: '2027-01-01', period: '2027-01', amountOre: 928200 }, 'tenancy-5035-100235'))
      .then([{ kind: 'ignored', reason: 'Arbeidsflyten for varsler reagerer ikke på ledger.ChargePosted.' }]);
  });

  // The subscription asks the store for WARNING_WORKFLOW_LEDGER_TYPES alone: safe only while the
  // workflow ignores every other event of the ledger, even for a tenancy with a warning.
  it.each(LEDGER_EVENT_TYPES.filter((t) => !WARNING_WORKFLOW_LEDGER_TYPES.includes(t)).map((t) => [t]))('%s is ignored, so the subscription may leave it out', (type) => {
    given({ warnings: [received] })
      .when(event(type, { voucherRef: 'X-1', date: '2026-12-15' }, 'tenancy-5035-100235'))
      .then([{ kind: 'ignored', reason: `Arbeidsflyten for varsler reagerer ikke på ${type}.` }]);
  });
});
