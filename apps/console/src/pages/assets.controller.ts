import { Controller, Get, Header, Redirect } from '@nestjs/common';
import { Public } from '../auth/access';
import { CONSOLE_CSS } from '../views/console-css';

/** The stylesheet (public: the login page needs it); and `/` until the overview page exists. */
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

/** `/` until the overview page (console-actions) replaces this controller: the search page. */
@Controller()
export class HomeController {
  @Get()
  @Redirect('/search', 303)
  home(): void {}
}
