import { SqliteEventStore, type RecordedEvent } from '@evp/event-store';
import type { TestSystem } from './system';

/** Every event of every case stream in the system's event store, read from the file as it is now. */
export async function caseEventsOf(system: TestSystem): Promise<RecordedEvent[]> {
  const store = new SqliteEventStore({ file: system.env()['SQLITE_FILE'] as string });
  try {
    return await store.readAll({ filter: { streamPrefixes: ['case-'] } });
  } finally {
    await store.close();
  }
}

/** How many events of `type` each stream holds: to prove a case opened or escalated exactly once. */
export function countPerStream(events: readonly RecordedEvent[], type: string): Map<string, number> {
  const counts = new Map<string, number>();
  for (const e of events) if (e.type === type) counts.set(e.streamName, (counts.get(e.streamName) ?? 0) + 1);
  return counts;
}
