import { ignored, send, type WorkflowInput, type WorkflowOutput } from '@evp/shared-kernel';
import { LEDGER_REDUCTION_TYPES, isLedgerReduction, type LedgerEventType } from '@evp/ledger-contract';
import type { EvictionGround } from '@evp/warnings-contract';
import type { EvictionStage, WarningStatus } from './warning';

/** Commands the warnings workflow sends; each handler decides on the warning's stream again, so a repeat is harmless. */
export type WarningCommand = { readonly type: 'warnings.ForwardWarning'; readonly warningId: string } | { readonly type: 'warnings.StopEvictionIfPaid'; readonly warningId: string };

/** What the workflow needs of a warning, as it stands now. */
export interface WarningFacts {
  readonly warningId: string;
  readonly status: WarningStatus;
  readonly ground: EvictionGround;
  readonly stage: EvictionStage;
}

/**
 * The state the runner loads: for a warning's own event, that warning; for a ledger event, the
 * warnings about that municipal tenancy (from the `warnings-of-…` index, read from the store, so
 * it never lags the log).
 */
export interface WarningWorkflowState {
  readonly warnings: readonly WarningFacts[];
}

/**
 * The ledger's events this workflow acts on (a payment, credit or write-off may stop an eviction);
 * it ignores every other. Its subscription asks the store for these alone.
 */
export const WARNING_WORKFLOW_LEDGER_TYPES: readonly LedgerEventType[] = [...LEDGER_REDUCTION_TYPES];

/**
 * The warnings workflow: a received warning is forwarded (the command checks the objection
 * register again at that moment); a payment, credit or write-off on a municipal tenancy may stop
 * an eviction for unpaid rent. Pure: the runner loads the state and executes what it returns.
 */
export function warningWorkflow(input: WorkflowInput, state: WarningWorkflowState): WorkflowOutput<WarningCommand>[] {
  if (isLedgerReduction(input.type)) {
    if (state.warnings.length === 0) return [ignored('Ingen varsler om fravikelse gjelder leieforholdet.')];
    return state.warnings.map(stopCandidate);
  }
  switch (input.type) {
    case 'warnings.WarningSubmitted': {
      const warning = state.warnings[0];
      if (!warning) return [ignored('Varselet finnes ikke.')];
      if (warning.status !== 'received') return [ignored('Varselet er allerede avgjort; det vurderes ikke på nytt.')];
      return [send({ type: 'warnings.ForwardWarning', warningId: warning.warningId })];
    }
    case 'warnings.WarningForwarded':
    case 'warnings.WarningNotForwarded':
    case 'warnings.StepReported':
    case 'warnings.EvictionStoppedByPayment':
      return [ignored('Et avgjort varsel og utleiers meldinger følges opp i saken, ikke her.')];
    default:
      return [ignored(`Arbeidsflyten for varsler reagerer ikke på ${input.type}.`)];
  }
}

function stopCandidate(warning: WarningFacts): WorkflowOutput<WarningCommand> {
  if (warning.status === 'closed') return ignored('Varselet er avsluttet.');
  // tvangsfullbyrdelsesloven § 13-2 tredje ledd bokstav a: only an eviction for unpaid rent is stopped by paying.
  if (warning.ground !== 'unpaid-rent') return ignored('Betaling stanser ikke en fravikelse som ikke gjelder ubetalt husleie (tvangsfullbyrdelsesloven § 13-2 tredje ledd).');
  return send({ type: 'warnings.StopEvictionIfPaid', warningId: warning.warningId });
}
