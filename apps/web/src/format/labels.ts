/** The words the people using the system use, for the identifiers the api speaks. */

export const ROLES = ['accounting', 'arrears-team', 'nav-adviser', 'nav-lead', 'landlord', 'admin'] as const;
export type Role = (typeof ROLES)[number];

export const ROLE_NAMES: Record<Role, string> = {
  accounting: 'Regnskap',
  'arrears-team': 'Husleierestanseteamet',
  'nav-adviser': 'NAV-veileder',
  'nav-lead': 'NAV-kontorleder',
  landlord: 'Utleier',
  admin: 'Drift (administrator)',
};

export const ROLE_DESCRIPTIONS: Record<Role, string> = {
  accounting: 'Laster opp filer fra økonomisystemet og følger med på restanser.',
  'arrears-team': 'Følger opp eskalerte saker og holder det månedlige møtet.',
  'nav-adviser': 'Ser sakene til sitt NAV-kontor og registrerer kontakt.',
  'nav-lead': 'Leder NAV-kontoret: fordeler henvisninger og følger revisjonen.',
  landlord: 'Sender varsel om fravikelse for egne leieforhold.',
  admin: 'Følger med på abonnementer, frister og køer.',
};

/** Who did something, as recorded on events: the roles plus the system itself. */
export function actorName(role: string): string {
  if (role === 'system') return 'Systemet';
  return (ROLE_NAMES as Record<string, string>)[role] ?? role;
}

export const CASE_STATUS_NAMES: Record<string, string> = {
  open: 'Åpen',
  escalated: 'Eskalert',
  resolved: 'Avsluttet',
};

export const CASE_LIST_FILTERS = [
  ['active', 'Aktive (åpne og eskalerte)'],
  ['open', 'Åpne'],
  ['escalated', 'Eskalerte'],
  ['resolved', 'Avsluttede'],
  ['all', 'Alle'],
] as const;

export const CONTACT_CHANNELS = [
  ['phone', 'Telefon'],
  ['meeting', 'Møte'],
  ['home-visit', 'Hjemmebesøk'],
  ['letter', 'Brev'],
  ['digital', 'Digital melding'],
] as const;
export type ContactChannel = (typeof CONTACT_CHANNELS)[number][0];

/** The named rules (libs/cases/domain) that open and escalate a case. */
export const POLICY_NAMES: Record<string, string> = {
  arrearsReachMonthsOfRent: 'Restanse på minst én månedsleie',
  rentOverdueTooLong: 'Husleie for lenge over forfall',
  noContactWithinDeadline: 'Ingen kontakt innen fristen',
};

export function policyName(policy: string): string {
  return POLICY_NAMES[policy] ?? policy;
}

/** Event types on a case's timeline; an unknown type is shown by its summary alone. */
export const TIMELINE_TYPE_NAMES: Record<string, string> = {
  'cases.CaseOpened': 'Sak åpnet',
  'cases.ContactRecorded': 'Kontakt registrert',
  'cases.CaseEscalatedToArrearsTeam': 'Eskalert til husleierestanseteamet',
  'cases.CaseResolved': 'Sak avsluttet',
  'cases.ReferredToNav': 'Henvist til NAV',
  'cases.TeamDecisionRecorded': 'Vedtak i husleierestanseteamet',
  'cases.WarningAttached': 'Varsel om fravikelse',
  'cases.WarningStepRecorded': 'Utleier meldte neste steg',
};

export function timelineTypeName(type: string): string | undefined {
  return TIMELINE_TYPE_NAMES[type];
}

export const IMPORT_KIND_NAMES: Record<string, string> = {
  postings: 'Posteringer',
  tenancies: 'Leieforhold',
};

export const SUBSCRIPTION_STATE_NAMES: Record<string, string> = {
  running: 'Kjører',
  retrying: 'Prøver igjen (avhengighet nede)',
  restarting: 'Starter på nytt',
  stopped: 'Stoppet',
};

export const REBUILD_STATE_NAMES: Record<string, string> = {
  building: 'Bygger',
  switched: 'Ferdig og tatt i bruk',
  failed: 'Feilet',
};

export const DEADLINE_STATUS_NAMES: Record<string, string> = {
  pending: 'Venter',
  fired: 'Utløst',
  cancelled: 'Avlyst',
};

export const EVICTION_GROUND_NAMES: Record<string, string> = {
  'unpaid-rent': 'Ubetalt husleie',
  'lease-expired': 'Leieavtalen er utløpt',
  'other-breach': 'Annet vesentlig mislighold',
};

export const LANDLORD_KIND_NAMES: Record<string, string> = {
  'private-person': 'Privatperson',
  company: 'Selskap',
  municipal: 'Kommunen (eiendomsenheten)',
};

/** The steps a landlord reports after the warning, and the date field each one asks for. */
export const WARNING_STEPS: Record<string, { label: string; dateField: string | null; dateLabel: string; required: boolean }> = {
  'notice-sent': { label: 'Varsel etter tvangsfullbyrdelsesloven § 4-18 sendt', dateField: 'sentOn', dateLabel: 'Sendt', required: true },
  'petition-filed': { label: 'Begjæring om fravikelse sendt', dateField: 'filedOn', dateLabel: 'Sendt', required: true },
  'namsmann-letter-received': { label: 'Brev fra namsmannen mottatt', dateField: 'receivedOn', dateLabel: 'Mottatt', required: false },
  'tenant-objected-to-namsmann': { label: 'Leietakeren har protestert til namsmannen', dateField: 'objectedOn', dateLabel: 'Protestert', required: true },
  'eviction-date-set': { label: 'Dato for utkastelse fastsatt', dateField: 'evictionOn', dateLabel: 'Dato for utkastelse', required: true },
  'eviction-postponed': { label: 'Utkastelsen er utsatt', dateField: 'evictionOn', dateLabel: 'Ny dato for utkastelse', required: true },
  'eviction-carried-out': { label: 'Utkastelsen er gjennomført', dateField: 'evictedOn', dateLabel: 'Gjennomført', required: true },
  'cancelled-paid': { label: 'Restansen er betalt – saken stanses', dateField: 'paidOn', dateLabel: 'Betalt', required: false },
  withdrawn: { label: 'Varselet er trukket tilbake', dateField: 'withdrawnOn', dateLabel: 'Trukket tilbake', required: false },
};

export const RULING_KIND_NAMES: Record<string, string> = { law: 'Lov', policy: 'Retningslinje', advice: 'Råd' };

export const NAV_STATUS_NAMES: Record<string, string> = {
  unclaimed: 'Ikke tatt',
  claimed: 'Tatt',
  concluded: 'Avsluttet',
  'awaiting-pickup': 'Venter på at NAV tar saken',
  'followed-up': 'NAV følger opp',
};

