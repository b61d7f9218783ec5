import { Body, Controller, HttpCode, Inject, NotFoundException, Post, Req } from '@nestjs/common';
import { ApiBody, ApiOperation, ApiTags } from '@nestjs/swagger';
import type { FastifyRequest } from 'fastify';
import { z } from 'zod';
import type { Clock } from '@evp/shared-kernel';
import { APP_CONFIG, CLOCK, authDevKeyEnabled, type AppConfig } from '@evp/runtime';
import { Public, ROLES, mintDevToken } from '@evp/auth';
import { RequestValidationError } from '../http/errors';
import { requireJson } from '../http/request';

const IDENTITY_NUMBER = /^\d{11}$/;

const body = z
  .object({
    role: z.enum(ROLES, { message: `må være en av ${ROLES.join(', ')}` }),
    municipalities: z.array(z.string().regex(/^\d{4}$/, 'må være et kommunenummer (fire siffer)')).min(1, 'må ha minst én kommune').max(400),
    navOffice: z.string().regex(/^[a-z0-9][a-z0-9-]{1,59}$/, 'må være et NAV-kontor som nav-stjordal').optional(),
    landlordId: z
      .string()
      .regex(/^[A-Za-z0-9][A-Za-z0-9_.-]{0,59}$/, 'må være bokstaver, siffer, _ . -')
      .refine((v) => !IDENTITY_NUMBER.test(v), 'kan ikke være et fødselsnummer')
      .optional(),
  })
  .strict()
  .superRefine((b, ctx) => {
    if ((b.role === 'nav-adviser' || b.role === 'nav-lead') && !b.navOffice) ctx.addIssue({ code: 'custom', path: ['navOffice'], message: 'må oppgis for en NAV-veileder eller NAV-leder' });
    if (b.role === 'landlord' && !b.landlordId) ctx.addIssue({ code: 'custom', path: ['landlordId'], message: 'må oppgis for en utleier' });
  });

/**
 * Development and test only: the sign-in page's «choose who you are». Registered in the module only
 * when the development key is on (never in production, where the route does not exist), and it
 * checks again here. Tokens are signed with the public development key, which a production server
 * refuses anyway.
 */
@ApiTags('development')
@Controller('api/dev')
export class DevTokenController {
  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    @Inject(CLOCK) private readonly clock: Clock,
  ) {}

  @Post('token')
  @Public()
  @HttpCode(200)
  @ApiOperation({ summary: 'Bare i utvikling og test: lag et token for en rolle, kommuner og eventuelt NAV-kontor eller utleier.' })
  @ApiBody({ schema: { example: { role: 'arrears-team', municipalities: ['5035'] } } })
  async token(@Req() request: FastifyRequest, @Body() input: unknown): Promise<{ token: string; expiresAt: string }> {
    if (!authDevKeyEnabled(this.config)) throw new NotFoundException({ error: 'NotFound', message: 'Finnes ikke' });
    requireJson(request);
    const parsed = body.safeParse(input ?? {});
    if (!parsed.success) throw RequestValidationError.fromZod(parsed.error);
    const { role, municipalities, navOffice, landlordId } = parsed.data;
    const now = this.clock.now();
    // As long as the verifier accepts, and no longer: the same maximum bounds every token.
    const lifetimeSeconds = this.config.AUTH_MAX_TOKEN_LIFETIME_SECONDS;
    // One stable person per choice, so the audit trail of a development session reads as one actor.
    const sub = `dev-${role}-${navOffice ?? landlordId ?? [...municipalities].sort().join('.')}`;
    const token = await mintDevToken({
      issuer: this.config.AUTH_ISSUER,
      audience: this.config.AUTH_AUDIENCE,
      sub,
      roles: [role],
      municipalities: [...new Set(municipalities)],
      ...(navOffice ? { navOffice } : {}),
      ...(landlordId ? { landlordId } : {}),
      lifetimeSeconds,
      now,
    });
    const issuedAt = Math.floor(now.getTime() / 1000);
    return { token, expiresAt: new Date((issuedAt + lifetimeSeconds) * 1000).toISOString() };
  }
}
