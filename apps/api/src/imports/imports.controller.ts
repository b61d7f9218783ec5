import { Controller, Get, Query } from '@nestjs/common';
import { QueryBus } from '@nestjs/cqrs';
import { ApiOperation, ApiQuery, ApiTags } from '@nestjs/swagger';
import { z } from 'zod';
import { CurrentCaller, Roles, type Caller } from '@evp/auth';
import { ListImportsQuery } from '@evp/ledger-application';
import { ApiErrors } from '../http/openapi';
import { cursorOf, cursorParam, limitParam, municipalityFor, municipalityParam, parsed } from '../web/query-params';

const importsQuery = z.object({ municipality: municipalityParam.optional(), cursor: cursorParam, limit: limitParam });

/** Accounting's import history: every accepted file or request of postings or tenancies, newest first. */
@ApiTags('ledger')
@Controller('api/v1/ledger')
export class ImportsController {
  constructor(private readonly queries: QueryBus) {}

  @Get('imports')
  @Roles('accounting', 'admin')
  @ApiOperation({ summary: 'Importhistorikk for en kommune: hver godtatt fil eller forespørsel med posteringer eller leieforhold, nyeste først.' })
  @ApiQuery({ name: 'municipality', required: false, example: '5035' })
  @ApiQuery({ name: 'cursor', required: false, description: 'nextCursor fra forrige side' })
  @ApiQuery({ name: 'limit', required: false })
  @ApiErrors([422, 'Ugyldig spørring'])
  list(@CurrentCaller() caller: Caller, @Query() query: unknown) {
    const q = parsed(importsQuery, query);
    return this.queries.execute(new ListImportsQuery(caller, municipalityFor(caller, q.municipality), cursorOf(q.cursor), q.limit));
  }
}
