import { BodyLong, Heading, List, VStack } from '@navikt/ds-react';
import { PageHeading } from '../components/page';

/**
 * Public bodies must publish an accessibility statement (forskrift om universell utforming av
 * informasjons- og kommunikasjonsteknologiske (IKT)-løsninger, which brings in WCAG 2.1 AA). The
 * municipality publishes the binding one in Digdir's uustatus.no; this page says what the
 * service itself meets, how that was checked, and where the known gaps are.
 */
export function AccessibilityPage() {
  return (
    <VStack gap="space-24" maxWidth="48rem">
      <PageHeading title="Tilgjengelighetserklæring">Tilgjengelighetserklæring</PageHeading>
      <BodyLong>
        Kommunen har ansvar for at denne tjenesten er universelt utformet, slik at alle kan bruke den uavhengig av funksjonsevne. Tjenesten skal oppfylle kravene i forskrift om universell utforming av IKT-løsninger, som bygger på WCAG
        2.1 nivå A og AA.
      </BodyLong>

      <section aria-labelledby="status-heading">
        <VStack gap="space-12">
          <Heading level="2" size="medium" id="status-heading">
            Slik oppfyller tjenesten kravene
          </Heading>
          <List>
            <List.Item>Alle sider er på bokmål og kan brukes med tastatur alene, også opplasting av filer og registrering av kontakt.</List.Item>
            <List.Item>Skjemaer viser feil ved feltet det gjelder og i en feiloppsummering øverst, og feil i opplastede filer vises som en tabell med linje, kolonne og årsak.</List.Item>
            <List.Item>Hver graf på dashbordet har en overskrift, en beskrivelse og de samme tallene som tabell. Tabellene kan også vises på skjermen.</List.Item>
            <List.Item>Tjenesten bruker designsystemet Aksel fra Nav, som er laget for å oppfylle WCAG 2.1 AA.</List.Item>
          </List>
        </VStack>
      </section>

      <section aria-labelledby="testing-heading">
        <VStack gap="space-12">
          <Heading level="2" size="medium" id="testing-heading">
            Slik er tjenesten testet
          </Heading>
          <BodyLong>
            Hver side testes automatisk med axe mot reglene i WCAG 2.0 og 2.1, nivå A og AA, i en ekte nettleser (Chromium) hver gang koden endres, og det skal ikke finnes ett eneste brudd. Opplasting av filer og registrering av
            kontakt testes med tastatur alene. Automatiske tester finner ikke alt; en manuell gjennomgang med skjermleser gjenstår.
          </BodyLong>
        </VStack>
      </section>

      <section aria-labelledby="gaps-heading">
        <VStack gap="space-12">
          <Heading level="2" size="medium" id="gaps-heading">
            Kjente mangler
          </Heading>
          <List>
            <List.Item>Fargekontrast i tekst inne i grafene kan ikke kontrolleres automatisk. Tallene finnes også som tabeller.</List.Item>
            <List.Item>Køoversikten for driften (bull-board) er et tredjepartsverktøy som ikke er testet for universell utforming.</List.Item>
            <List.Item>Møtepakken som PDF er ikke kontrollert mot kravene til tilgjengelige PDF-dokumenter.</List.Item>
          </List>
        </VStack>
      </section>

      <section aria-labelledby="feedback-heading">
        <VStack gap="space-12">
          <Heading level="2" size="medium" id="feedback-heading">
            Tilbakemelding og klage
          </Heading>
          <BodyLong>
            Opplever du noe som ikke virker for deg, kan du melde fra til kommunens servicetorg, som sender det videre til dem som forvalter tjenesten. Får du ikke svar, eller er du ikke fornøyd med svaret, kan du klage til Tilsynet
            for universell utforming av ikt i Digitaliseringsdirektoratet (uutilsynet.no).
          </BodyLong>
        </VStack>
      </section>
    </VStack>
  );
}
