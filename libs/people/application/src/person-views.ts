import { hasRole, type Caller } from '@evp/auth';
import { ERASED_PERSON_PLACEHOLDER, RESTRICTED_PERSON_PLACEHOLDER, maskNationalId, type Person, type PersonStatus } from '@evp/people-domain';
import { decryptPersonalData, PersonalDataUnreadableError, type DataKey } from './crypto';

/** A person as the api answers: masked for everyone but `admin`, a placeholder when the data is erased or restricted. */
export interface PersonView {
  readonly personId: string;
  readonly name: string;
  /** Full for `admin`; the first six digits and `*****` for the others; null behind a placeholder. */
  readonly nationalId: string | null;
  readonly status: PersonStatus;
}

const placeholder = (personId: string, status: PersonStatus, name: string): PersonView => ({ personId, name, nationalId: null, status });

/**
 * What a caller sees of a person they may reach. Erased: «slettet person» for everyone. Restricted:
 * only `admin` sees the data. A record whose key is gone or does not open (an erasure, a lost key,
 * tampering) reads as «slettet person» too — the placeholder, never an error, so every reader
 * behaves the same after a key is deleted.
 */
export function personView(caller: Caller, personId: string, person: Person, key: DataKey | undefined): PersonView {
  const status = person.status ?? 'erased';
  if (status === 'erased' || !person.record) return placeholder(personId, status, ERASED_PERSON_PLACEHOLDER);
  const admin = hasRole(caller, 'admin');
  if (status === 'restricted' && !admin) return placeholder(personId, status, RESTRICTED_PERSON_PLACEHOLDER);
  if (!key) return placeholder(personId, status, ERASED_PERSON_PLACEHOLDER);
  try {
    const data = decryptPersonalData(key, { personId, keyId: person.record.keyId, encrypted: person.record.encrypted });
    // A person a warning knew only by name and birth date has no number to show.
    const nationalId = data.nationalId === null ? null : admin ? data.nationalId : maskNationalId(data.nationalId);
    return { personId, name: data.name, nationalId, status };
  } catch (error) {
    if (error instanceof PersonalDataUnreadableError) return placeholder(personId, status, ERASED_PERSON_PLACEHOLDER);
    throw error;
  }
}
