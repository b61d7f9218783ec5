import { createHmac } from 'node:crypto';
import type { LocalDate } from '@evp/shared-kernel';
import { opaquePersonId } from '@evp/auth';
import { normaliseName } from '@evp/warnings-domain';

/**
 * Who a warning is about is personal data (invariant 7): names, birth dates and identity numbers
 * are recorded through the people context's `PeopleDirectory` (`@evp/people-contract`), encrypted
 * per person and erasable; the warning's events hold opaque person ids and keyed match keys only.
 */

/** A tenant (or a private landlord) as the landlord identifies them: the number when known, always a name and a birth date. */
export interface PersonIdentity {
  readonly nationalId: string | null;
  readonly name: string;
  /** From the number when it is known; null only for a private landlord, whose birth date nobody asks for. */
  readonly birthDate: LocalDate | null;
}

/**
 * Keyed derivations under PERSON_ID_KEY, so that nobody without the key can go from an id back to a
 * name, a birth date or an address by trying them all.
 */
export class IdentityKeys {
  constructor(private readonly personIdKey: string) {}

  private mac(purpose: string, ...parts: string[]): string {
    return createHmac('sha256', this.personIdKey).update(JSON.stringify([purpose, ...parts])).digest('hex').slice(0, 32);
  }

  /**
   * The opaque person id: the people context's own id (HMAC of the number) when the number is
   * known; otherwise one of name and birth date, in the same shape.
   */
  personId(identity: PersonIdentity): string {
    if (identity.nationalId) return opaquePersonId(this.personIdKey, identity.nationalId);
    return `p${this.mac('evp/warnings/unidentified-person/v1', normaliseName(identity.name), identity.birthDate ?? '-')}`;
  }

  /**
   * What objections are matched on: the number's person id, and name with birth date. Either side
   * may know only the name and the birth date; a shared key is a match, so an objection is never
   * missed because one side lacked the number (it may, rarely, match a namesake born the same day:
   * that errs on the side of the tenant's reservation).
   */
  matchKeys(identity: PersonIdentity): string[] {
    const byNumber = identity.nationalId ? [opaquePersonId(this.personIdKey, identity.nationalId)] : [];
    const byName = identity.birthDate ? [`n${this.mac('evp/warnings/name-and-birth-date/v1', normaliseName(identity.name), identity.birthDate)}`] : [];
    return [...byNumber, ...byName];
  }

  /**
   * A private lease's id in the cases context (`h` + hex): the same landlord and address give the
   * same household, so a second warning finds the household's open case.
   */
  householdId(landlordId: string, municipalityNumber: string, address: string): string {
    return `h${this.mac('evp/warnings/household/v1', landlordId, municipalityNumber, normaliseName(address)).slice(0, 24)}`;
  }

  /** A keyed hash of a submission, to tell the same warning from another with the same key: it holds names, so never a plain hash. */
  fingerprint(value: unknown): string {
    return this.mac('evp/warnings/fingerprint/v1', JSON.stringify(value));
  }

  /** A private landlord's opaque person id when the token carries none (a landlord logged in without ID-porten). */
  landlordPersonId(landlordId: string): string {
    return `p${this.mac('evp/warnings/landlord-person/v1', landlordId)}`;
  }
}
