import PDFDocument from 'pdfkit';
import { formatKroner } from '@evp/shared-kernel';
import type { WarningDeadlinePolicy } from '@evp/warnings-domain';
import type { WarningDetail } from './warning-views';

/**
 * The tenant's copy of a § 9-11 warning (husleieloven § 9-11: the tenant gets a copy), in bokmål:
 * what was sent to NAV, and the tenant's rights — to reserve themselves in writing, that paying
 * stops an eviction for unpaid rent until the lock is changed, the objection to the namsmann, and
 * where to get help. A tagged PDF (lang nb-NO) with Source Sans 3 embedded (a WOFF: pdfkit cannot
 * read WOFF2, ../shared/VERSIONS-web-sql.md section 4). Names outside Latin-1 (Sámi, Polish, …)
 * are set in the font's latin-ext cut, run by run.
 */
const FONTS = {
  regular: require.resolve('@fontsource/source-sans-3/files/source-sans-3-latin-400-normal.woff'),
  regularExt: require.resolve('@fontsource/source-sans-3/files/source-sans-3-latin-ext-400-normal.woff'),
  bold: require.resolve('@fontsource/source-sans-3/files/source-sans-3-latin-700-normal.woff'),
  boldExt: require.resolve('@fontsource/source-sans-3/files/source-sans-3-latin-ext-700-normal.woff'),
};

const GROUNDS: Record<string, string> = {
  'unpaid-rent': 'ubetalt husleie',
  'lease-expired': 'leieforholdet er avsluttet (leietiden er ute eller leieavtalen er sagt opp)',
  'other-breach': 'annet vesentlig mislighold av leieavtalen',
};

const MONTHS = ['januar', 'februar', 'mars', 'april', 'mai', 'juni', 'juli', 'august', 'september', 'oktober', 'november', 'desember'];

/** `2026-12-01` → «1. desember 2026». */
export function norwegianDate(date: string): string {
  const [y, m, d] = date.split('-').map(Number) as [number, number, number];
  return `${d}. ${MONTHS[m - 1]} ${y}`;
}

const monthName = (ym: string) => {
  const [y, m] = ym.split('-').map(Number) as [number, number];
  return `${MONTHS[m - 1]} ${y}`;
};

/** Whether the Latin cut has the character (U+0000–00FF plus the punctuation block and a few more), else the latin-ext cut. */
function inLatin(code: number): boolean {
  return code <= 0xff || (code >= 0x2000 && code <= 0x206f) || [0x0131, 0x0152, 0x0153, 0x02c6, 0x02da, 0x02dc, 0x20ac, 0x2122, 0x2212].includes(code);
}

/** «§ 13-11» never breaks after the sign. */
const keepParagraphSign = (text: string) => text.replace(/§ /g, '§\u00a0');

function runs(text: string): Array<{ ext: boolean; text: string }> {
  const out: Array<{ ext: boolean; text: string }> = [];
  for (const ch of keepParagraphSign(text).normalize('NFC')) {
    const ext = !inLatin(ch.codePointAt(0) as number);
    const last = out[out.length - 1];
    if (last && last.ext === ext) last.text += ch;
    else out.push({ ext, text: ch });
  }
  return out;
}

export function statusParagraph(w: WarningDetail): string {
  switch (w.status) {
    case 'received':
      return `Varselet er mottatt ${norwegianDate(w.submittedOn)} og blir sendt til NAV-kontoret i kommunen.`;
    case 'forwarded':
      return `Varselet ble sendt til NAV-kontoret i kommunen ${norwegianDate(w.forwardedOn as string)}. NAV kan ta kontakt med deg for å tilby hjelp.`;
    case 'not-forwarded':
      return 'Varselet er ikke sendt til NAV, fordi det er registrert at du har reservert deg skriftlig mot slike varsler.';
    case 'closed':
      return w.forwardedOn ? `Varselet ble sendt til NAV-kontoret i kommunen ${norwegianDate(w.forwardedOn)}. Saken er nå avsluttet.` : 'Varselet ble ikke sendt til NAV, og saken er nå avsluttet.';
    default:
      return '';
  }
}

