import 'reflect-metadata';
import { loadConfigOrExit } from '@evp/runtime';
import { createApi } from './bootstrap';

async function main(): Promise<void> {
  const config = loadConfigOrExit();
  const app = await createApi(config);
  await app.listen({ host: config.API_HOST, port: config.API_PORT });
}

void main();
