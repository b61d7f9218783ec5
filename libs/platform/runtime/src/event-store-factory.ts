import { Logger } from '@nestjs/common';
import { EventStoreDbEventStore, SqliteEventStore, type EventStore } from '@evp/event-store';
import type { AppConfig } from './config';
import { describeError } from './transient';

export function createEventStore(config: AppConfig): EventStore {
  if (config.EVENT_STORE === 'eventstoredb') {
    const logger = new Logger('EventStore');
    return new EventStoreDbEventStore({
      connectionString: config.EVENTSTORE_CONNECTION_STRING as string,
      // A dropped subscription resubscribes from its last event by itself; operators see each retry.
      onResubscribe: ({ error, attempt, delayMs }) => logger.warn({ msg: 'subscription dropped; resubscribing', attempt, delayMs, err: describeError(error) }),
    });
  }
  return new SqliteEventStore({ file: config.SQLITE_FILE, pollIntervalMs: config.SQLITE_POLL_INTERVAL_MS, busyTimeoutMs: config.SQLITE_BUSY_TIMEOUT_MS });
}
