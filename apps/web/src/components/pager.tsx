import { HStack, BodyShort } from '@navikt/ds-react';
import { ArrowLeftIcon, ArrowRightIcon } from '@navikt/aksel-icons';
import { ButtonLink, withQuery, type Location } from '../app/router';
import { formatInteger } from '../format/format';

/**
 * Keyset paging: one page of rows at a time, the cursor in the address so a page is a deep link
 * and the back button returns to the page before. «Første side» drops the cursor.
 */
export function Pager({ location, nextCursor, param = 'cursor', shown, total, label, focusId }: { location: Location; nextCursor: string | null; param?: string; shown: number; total?: number | undefined; label: string; focusId: string }) {
  // The link pressed may not be there on the next page: the focus goes to the list itself (tabIndex -1).
  const focusList = () => document.getElementById(focusId)?.focus();
  const onLaterPage = location.search.has(param);
  if (!nextCursor && !onLaterPage) {
    return total !== undefined && total > 0 ? <BodyShort className="pager__count">{`Viser alle ${formatInteger(total)}.`}</BodyShort> : null;
  }
  return (
    <nav aria-label={label} className="pager">
      <HStack gap="space-16" align="center" wrap>
        {onLaterPage ? (
          <ButtonLink to={withQuery(location.pathname, location.search, { [param]: undefined })} onNavigate={focusList} variant="tertiary" size="small" icon={<ArrowLeftIcon aria-hidden />}>
            Første side
          </ButtonLink>
        ) : null}
        {nextCursor ? (
          <ButtonLink to={withQuery(location.pathname, location.search, { [param]: nextCursor })} onNavigate={focusList} variant="secondary" size="small" icon={<ArrowRightIcon aria-hidden />} iconPosition="right">
            Neste side
          </ButtonLink>
        ) : null}
        <BodyShort size="small" className="pager__count">
          {total !== undefined ? `${formatInteger(shown)} rader på denne siden av ${formatInteger(total)}.` : `${formatInteger(shown)} rader på denne siden.`}
        </BodyShort>
      </HStack>
    </nav>
  );
}
