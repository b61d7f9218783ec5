import { deterministicId } from '@evp/shared-kernel';
import type { EventStore, EventTypeMap } from '@evp/event-store';
import {
  ERASED_PERSON_PLACEHOLDER,
  RESTRICTED_PERSON_PLACEHOLDER,
  householdNoteStreamName,
  householdPersonsStreamName,
  type HouseholdNoteSealed,
  type HouseholdNotes,
  type HouseholdPersonLinked,
  type HouseholdRef,
  type NoteMetadata,
} from '@evp/people-domain';
import { openHouseholdNote, PersonalDataUnreadableError, sealHouseholdNote } from './crypto';
import type { PersonKeyStore } from './person-key-store';
import { loadPerson, readTenancy } from './person-streams';

const NOTE_ID = /^[0-9a-f-]{36}$/;

/**
 * `HouseholdNotes`: another context's free text about a household (NAV's notes and reasons) under
 * the people context's crypto-shredding.
 *
 * The rule: a note is sealed for ALL the household's tenant persons as they are when it is written
 * — the tenancy's current tenants (the ledger's tenant list) and the persons § 9-11 warnings named
 * as the household's tenants — under a key derived from every one of their data keys. It opens
 * only while all those keys exist; erasing ANY of them shreds it, and every reader then shows
 * «slettet person» in its place.
 *
 * Why all and not any: a note is free text about the household's situation, and nothing can tell
 * which tenant a sentence is about; NAV's notes routinely name and describe each member. Left
 * readable through another member's key, an erased person's data would outlive their erasure.
 * Losing a note for the remaining tenant is the lesser harm: NAV's record of the steps themselves
 * (the events) stays, and an erasure an archive obligation forbids is refused and restricted
 * instead, so a case's notes are only shredded once nobody must keep them. A tenant who joins the
 * household later does not gain access to older notes (they were not sealed for them).
 *
 * A household with no person to seal for (every tenant erased, or none recorded) refuses the note:
 * a text nobody's erasure could remove is exactly what this port exists to prevent.
 *
 * Restriction follows the same reasoning: while ANY person a note was sealed for is restricted
 * (GDPR art. 18: their data may be stored, not otherwise processed), the note reads «skjermet
 * person»; it reads again once the restriction is lifted.
 */
export class StreamHouseholdNotes implements HouseholdNotes {
  constructor(
    private readonly store: EventStore,
    private readonly types: EventTypeMap,
    private readonly keys: PersonKeyStore,
  ) {}

  /** The household's tenant persons now, erased ones left out (they have nothing left to seal for). */
  async tenantsOf(household: HouseholdRef): Promise<string[]> {
    const tenancy = await readTenancy(this.store, this.types, { municipalityNumber: household.municipalityNumber, tenancyId: household.householdId });
    const linked = (await this.store.readStream(householdPersonsStreamName(household.municipalityNumber, household.householdId)))
      .map((e) => this.types.dataOf(e) as unknown as HouseholdPersonLinked['data'])
      .filter((d) => d.role === 'tenant')
      .map((d) => d.personId);
    const ids = [...new Set([...(tenancy?.tenantPersonIds ?? []), ...linked])];
    const people = await Promise.all(ids.map(async (id) => [id, (await loadPerson(this.store, this.types, id)).person.status] as const));
    return people.filter(([, status]) => status === 'active' || status === 'restricted').map(([id]) => id);
  }

  async seal(owner: string, household: HouseholdRef, notes: ReadonlyArray<{ readonly noteId: string; readonly text: string }>, metadata: NoteMetadata): Promise<void> {
    if (notes.length === 0) return;
    for (const note of notes) if (!NOTE_ID.test(note.noteId)) throw new Error('a note id is a derived UUID');
    const persons = await this.tenantsOf(household);
    const keys = [...(await this.keys.findMany(persons)).values()];
    if (keys.length === 0) throw new Error('the household has no recorded person to seal the note for');
    for (const note of notes) {
      const stream = householdNoteStreamName(note.noteId);
      // Idempotent per note: a retried request finds its note sealed and writes nothing.
      const [existing] = await this.store.readStream(stream, { maxCount: 1 });
      if (existing) continue;
      const sealed = sealHouseholdNote(keys, owner, note.noteId, note.text);
      const data: HouseholdNoteSealed['data'] = { noteId: note.noteId, owner, municipalityNumber: household.municipalityNumber, householdId: household.householdId, ...sealed };
      await this.store.appendToStream(
        stream,
        [{ id: deterministicId(`household-note-sealed|${note.noteId}`), type: 'people.HouseholdNoteSealed', data: data as unknown as Record<string, never>, metadata: { ...metadata, schemaVersion: 1 } }],
        { expectedRevision: 'any' },
      );
    }
  }

  async open(owner: string, noteIds: readonly string[]): Promise<ReadonlyMap<string, string | null>> {
    const texts = new Map<string, string | null>();
    const found: HouseholdNoteSealed['data'][] = [];
    for (const id of new Set(noteIds)) {
      const [sealed] = NOTE_ID.test(id) ? await this.store.readStream(householdNoteStreamName(id), { maxCount: 1 }) : [];
      const data = sealed?.type === 'people.HouseholdNoteSealed' ? (this.types.dataOf(sealed) as unknown as HouseholdNoteSealed['data']) : undefined;
      // Another context's note is not this caller's to open, and says nothing of existing.
      if (!data || data.owner !== owner) texts.set(id, null);
      else found.push(data);
    }
    const persons = [...new Set(found.flatMap((n) => n.sealedFor.map((p) => p.personId)))];
    const keys = await this.keys.findMany(persons);
    const restricted = new Set<string>();
    for (const id of persons) if ((await loadPerson(this.store, this.types, id)).person.status === 'restricted') restricted.add(id);
    for (const note of found) {
      if (note.sealedFor.some((p) => restricted.has(p.personId))) {
        texts.set(note.noteId, RESTRICTED_PERSON_PLACEHOLDER);
        continue;
      }
      try {
        texts.set(note.noteId, openHouseholdNote(keys, owner, note.noteId, note));
      } catch (error) {
        if (!(error instanceof PersonalDataUnreadableError)) throw error;
        texts.set(note.noteId, ERASED_PERSON_PLACEHOLDER);
      }
    }
    return texts;
  }
}
