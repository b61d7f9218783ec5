import { describeEventStoreContract } from '../contract';
import { EventStoreDbEventStore } from './eventstoredb-event-store';

const connectionString = process.env['EVENTSTORE_CONNECTION_STRING'];

describeEventStoreContract('eventstoredb', {
  create: async () => new EventStoreDbEventStore({ connectionString: connectionString as string }),
  ...(connectionString
    ? {}
    : { skipReason: 'EVENTSTORE_CONNECTION_STRING is not set (no EventStoreDB server here; start infra/docker-compose.yml and set it to run this suite)' }),
});
