import type { MouseEvent } from 'react';
import { BodyLong, BodyShort, Heading, LinkCard, VStack } from '@navikt/ds-react';
import { useSession } from '../auth/session';
import { ROLE_NAMES } from '../format/labels';
import { PageHeading } from '../components/page';
import { isPlainClick, navigate } from '../app/router';
import { menuFor } from '../app/route-table';

const DESCRIPTIONS: Record<string, string> = {
  '/regnskap': 'Last opp posteringer eller leieforhold fra økonomisystemet, og se importhistorikken.',
  '/regnskap/restanser': 'Leieforhold med forfalt, ubetalt husleie, etter beløp eller alder.',
  '/team': 'Eskalerte saker teamet skal følge opp, med begrunnelsen for hver.',
  '/team/motepakke': 'Sakene til månedsmøtet, hva som har skjedd siden sist, og vedtakene fra møtet.',
  '/saker': 'Alle forebyggingssaker, etter status og frist.',
  '/dashbord': 'Utestående husleie, restanser og saker måned for måned.',
  '/drift': 'Abonnementer, parkerte hendelser, frister, projeksjoner og køer.',
  '/utleier/varsler': 'Varslene du har sendt, med status, datoer og neste steg.',
  '/utleier/varsler/ny': 'Send varsel om fravikelse til NAV (husleieloven § 9-11).',
  '/nav': 'Henvisninger til NAV-kontoret etter prioritet og frist. Ta saken og følg den opp.',
};

export function HomePage() {
  const session = useSession();
  if (!session) return null;
  const pages = menuFor(session);
  return (
    <VStack gap="space-24">
      <PageHeading title="Forside">Velkommen</PageHeading>
      <BodyShort>
        Du er logget inn som {ROLE_NAMES[session.role].toLowerCase()} for kommune {session.municipalities.join(', ')}.
      </BodyShort>
      {pages.length === 0 ? (
        <BodyLong>Det finnes ingen sider for din rolle.</BodyLong>
      ) : (
        <section aria-labelledby="pages-heading">
          <VStack gap="space-16">
            <Heading level="2" size="medium" id="pages-heading">
              Dine sider
            </Heading>
            <ul className="cards">
              {pages.map((r) => (
                <li key={r.path}>
                  <LinkCard>
                    <LinkCard.Title>
                      <LinkCard.Anchor
                        href={r.path}
                        onClick={(event: MouseEvent<HTMLAnchorElement>) => {
                          if (!isPlainClick(event)) return;
                          event.preventDefault();
                          navigate(r.path);
                        }}
                      >
                        {r.menu}
                      </LinkCard.Anchor>
                    </LinkCard.Title>
                    <LinkCard.Description>{DESCRIPTIONS[r.path]}</LinkCard.Description>
                  </LinkCard>
                </li>
              ))}
            </ul>
          </VStack>
        </section>
      )}
    </VStack>
  );
}
