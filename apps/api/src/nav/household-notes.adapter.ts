import type { ModuleRef } from '@nestjs/core';
import { HOUSEHOLD_NOTES, type HouseholdNotes, type HouseholdRef, type NoteMetadata } from '@evp/people-contract';

/**
 * The people context's `HouseholdNotes` for NAV's api module, resolved on use: the api module owns
 * the person-key store and `StreamHouseholdNotes`, and imports this module, so it cannot be
 * injected here. NAV's module provides NAV_NOTES, never HOUSEHOLD_NOTES, so this finds the api's.
 */
export class LazyHouseholdNotes implements HouseholdNotes {
  constructor(private readonly moduleRef: ModuleRef) {}

  private get target(): HouseholdNotes {
    return this.moduleRef.get<HouseholdNotes>(HOUSEHOLD_NOTES, { strict: false });
  }

  seal(owner: string, household: HouseholdRef, notes: ReadonlyArray<{ readonly noteId: string; readonly text: string }>, metadata: NoteMetadata): Promise<void> {
    return this.target.seal(owner, household, notes, metadata);
  }

  open(owner: string, noteIds: readonly string[]): Promise<ReadonlyMap<string, string | null>> {
    return this.target.open(owner, noteIds);
  }
}
