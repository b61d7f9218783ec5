import type { ModuleRef } from '@nestjs/core';
import { PEOPLE_RECORDS, type PeopleDirectory, type PersonDescription, type PersonStreamAppend, type PersonToRecord } from '@evp/people-contract';

/**
 * The people context's `PeopleDirectory` as the warnings api module injects it. The api module owns
 * the one person-key store and the implementation (`StreamPeopleRecords`); this feature module is imported by it, so it cannot inject its providers and resolve them
 * on use instead (by a token this module does not provide itself). Nothing here knows how people are stored: the contexts see only the contract.
 */
export class LazyPeopleDirectory implements PeopleDirectory {
  constructor(private readonly moduleRef: ModuleRef) {}

  // The api module's `PEOPLE_RECORDS` is `StreamPeopleRecords`, which is the directory too; resolving
  // that token (never PEOPLE_DIRECTORY, which this very class provides) cannot find itself.
  private get target(): PeopleDirectory {
    return this.moduleRef.get<PeopleDirectory>(PEOPLE_RECORDS, { strict: false });
  }

  preparePeople(people: readonly PersonToRecord[]): Promise<readonly PersonStreamAppend[]> {
    return this.target.preparePeople(people);
  }

  describe(personIds: readonly string[]): Promise<ReadonlyMap<string, PersonDescription>> {
    return this.target.describe(personIds);
  }
}
