/** Injection token for the `PersonKeyStore` (the api opens it; it is the only writer). */
export const PERSON_KEY_STORE = 'people.PersonKeyStore';
/** Injection token for the `ArchivePolicy` (configuration: PEOPLE_CASE_RETENTION_YEARS). */
export const PEOPLE_ARCHIVE_POLICY = 'people.ArchivePolicy';
