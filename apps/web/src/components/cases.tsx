import { Tag } from '@navikt/ds-react';
import type { PolicyReason } from '../api/types';
import { CASE_STATUS_NAMES, policyName } from '../format/labels';

/** A case's reasons as the rules state them: the rule's name and its own explanation. */
export function Reasons({ reasons }: { reasons: readonly (PolicyReason | string)[] }) {
  if (reasons.length === 0) return <>–</>;
  return (
    <ul className="reasons">
      {reasons.map((r, i) =>
        typeof r === 'string' ? (
          <li key={i}>{r}</li>
        ) : (
          <li key={i}>
            <strong>{policyName(r.policy)}:</strong> {r.explanation}
          </li>
        ),
      )}
    </ul>
  );
}

const STATUS_COLOR = { open: 'info', escalated: 'warning', resolved: 'success' } as const;

export function CaseStatusTag({ status }: { status: string }) {
  const color = (STATUS_COLOR as Record<string, 'info' | 'warning' | 'success'>)[status] ?? 'neutral';
  return (
    <Tag size="small" variant="moderate" data-color={color}>
      {CASE_STATUS_NAMES[status] ?? status}
    </Tag>
  );
}
