import { Controller, Get, Header } from '@nestjs/common';
import { Public } from '../auth/access';
import { CONSOLE_CSS } from '../views/console-css';

/** The stylesheet (public: the login page needs it). `/` is the overview (overview.controller.ts). */
@Controller()
export class AssetsController {
  @Public()
  @Get('assets/console.css')
  @Header('content-type', 'text/css; charset=utf-8')
  @Header('cache-control', 'public, max-age=300')
  css(): string {
    return CONSOLE_CSS;
  }
}
