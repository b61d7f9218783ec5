import { deterministicId } from '@evp/shared-kernel';
import type { Causation } from '@evp/runtime';
import { parseCaseId } from '@evp/cases-contract';
import type { HouseholdNotes } from '@evp/people-contract';

/**
 * Where NAV's free text lives: notes on contacts and follow-ups, the reason for a refusal, a late
 * start or a pause. It is personal data under NAV's duty of confidentiality, so NAV's events carry
 * only a note's id and the text goes behind this port, to be read by the handling office's
 * advisers and erased with the people it is about.
 *
 * The text is sealed by the people context (`HouseholdNotes`, `@evp/people-contract`) for the
 * case's household: every tenant person the household has when the note is written, under a key
 * only all of their data keys together derive. Erasing any of them shreds the note, and the record
 * shows «slettet person» in its place (the rule, and why all rather than any, is the people
 * context's: `StreamHouseholdNotes`). NAV keeps no copy and no key.
 */
export interface NavNoteVault {
  /** Stores the texts under their ids. Idempotent: the same ids again write nothing. */
  seal(notes: ReadonlyArray<{ readonly noteId: string; readonly text: string }>, context: { readonly caseId: string; readonly causation: Causation }): Promise<void>;
  /** The texts of these ids; «slettet person» for one whose people are erased; `null` for one unknown. */
  open(noteIds: readonly string[]): Promise<ReadonlyMap<string, string | null>>;
}

/** Injection token for `NavNoteVault`. */
export const NAV_NOTES = 'nav.NoteVault';

/** NAV's name as a note's owner in the people context: a note is opened only by the context that sealed it. */
export const NAV_NOTE_OWNER = 'nav';

/** A note's id, derived from what caused it: a retry of the same request stores the same note once. */
export function noteIdFor(causationId: string, field: string): string {
  return deterministicId(`nav-note|${causationId}|${field}`);
}

/** `NavNoteVault` on the people context's `HouseholdNotes`: the case's household is its tenancy (or a warning's private lease). */
export class PeopleNoteVault implements NavNoteVault {
  constructor(private readonly notes: HouseholdNotes) {}

  async seal(notes: ReadonlyArray<{ readonly noteId: string; readonly text: string }>, context: { readonly caseId: string; readonly causation: Causation }): Promise<void> {
    const household = parseCaseId(context.caseId);
    if (!household) throw new Error('a note belongs to a case of a household');
    const c = context.causation;
    await this.notes.seal(NAV_NOTE_OWNER, { municipalityNumber: household.municipalityNumber, householdId: household.tenancyId }, notes, {
      correlationId: c.correlationId,
      causationId: c.id,
      actor: c.actor,
      occurredAt: c.now.toISOString(),
    });
  }

  open(noteIds: readonly string[]): Promise<ReadonlyMap<string, string | null>> {
    return this.notes.open(NAV_NOTE_OWNER, noteIds);
  }
}
