import { CanActivate, ExecutionContext, ForbiddenException, Injectable, SetMetadata, UnauthorizedException, createParamDecorator } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import type { Caller, Role } from './caller';
import { InvalidTokenError, TokenVerifier } from './tokens';

const ROLES_KEY = 'evp:roles';
const PUBLIC_KEY = 'evp:public';

/** The roles allowed to call an endpoint; ownership is checked per object in the handler. */
export const Roles = (...roles: Role[]) => SetMetadata(ROLES_KEY, roles);
/** Endpoints without a token: health and the OpenAPI document only. */
export const Public = () => SetMetadata(PUBLIC_KEY, true);

export const CurrentCaller = createParamDecorator((_: unknown, ctx: ExecutionContext): Caller => {
  const caller = ctx.switchToHttp().getRequest<{ caller?: Caller }>().caller;
  if (!caller) throw new UnauthorizedException({ field: 'Authorization', reason: 'missing bearer token' });
  return caller;
});

@Injectable()
export class AuthGuard implements CanActivate {
  constructor(
    private readonly verifier: TokenVerifier,
    private readonly reflector: Reflector,
  ) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    const targets = [context.getHandler(), context.getClass()];
    if (this.reflector.getAllAndOverride<boolean>(PUBLIC_KEY, targets)) return true;
    const request = context.switchToHttp().getRequest<{ headers: Record<string, string | undefined>; caller?: Caller; raw?: { caller?: Caller } }>();
    const header = request.headers['authorization'];
    if (!header?.startsWith('Bearer ')) {
      throw new UnauthorizedException({ error: 'Unauthorized', field: 'Authorization', reason: 'mangler Bearer-token' });
    }
    try {
      request.caller = await this.verifier.verify(header.slice('Bearer '.length).trim());
      // The request log line names who asked (opaque actor id and roles): every read and write is attributable.
      if (request.raw) request.raw.caller = request.caller;
    } catch (error) {
      if (error instanceof InvalidTokenError) throw new UnauthorizedException({ error: 'Unauthorized', field: 'Authorization', reason: error.message });
      throw error;
    }
    const allowed = this.reflector.getAllAndOverride<Role[] | undefined>(ROLES_KEY, targets);
    // Every endpoint must say who may call it: no roles declared means nobody.
    if (!allowed || !request.caller.roles.some((r) => allowed.includes(r))) {
      throw new ForbiddenException({ error: 'Forbidden', field: 'roles', reason: `krever en av rollene ${(allowed ?? []).join(', ') || '(ingen)'}` });
    }
    return true;
  }
}
