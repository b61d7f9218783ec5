import 'reflect-metadata';
import { loadConfigOrExit } from '@evp/runtime';
import { createWorker } from './bootstrap';

async function main(): Promise<void> {
  const config = loadConfigOrExit();
  const app = await createWorker(config);
  await app.listen({ host: config.WORKER_HOST, port: config.WORKER_PORT });
}

void main();
