import { Controller, Get, Inject } from '@nestjs/common';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import { osloDate, type Clock } from '@evp/shared-kernel';
import { APP_CONFIG, CLOCK, authDevKeyEnabled, oidcProvidersFrom, type AppConfig, type OidcProvider } from '@evp/runtime';
import { Public } from '@evp/auth';

export interface PublicAppConfig {
  /** `development`, `test` or `production`. */
  readonly environment: AppConfig['NODE_ENV'];
  /** Today in Norway by the server's clock (the business clock in tests): defaults and «not in the future» checks use it. */
  readonly today: string;
  /** Whether `POST /api/dev/token` exists: the sign-in page offers «choose a role» only then. */
  readonly devSignIn: boolean;
  /** The OpenID Connect providers to offer (staff: Entra ID; landlords: ID-porten); null when none is configured. */
  readonly oidc: readonly OidcProvider[] | null;
}

/** What the web app needs to know before anyone has signed in. Public, and holds nothing secret. */
@ApiTags('web')
@Controller('api')
export class AppConfigController {
  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    @Inject(CLOCK) private readonly clock: Clock,
  ) {}

  @Get('config')
  @Public()
  @ApiOperation({ summary: 'Oppsett for webappen: miljø, dagens dato, utviklingsinnlogging og OpenID Connect-leverandører.' })
  get(): PublicAppConfig {
    const providers = oidcProvidersFrom(this.config);
    return { environment: this.config.NODE_ENV, today: osloDate(this.clock.now()), devSignIn: authDevKeyEnabled(this.config), oidc: providers.length ? providers : null };
  }
}