export async function renderTenantCopy(w: WarningDetail, policy: WarningDeadlinePolicy): Promise<Buffer> {
  const title = 'Kopi til leietaker: varsel til NAV om mulig fravikelse';
  const doc = new PDFDocument({
    size: 'A4',
    margin: 56,
    tagged: true,
    lang: 'nb-NO',
    displayTitle: true,
    pdfVersion: '1.7',
    info: { Title: title, Subject: 'Husleieloven § 9-11', Author: 'Kommunen', CreationDate: new Date(`${w.submittedOn}T12:00:00Z`) },
  });
  doc.registerFont('regular', FONTS.regular);
  doc.registerFont('regularExt', FONTS.regularExt);
  doc.registerFont('bold', FONTS.bold);
  doc.registerFont('boldExt', FONTS.boldExt);
  const chunks: Buffer[] = [];
  doc.on('data', (c: Buffer) => chunks.push(c));
  const done = new Promise<Buffer>((resolve, reject) => {
    doc.on('end', () => resolve(Buffer.concat(chunks)));
    doc.on('error', reject);
  });

  const root = doc.struct('Document');
  doc.addStructure(root);
  const write = (text: string, structType: string, options: { bold?: boolean; size?: number; gap?: number } = {}) => {
    const base = options.bold ? 'bold' : 'regular';
    doc.fontSize(options.size ?? 11);
    const parts = runs(text);
    parts.forEach((part, i) => {
      doc.font(part.ext ? `${base}Ext` : base);
      doc.text(part.text, { structParent: root, structType, continued: i < parts.length - 1, lineGap: 2 });
    });
    doc.moveDown(options.gap ?? 0.4);
  };
  const heading = (text: string) => write(text, 'H2', { bold: true, size: 13, gap: 0.3 });

  write(title, 'H1', { bold: true, size: 18, gap: 0.2 });
  write('Husleieloven § 9-11', 'P', { size: 11, gap: 0.8 });
  write(
    'Utleier kan varsle NAV-kontoret i kommunen når et mislighold av leieavtalen kan føre til fravikelse (utkastelse), slik at NAV kan tilby hjelp. Du skal få en kopi av varselet. Dette er kopien, med det som er sendt om deg.',
    'P',
  );
  write(statusParagraph(w), 'P', { bold: true, gap: 0.8 });

  heading('Utleier');
  write(`${w.landlord.name}${w.landlord.organisationNumber ? ` (organisasjonsnummer ${w.landlord.organisationNumber})` : ''}`, 'P');
  heading('Boligen');
  write(`${w.address} (kommunenummer ${w.municipalityNumber})`, 'P');
  heading(w.tenants.length > 1 ? 'Leietakere' : 'Leietaker');
  for (const t of w.tenants) {
    const born = t.birthDate ? `, født ${norwegianDate(t.birthDate)}` : '';
    const notice = t.noticeSentOn ? `Varsel etter tvangsfullbyrdelsesloven § 4-18 sendt ${norwegianDate(t.noticeSentOn)}.` : 'Varsel etter tvangsfullbyrdelsesloven § 4-18 er ikke registrert sendt.';
    write(`${t.name}${born}. ${notice}`, 'P');
  }
  heading('Hva varselet gjelder');
  write(`Grunnlag: ${GROUNDS[w.ground] ?? w.ground}.`, 'P');
  if (w.arrearsOre > 0) write(`Restanse: ${formatKroner(w.arrearsOre)} kr${w.arrearsMonths.length ? ` for ${w.arrearsMonths.map(monthName).join(', ')}` : ''}.`, 'P');
  write(
    w.petitionFiledOn
      ? `Utleier sendte begjæring om fravikelse til namsmannen ${norwegianDate(w.petitionFiledOn)}.`
      : `Utleier planlegger å sende begjæring om fravikelse til namsmannen ${norwegianDate(w.plannedPetitionOn)}.`,
    'P',
  );
  if (w.evictionOn) write(`Namsmannen har fastsatt fravikelse til ${norwegianDate(w.evictionOn)}.`, 'P');
  doc.moveDown(0.4);

  heading('Dine rettigheter');
  const rights = [
    'Du kan reservere deg skriftlig mot at utleier varsler NAV. Gi beskjed skriftlig til utleier, eller be NAV-kontoret registrere reservasjonen. Et varsel om deg blir da ikke sendt til NAV.',
    w.ground === 'unpaid-rent'
      ? 'Gjelder fravikelsen ubetalt husleie, stanses den hvis du betaler restansen, husleie som har forfalt siden, renter og kostnader før låsen skiftes (tvangsfullbyrdelsesloven § 13-2 tredje ledd bokstav a). Etter at låsen er skiftet, stanser betaling ikke fravikelsen.'
      : 'Fravikelsen gjelder ikke bare ubetalt husleie. Da stanser betaling den ikke av seg selv; snakk med utleier eller få råd.',
    `Får du brev fra namsmannen om begjæringen, har du ${policy.objectionDays} dager fra du mottok brevet til å komme med innsigelser (tvangsfullbyrdelsesloven § 13-6).`,
    `Blir fravikelsen gjennomført, har du ${policy.belongingsDays} dager til å hente eiendelene dine (tvangsfullbyrdelsesloven § 13-11).`,
  ];
  doc.font('regular').fontSize(11).list(rights.map(keepParagraphSign), { structParent: root, bulletRadius: 2, textIndent: 12, lineGap: 2 });
  doc.moveDown(0.6);

  heading('Her kan du få hjelp');
  write('NAV-kontoret i kommunen kan gi økonomisk rådgivning og vurdere økonomisk stønad, også til å dekke husleierestanse. Ring NAV på 55 55 33 33, eller les mer på nav.no.', 'P');
  write('Husleietvistutvalget (htu.no), fri rettshjelp og rettshjelpstiltak kan gi råd om leieforholdet og om fravikelsen.', 'P', { gap: 1 });
  write(`Kopien er laget fra varselet slik det er registrert (varsel mottatt ${norwegianDate(w.submittedOn)}).`, 'P', { size: 9 });

  root.end();
  doc.end();
  return done;
}
