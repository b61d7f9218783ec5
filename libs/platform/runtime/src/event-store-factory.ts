import { EventStoreDbEventStore, SqliteEventStore, type EventStore } from '@evp/event-store';
import type { AppConfig } from './config';

export function createEventStore(config: AppConfig): EventStore {
  if (config.EVENT_STORE === 'eventstoredb') {
    return new EventStoreDbEventStore({ connectionString: config.EVENTSTORE_CONNECTION_STRING as string });
  }
  return new SqliteEventStore({ file: config.SQLITE_FILE, pollIntervalMs: config.SQLITE_POLL_INTERVAL_MS, busyTimeoutMs: config.SQLITE_BUSY_TIMEOUT_MS });
}
