import PDFDocument from 'pdfkit';
import { formatKroner, osloDate, type LocalDate } from '@evp/shared-kernel';
import type { MeetingPack, MeetingReport } from '@evp/cases-application';

/**
 * The meeting's PDF for the archive and for members without access: in bokmål, tagged (PDF/UA
 * structure: headings and paragraphs in reading order), language nb-NO, with Source Sans 3
 * embedded — a font that is in the document renders the same everywhere and years later, which
 * the built-in Helvetica (not embedded) does not promise. pdfkit reads WOFF 1, not WOFF 2.
 */
const font = (subset: 'latin' | 'latin-ext', weight: 400 | 700) => require.resolve(`@fontsource/source-sans-3/files/source-sans-3-${subset}-${weight}-normal.woff`);

/**
 * The `latin` subset covers bokmål and nynorsk; `latin-ext` the letters of names it lacks —
 * Northern, Lule and Southern Sami (á č đ ŋ š ŧ ž, ï), Polish, Baltic. Text is set in runs, each
 * in the subset that has its letters. (Letters in neither, such as Cyrillic, are not in the font.)
 */
const LATIN_EXTRA = new Set([0x131, 0x152, 0x153, 0x2bb, 0x2bc, 0x2c6, 0x2da, 0x2dc, 0x304, 0x308, 0x329, 0x20ac, 0x2122, 0x2191, 0x2193, 0x2212, 0x2215, 0xfeff, 0xfffd]);
/** The code points of fontsource's `latin` subset. */
const inLatin = (codePoint: number) => codePoint <= 0xff || (codePoint >= 0x2000 && codePoint <= 0x206f) || LATIN_EXTRA.has(codePoint);

function runs(text: string): Array<{ text: string; ext: boolean }> {
  const out: Array<{ text: string; ext: boolean }> = [];
  for (const ch of text) {
    const ext = !inLatin(ch.codePointAt(0) as number);
    const last = out[out.length - 1];
    if (last && last.ext === ext) last.text += ch;
    else out.push({ text: ch, ext });
  }
  return out;
}

export interface MeetingPdfInput {
  readonly report: MeetingReport;
  readonly arrearsOre: number | null;
  /** From the injected clock: the document's date and its metadata's. */
  readonly now: Date;
}

const STATUS: Record<string, string> = { open: 'åpen', escalated: 'eskalert til husleierestanseteamet', resolved: 'avsluttet' };
const norwegianDate = (d: LocalDate) => `${d.slice(8, 10)}.${d.slice(5, 7)}.${d.slice(0, 4)}`;

export function renderMeetingPdf({ report, arrearsOre, now }: MeetingPdfInput): Promise<Buffer> {
  const generatedOn = osloDate(now);
  const title = `Husleierestanseteamet – møte ${norwegianDate(report.heldOn)}`;
  const doc = new PDFDocument({ size: 'A4', margin: 56, tagged: true, lang: 'nb-NO', displayTitle: true, pdfVersion: '1.7', info: { Title: title, Subject: `Møtereferat og saksliste, kommune ${report.municipalityNumber}`, Creator: 'Forebygging av utkastelser', CreationDate: now, ModDate: now } });
  doc.registerFont('regular', font('latin', 400));
  doc.registerFont('regular-ext', font('latin-ext', 400));
  doc.registerFont('bold', font('latin', 700));
  doc.registerFont('bold-ext', font('latin-ext', 700));
  const chunks: Buffer[] = [];
  doc.on('data', (chunk: Buffer) => chunks.push(chunk));
  const done = new Promise<Buffer>((resolve, reject) => {
    doc.on('end', () => resolve(Buffer.concat(chunks)));
    doc.on('error', reject);
  });

  const root = doc.struct('Document');
  doc.addStructure(root);
  /** One structure element (heading or paragraph) holding the text, set run by run in the subset that has its letters. */
  const block = (type: 'H1' | 'H2' | 'H3' | 'P', weight: 'regular' | 'bold', size: number, text: string) => {
    root.add(
      doc.struct(type, {}, () => {
        const parts = runs(text);
        parts.forEach((part, i) => doc.font(part.ext ? `${weight}-ext` : weight).fontSize(size).text(part.text, { continued: i < parts.length - 1 }));
      }),
    );
  };
  const heading = (level: 'H1' | 'H2' | 'H3', text: string) => {
    doc.moveDown(level === 'H1' ? 0 : 0.6);
    block(level, 'bold', level === 'H1' ? 18 : level === 'H2' ? 14 : 12, text);
    doc.moveDown(0.2);
  };
  const paragraph = (text: string) => block('P', 'regular', 10.5, text);

  const pack: MeetingPack = report.pack;
  heading('H1', title);
  paragraph(`Kommune ${report.municipalityNumber}. Forrige møte: ${pack.since ? norwegianDate(pack.since) : 'ingen'}. Laget ${norwegianDate(generatedOn)}.`);

  heading('H2', 'Nøkkeltall');
  paragraph(`Aktive saker: ${pack.figures.activeCases}. Eskalert til teamet: ${pack.figures.escalated}.`);
  paragraph(`Åpnet siden forrige møte: ${pack.figures.openedSinceLastMeeting}. Avsluttet siden forrige møte: ${pack.figures.resolvedSinceLastMeeting}.`);
  if (arrearsOre !== null) paragraph(`Husleierestanse i kommunen nå: ${formatKroner(arrearsOre)} kr.`);

  const decided = new Map(report.decisions.map((d) => [d.caseId, d.decision]));
  const caseSection = (c: MeetingPack['cases'][number]) => {
    heading('H3', `Sak ${c.caseId} (leieforhold ${c.tenancyId}) – ${STATUS[c.status] ?? c.status}`);
    const decision = decided.get(c.caseId);
    if (decision) paragraph(`Vedtak: ${decision}`);
    for (const r of c.reasons) paragraph(`Begrunnelse: ${r.explanation}`);
    if (c.changesSinceLastMeeting.length === 0) paragraph('Ingen endringer siden forrige møte.');
    for (const change of c.changesSinceLastMeeting) paragraph(`${norwegianDate(change.on)}: ${change.summary}`);
  };

  heading('H2', `Vedtak i møtet (${report.decisions.length})`);
  if (report.decisions.length === 0) paragraph('Ingen vedtak ble registrert.');
  for (const c of pack.cases.filter((x) => decided.has(x.caseId))) caseSection(c);

  const others = pack.cases.filter((x) => !decided.has(x.caseId));
  heading('H2', `Andre saker i faresonen (${others.length})`);
  if (others.length === 0) paragraph('Ingen.');
  for (const c of others) caseSection(c);
  if (pack.truncated) paragraph('Listen er avkortet: flere saker er i faresonen enn ett møtedokument rommer. Se køen i løsningen.');

  root.end();
  doc.end();
  return done;
}
