import { Catch, HttpException, NotFoundException, type ArgumentsHost, type ExceptionFilter } from '@nestjs/common';
import type { FastifyReply } from 'fastify';
import type { ServiceContext } from '@hookbus/platform';
import type { ConsoleRequest } from './auth/access';
import { LoginRequired } from './auth/access-guard';
import { errorPage, HTML_CONTENT_TYPE } from './views/layout';

/**
 * Every error as a page: no session → 303 to /login (back here after), an HttpException → its status with its
 * message, anything else → 500 with a generic message (the cause is logged, without the request's data).
 */
@Catch()
export class ConsoleErrors implements ExceptionFilter {
  constructor(private readonly context: ServiceContext) {}

  catch(error: unknown, host: ArgumentsHost): void {
    const http = host.switchToHttp();
    const reply = http.getResponse<FastifyReply>();
    const request = http.getRequest<ConsoleRequest>();
    if (error instanceof LoginRequired) {
      if (error.next) {
        reply.status(303).header('location', `/login?next=${encodeURIComponent(error.next)}`).send();
        return;
      }
      reply.status(401).type(HTML_CONTENT_TYPE).send(errorPage(401, 'Log in first.', undefined));
      return;
    }
    if (error instanceof HttpException) {
      const status = error.getStatus();
      const response = error.getResponse();
      const message = typeof response === 'string' ? response : typeof (response as { message?: unknown }).message === 'string' ? String((response as { message: string }).message) : error.message;
      reply.status(status).type(HTML_CONTENT_TYPE).send(errorPage(status, message, request.consoleSession));
      return;
    }
    this.context.logger.error({ error: error instanceof Error ? error.constructor.name : typeof error, route: request.routeOptions?.url }, 'console: a page failed');
    reply.status(500).type(HTML_CONTENT_TYPE).send(errorPage(500, 'Something failed on our side; the console log says what.', request.consoleSession));
  }
}

/** A page found nothing under its id: a 404 page saying what. */
export class NotFound extends NotFoundException {
  constructor(what: string) {
    super(`${what} not found`);
  }
}
