import { CanActivate, ExecutionContext, Injectable, SetMetadata, createParamDecorator } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import type { Caller, Role } from './caller';
import { authenticate, type AuthenticatedRequest } from './edge';
import { ProblemException } from './problem';
import { TokenVerifier } from './tokens';

const ROLES_KEY = 'evp:roles';
const PUBLIC_KEY = 'evp:public';

/** The roles allowed to call an endpoint; ownership is checked per object in the handler. */
export const Roles = (...roles: Role[]) => SetMetadata(ROLES_KEY, roles);
/** Endpoints without a token: health and the OpenAPI document only (the edge's `isPublic` must name them too). */
export const Public = () => SetMetadata(PUBLIC_KEY, true);

export const CurrentCaller = createParamDecorator((_: unknown, ctx: ExecutionContext): Caller => {
  const caller = ctx.switchToHttp().getRequest<AuthenticatedRequest>().caller;
  if (!caller) throw new ProblemException({ kind: 'unauthorized' });
  return caller;
});

/**
 * Roles, per endpoint. The token itself is verified at the HTTP edge (`installHttpEdge`), before
 * the body is read, and the Caller it found is reused here; only a request that did not pass the
 * edge (an app built without it, as in a unit test) has its token verified here.
 */
@Injectable()
export class AuthGuard implements CanActivate {
  constructor(
    private readonly verifier: TokenVerifier,
    private readonly reflector: Reflector,
  ) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    const targets = [context.getHandler(), context.getClass()];
    if (this.reflector.getAllAndOverride<boolean>(PUBLIC_KEY, targets)) return true;
    const request = context.switchToHttp().getRequest<AuthenticatedRequest & { headers: Record<string, string | string[] | undefined> }>();
    if (!request.caller) {
      request.caller = await authenticate(this.verifier, request.headers['authorization']);
      if (request.raw) request.raw.caller = request.caller;
    }
    const caller = request.caller;
    const allowed = this.reflector.getAllAndOverride<Role[] | undefined>(ROLES_KEY, targets);
    // Every endpoint must say who may call it: no roles declared means nobody.
    if (!allowed || !caller.roles.some((r) => allowed.includes(r))) {
      const roles = allowed?.length ? allowed.join(', ') : '(ingen)';
      throw new ProblemException({ kind: 'forbidden', detail: `Krever en av rollene ${roles}.` });
    }
    return true;
  }
}
