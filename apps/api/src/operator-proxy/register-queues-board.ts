import { createBullBoard } from '@bull-board/api';
import { BullMQAdapter } from '@bull-board/api/bullMQAdapter';
import { FastifyAdapter } from '@bull-board/fastify';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { Queue } from 'bullmq';
import type { FastifyInstance } from 'fastify';
import type { Clock } from '@evp/shared-kernel';
import { CLOCK, createBullConnection, personIdKey, type AppConfig } from '@evp/runtime';
import { QUEUES_PATH, queuesSessionKey, verifyQueuesSession } from './queues-session';

/** The worker's timer queue (`TimerService`'s default name) under this installation's prefix. */
const DEADLINE_QUEUE = 'deadlines';

/**
 * bull-board at `/admin/queues`, behind the admin check: every request there (page, assets, its
 * api) needs the session cookie from `POST /api/v1/operator/queues-session`. Read-only: a deadline
 * job is derived from the pending-deadline table (the sweeper would recreate a removed one), and
 * changes go through the operator endpoints, which scope by municipality; this board cannot.
 * Call before `listen`.
 */
export async function registerQueuesBoard(app: NestFastifyApplication, config: AppConfig): Promise<void> {
  const clock = app.get<Clock>(CLOCK);
  const key = queuesSessionKey(personIdKey(config));
  const connection = createBullConnection(config.REDIS_URL);
  const queue = new Queue(DEADLINE_QUEUE, { connection, prefix: `${config.REDIS_PREFIX}:bull` });
  const board = new FastifyAdapter();
  board.setBasePath(QUEUES_PATH);
  createBullBoard({ queues: [new BullMQAdapter(queue, { readOnlyMode: true })], serverAdapter: board, options: { uiConfig: { boardTitle: 'Frister' } } });
  await app.register(async (scope: FastifyInstance) => {
    scope.addHook('onRequest', async (request, reply) => {
      if (!verifyQueuesSession(key, request.headers.cookie, Math.floor(clock.now().getTime() / 1000))) {
        await reply
          .status(401)
          .header('content-type', 'text/plain; charset=utf-8')
          .header('cache-control', 'no-store')
          .send('Køoversikten krever innlogging som administrator. Åpne den fra driftssiden i løsningen.');
      }
    });
    await scope.register(board.registerPlugin() as never, { prefix: QUEUES_PATH });
    scope.addHook('onClose', async () => {
      await queue.close();
      connection.disconnect();
    });
  });
}
