import { Inject } from '@nestjs/common';
import { QueryHandler, type IQueryHandler } from '@nestjs/cqrs';
import type { EventStore, EventTypeMap } from '@evp/event-store';
import { EVENT_STORE, EVENT_TYPES } from '@evp/runtime';
import { hasRole, mayActIn, type Caller } from '@evp/auth';
import { MUNICIPALITY_NUMBER, TENANCY_ID } from '@evp/ledger-contract';
import { PERSON_ID } from '@evp/people-domain';
import { PersonKeyStore } from './person-key-store';
import { loadPerson, mayReadPerson, mayReadTenancy, readTenancies, readTenancy } from './person-streams';
import { personView, type PersonView } from './person-views';
import { PERSON_KEY_STORE } from './tokens';

const READERS = ['accounting', 'arrears-team', 'admin', 'nav-adviser'] as const;

/** One person; `undefined` when there is no such person or they are out of the caller's reach (a 404 either way). */
export class GetPersonQuery {
  constructor(
    readonly caller: Caller,
    readonly personId: string,
  ) {}
}

/** A tenancy's current tenants; `undefined` when the tenancy does not exist or is out of reach. */
export class TenancyTenantsQuery {
  constructor(
    readonly caller: Caller,
    readonly municipalityNumber: string,
    readonly tenancyId: string,
  ) {}
}

export interface TenancyTenants {
  readonly municipalityNumber: string;
  readonly tenancyId: string;
  readonly tenants: readonly PersonView[];
}

@QueryHandler(GetPersonQuery)
export class GetPersonHandler implements IQueryHandler<GetPersonQuery, PersonView | undefined> {
  constructor(
    @Inject(EVENT_STORE) private readonly store: EventStore,
    @Inject(EVENT_TYPES) private readonly types: EventTypeMap,
    @Inject(PERSON_KEY_STORE) private readonly keys: PersonKeyStore,
  ) {}

  async execute({ caller, personId }: GetPersonQuery): Promise<PersonView | undefined> {
    if (!PERSON_ID.test(personId) || !hasRole(caller, ...READERS)) return undefined;
    const { person } = await loadPerson(this.store, this.types, personId);
    if (person.status === undefined) return undefined;
    const tenancies = await readTenancies(this.store, this.types, person.tenancies);
    // A person only a § 9-11 warning names (no municipal tenancy) is the admin's to look up, in the
    // warning's municipality: the landlord and NAV read them through their own contexts.
    const named = hasRole(caller, 'admin') && person.households.some((h) => mayActIn(caller, h.municipalityNumber));
    if (!named && !mayReadPerson(caller, personId, tenancies)) return undefined;
    // An erased person's key is not even looked up.
    const key = person.status === 'erased' ? undefined : await this.keys.find(personId);
    return personView(caller, personId, person, key);
  }
}

@QueryHandler(TenancyTenantsQuery)
export class TenancyTenantsHandler implements IQueryHandler<TenancyTenantsQuery, TenancyTenants | undefined> {
  constructor(
    @Inject(EVENT_STORE) private readonly store: EventStore,
    @Inject(EVENT_TYPES) private readonly types: EventTypeMap,
    @Inject(PERSON_KEY_STORE) private readonly keys: PersonKeyStore,
  ) {}

  async execute({ caller, municipalityNumber, tenancyId }: TenancyTenantsQuery): Promise<TenancyTenants | undefined> {
    if (!MUNICIPALITY_NUMBER.test(municipalityNumber) || !TENANCY_ID.test(tenancyId) || !hasRole(caller, ...READERS)) return undefined;
    const tenancy = await readTenancy(this.store, this.types, { municipalityNumber, tenancyId });
    if (!tenancy || !mayReadTenancy(caller, tenancy)) return undefined;
    const people = await Promise.all(tenancy.tenantPersonIds.map(async (id) => ({ id, ...(await loadPerson(this.store, this.types, id)) })));
    const keys = await this.keys.findMany(people.filter((p) => p.person.status !== 'erased').map((p) => p.id));
    return { municipalityNumber, tenancyId, tenants: people.map((p) => personView(caller, p.id, p.person, keys.get(p.id))) };
  }
}

export const PEOPLE_QUERY_HANDLERS = [GetPersonHandler, TenancyTenantsHandler];
