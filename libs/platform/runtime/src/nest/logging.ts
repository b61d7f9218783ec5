import { maskIdentityNumbers } from '@evp/auth';
import { RequestMethod } from '@nestjs/common';
import type { Params } from 'nestjs-pino';
import type { AppConfig } from '../config';

/**
 * Structured logs. Request bodies are never logged, and anything that could carry personal data
 * or credentials is redacted, so no identity number or name reaches a log line (DOMAIN.md).
 */
export function loggerParams(config: AppConfig, service: string): Params {
  return {
    // Health checks are polled every few seconds; their request lines would drown the rest.
    exclude: [
      { method: RequestMethod.GET, path: 'health' },
      { method: RequestMethod.GET, path: 'health/live' },
    ],
    pinoHttp: {
      level: config.LOG_LEVEL,
      base: { service },
      redact: {
        paths: ['req.headers.authorization', 'req.headers.cookie', 'req.body', 'res.body', '*.nationalId', '*.name', '*.tenants'],
        censor: '[redacted]',
      },
      serializers: {
        // Paths are the client's text: an identity number put in one never reaches a log line.
        req: (req: { id?: unknown; method?: string; url?: string }) => ({ id: req.id, method: req.method, url: maskIdentityNumbers(stripQuery(req.url) ?? '') }),
      },
      customProps: (req) => {
        const caller = (req as { caller?: { actorId: string; roles: readonly string[] } }).caller;
        return caller ? { actor: caller.actorId, roles: caller.roles } : {};
      },
    },
  };
}

/** Query strings can carry search terms; they stay out of logs. */
function stripQuery(url: string | undefined): string | undefined {
  return url?.split('?')[0];
}
