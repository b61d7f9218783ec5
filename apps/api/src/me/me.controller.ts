import { Controller, Get, Header } from '@nestjs/common';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import { CurrentCaller, ROLES, Roles, type Caller, type Role } from '@evp/auth';
import { ApiErrors } from '../http/openapi';

/** Who the api takes the caller to be: what the web app shows and which pages it offers. */
export interface MeView {
  readonly roles: readonly Role[];
  readonly municipalities: readonly string[];
  readonly navOffice: string | null;
  /** A landlord's own (opaque) id; null for everyone else. */
  readonly landlordId: string | null;
}

/**
 * `GET /api/v1/me`: the Caller the api made of the bearer token. A token from Entra ID or ID-porten
 * carries none of our claims (its roles and municipalities come from the api's mapping), so the web
 * app asks here instead of reading the token. Nothing in the answer is an identity number or a name:
 * not the token's `sub` or `pid`, not even the opaque actor id.
 */
@ApiTags('web')
@Controller('api/v1')
export class MeController {
  @Get('me')
  @Roles(...ROLES)
  @Header('cache-control', 'no-store')
  @ApiErrors()
  @ApiOperation({ summary: 'Den innloggede: roller, kommuner, NAV-kontor og utleier-id slik api-et leser tokenet. Ingen fødselsnummer eller navn. 403 når tokenet er ekte, men ikke gir noen rolle eller kommune her.' })
  me(@CurrentCaller() caller: Caller): MeView {
    return { roles: [...caller.roles], municipalities: [...caller.municipalities], navOffice: caller.navOffice, landlordId: caller.landlordId };
  }
}
