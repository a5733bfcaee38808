import { REPORTS_BASE } from '../paths.js';
import { html } from './html.js';
import { layout } from './render-report.js';

/** The sign-in form: one token field, posted (never put in a URL) to /reports/login. */
export const loginPage = (options: { readonly next: string; readonly error?: string }): string =>
  layout({
    title: 'Sign in',
    signedIn: false,
    body: html`<div class="login">
  <h1>Sign in to the regional reports</h1>
  <p>Paste the access token IT gave you (a manager or admin token). This browser stays signed in for 12 hours, or until you sign out; the token itself is not stored in it.</p>
  ${options.error ? html`<p class="form-error" role="alert" id="login-error">${options.error}</p>` : ''}
  <form method="post" action="${REPORTS_BASE}/login" class="login-form">
    <input type="hidden" name="next" value="${options.next}">
    <div class="field">
      <label for="token">Access token</label>
      <input id="token" name="token" type="password" required autocomplete="off" spellcheck="false"${
        options.error ? html` aria-invalid="true" aria-describedby="login-error"` : ''
      } autofocus>
    </div>
    <button type="submit" class="button">Sign in</button>
  </form>
</div>`,
  }).text;

/** A signed-in user whose role may not see reports, or a bad request: a short page with a way on. */
export const messagePage = (options: {
  readonly title: string;
  readonly message: string;
  readonly signIn?: boolean;
}): string =>
  layout({
    title: options.title,
    signedIn: false,
    body: html`<div class="login">
  <h1>${options.title}</h1>
  <p role="alert">${options.message}</p>
  ${options.signIn ? html`<p><a class="button" href="${REPORTS_BASE}/login">Sign in with another token</a></p>` : html`<p><a href="${REPORTS_BASE}/overview">Back to the overview</a></p>`}
</div>`,
  }).text;
