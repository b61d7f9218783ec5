import { ArgumentsHost, Catch, HttpException, Logger, type ExceptionFilter } from '@nestjs/common';
import type { FastifyReply } from 'fastify';
import { EventStoreError, WrongExpectedRevisionError } from '@evp/event-store';
import { InputRejectedError } from '@evp/ledger-application';
import { CaseRuleError } from '@evp/cases-domain';
import type { ZodError } from 'zod';

/** One shape for every error the api returns: what went wrong, and per field why. Bokmål for people. */
export interface ErrorBody {
  readonly error: string;
  readonly message: string;
  readonly errors?: ReadonlyArray<{ line: number | null; column: string | null; reason: string }>;
}

export class RequestValidationError extends Error {
  constructor(
    readonly errors: ReadonlyArray<{ line: number | null; column: string | null; reason: string }>,
    /** How many errors there were in all; `errors` may list only the first of them. */
    readonly total: number = errors.length,
  ) {
    super('validation failed');
  }
  static fromZod(error: ZodError): RequestValidationError {
    return new RequestValidationError(error.issues.map((i) => ({ line: null, column: i.path.join('.') || null, reason: i.message })));
  }
}

export class UnsupportedMediaTypeError extends Error {}

const STATUS_NAMES: Record<number, string> = { 400: 'BadRequest', 401: 'Unauthorized', 403: 'Forbidden', 404: 'NotFound', 409: 'Conflict', 413: 'PayloadTooLarge', 415: 'UnsupportedMediaType', 422: 'ValidationFailed' };

@Catch()
export class ApiExceptionFilter implements ExceptionFilter {
  private readonly logger = new Logger('Api');

  catch(exception: unknown, host: ArgumentsHost): void {
    const reply = host.switchToHttp().getResponse<FastifyReply>();
    const [status, body] = this.toResponse(exception);
    if (status >= 500) this.logger.error({ err: exception instanceof Error ? `${exception.name}: ${exception.message}` : 'unknown', msg: 'request failed' });
    void reply.status(status).send(body);
  }

  private toResponse(exception: unknown): [number, ErrorBody] {
    if (exception instanceof RequestValidationError) {
      const shown = exception.errors.length < exception.total ? `; de første ${exception.errors.length} vises` : '';
      return [422, { error: 'ValidationFailed', message: `${exception.total} feil i forespørselen${shown}; ingenting er lagret`, errors: exception.errors }];
    }
    if (exception instanceof InputRejectedError) {
      const status = exception.kind === 'conflict' ? 409 : exception.kind === 'forbidden' ? 403 : 422;
      const error = exception.kind === 'conflict' ? 'VoucherConflict' : exception.kind === 'forbidden' ? 'Forbidden' : 'ValidationFailed';
      return [status, { error, message: exception.message, errors: exception.errors }];
    }
    if (exception instanceof UnsupportedMediaTypeError) return [415, { error: 'UnsupportedMediaType', message: exception.message }];
    if (exception instanceof CaseRuleError) {
      return exception.code === 'CASE_NOT_FOUND' ? [404, { error: 'NotFound', message: 'Finnes ikke' }] : [409, { error: 'CaseClosed', message: exception.message }];
    }
    if (exception instanceof WrongExpectedRevisionError) return [409, { error: 'Conflict', message: 'Noen andre endret det samme samtidig; prøv igjen' }];
    if (exception instanceof EventStoreError && exception.code !== 'EVENT_STORE_UNAVAILABLE') return [422, { error: exception.code, message: exception.message }];
    if (exception instanceof HttpException) {
      const response = exception.getResponse();
      const body = typeof response === 'object' ? (response as Record<string, unknown>) : { message: response };
      const status = exception.getStatus();
      return [status, { error: String(body['error'] ?? STATUS_NAMES[status] ?? 'Error'), message: status === 415 ? 'Ukjent innholdstype' : String(body['message'] ?? body['reason'] ?? exception.message), ...(body['errors'] ? { errors: body['errors'] as ErrorBody['errors'] } : body['field'] ? { errors: [{ line: null, column: String(body['field']), reason: String(body['reason']) }] } : {}) }];
    }
    const fastifyError = exception as { statusCode?: number; code?: string; message?: string };
    if (typeof fastifyError.statusCode === 'number' && fastifyError.statusCode < 500) {
      if (fastifyError.statusCode === 413) return [413, { error: 'PayloadTooLarge', message: 'Filen eller forespørselen er for stor' }];
      if (fastifyError.statusCode === 415) return [415, { error: 'UnsupportedMediaType', message: fastifyError.message ?? 'Ukjent innholdstype' }];
      return [fastifyError.statusCode, { error: fastifyError.code ?? 'BadRequest', message: fastifyError.message ?? 'Ugyldig forespørsel' }];
    }
    return [503, { error: 'Unavailable', message: 'Tjenesten er midlertidig utilgjengelig; prøv igjen' }];
  }
}
