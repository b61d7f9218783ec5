import type { EventStore } from '@evp/event-store';
import { deterministicId } from '@evp/shared-kernel';
import type { Causation } from '@evp/runtime';

/**
 * Where NAV's free text lives: notes on contacts and follow-ups, the reason for a refusal, a late
 * start or a pause. It is personal data under NAV's duty of confidentiality, so NAV's events carry
 * only a note's id and the text sits behind this port, to be read by the handling office's
 * advisers and erased with the person.
 *
 * The people context's per-person encryption (crypto-shredding) is to take NAV's notes too; until
 * its port offers that, `StreamNoteVault` keeps each note in a stream of its own
 * (`navnote-<id>`), apart from every stream a projection or another context reads, so that moving
 * the texts under encryption or erasing them touches nothing else.
 */
export interface NavNoteVault {
  /** Stores the texts under their ids. Idempotent: the same ids and texts again write nothing. */
  seal(notes: ReadonlyArray<{ readonly noteId: string; readonly text: string }>, context: { readonly caseId: string; readonly causation: Causation }): Promise<void>;
  /** The texts of these ids; `null` for one that is gone (erased) or unknown. */
  open(noteIds: readonly string[]): Promise<ReadonlyMap<string, string | null>>;
}

/** Injection token for `NavNoteVault`. */
export const NAV_NOTES = 'nav.NoteVault';

export const NOTE_STREAM_PREFIX = 'navnote-';
const NOTE_ID = /^[0-9a-f-]{36}$/;

/** A note's id, derived from what caused it: a retry of the same request stores the same note once. */
export function noteIdFor(causationId: string, field: string): string {
  return deterministicId(`nav-note|${causationId}|${field}`);
}

/** The interim vault: one stream per note (see above). */
export class StreamNoteVault implements NavNoteVault {
  constructor(private readonly store: EventStore) {}

  async seal(notes: ReadonlyArray<{ readonly noteId: string; readonly text: string }>, context: { readonly caseId: string; readonly causation: Causation }): Promise<void> {
    for (const note of notes) {
      if (!NOTE_ID.test(note.noteId)) throw new Error('a note id is a derived UUID');
      const c = context.causation;
      await this.store.appendToStream(
        `${NOTE_STREAM_PREFIX}${note.noteId}`,
        [
          {
            id: deterministicId(`nav-note-written|${note.noteId}`),
            type: 'nav.NoteWritten',
            data: { noteId: note.noteId, caseId: context.caseId, text: note.text },
            metadata: { correlationId: c.correlationId, causationId: c.id, actor: c.actor, occurredAt: c.now.toISOString(), schemaVersion: 1 },
          },
        ],
        { expectedRevision: 'any' },
      );
    }
  }

  async open(noteIds: readonly string[]): Promise<ReadonlyMap<string, string | null>> {
    const texts = new Map<string, string | null>();
    for (const id of new Set(noteIds)) {
      if (!NOTE_ID.test(id)) {
        texts.set(id, null);
        continue;
      }
      const [written] = await this.store.readStream(`${NOTE_STREAM_PREFIX}${id}`, { maxCount: 1 });
      const text = (written?.data as { text?: unknown } | undefined)?.text;
      texts.set(id, typeof text === 'string' ? text : null);
    }
    return texts;
  }
}
