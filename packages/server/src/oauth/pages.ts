/**
 * The HTML pages of the authorization endpoint: sign-in, the steps a first sign-in owes (password change,
 * authenticator set-up), patient picker, consent, errors. Plain server-rendered
 * HTML with labels and headings, one inline style sheet, no scripts and nothing loaded from elsewhere; every
 * value is escaped.
 */

export function escapeHtml(s: string): string {
  return s.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);
}

const STYLE = `
body{font-family:system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;margin:0;background:#f4f5f7;color:#1b1f24;line-height:1.5}
main{max-width:30rem;margin:3rem auto;background:#fff;padding:2rem;border-radius:8px;box-shadow:0 1px 3px rgba(0,0,0,.15)}
h1{font-size:1.4rem;margin-top:0}label{display:block;font-weight:600;margin-top:1rem}
input[type=text],input[type=password],input[type=search]{width:100%;box-sizing:border-box;padding:.6rem;font-size:1rem;border:1px solid #8a939e;border-radius:4px}
input:focus,button:focus{outline:3px solid #1f6feb;outline-offset:1px}
button{margin-top:1.25rem;padding:.6rem 1.2rem;font-size:1rem;border-radius:4px;border:1px solid #1f4e96;background:#1f5fbf;color:#fff;cursor:pointer}
button.secondary{background:#fff;color:#1f4e96}
.error{background:#fdecea;border:1px solid #c62828;color:#7f1d1d;padding:.75rem;border-radius:4px}
.note{color:#4a5360;font-size:.95rem}ul{padding-left:1.25rem}li{margin:.3rem 0}
.actions{display:flex;gap:.75rem;flex-wrap:wrap}.patients form{margin:0}.patients button{margin-top:.5rem;width:100%;text-align:left}
.secret{font-family:ui-monospace,SFMono-Regular,Menlo,Consolas,monospace;font-size:1.15rem;word-spacing:.35em;background:#f4f5f7;padding:.5rem .75rem;border-radius:4px;display:inline-block}
.uri{font-family:ui-monospace,SFMono-Regular,Menlo,Consolas,monospace;font-size:.85rem;overflow-wrap:anywhere}
`;

function layout(title: string, body: string): string {
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeHtml(title)} · Confide</title>
<style>${STYLE}</style>
</head>
<body>
<main>
${body}
</main>
</body>
</html>`;
}

export type Hidden = ReadonlyArray<readonly [string, string]>;

function hiddenFields(hidden: Hidden): string {
  return hidden.map(([n, v]) => `<input type="hidden" name="${escapeHtml(n)}" value="${escapeHtml(v)}">`).join('\n');
}

function errorBox(message: string | undefined): string {
  return message ? `<p class="error" role="alert" id="form-error">${escapeHtml(message)}</p>` : '';
}

export interface SignInPageInput {
  action: string;
  hidden: Hidden;
  csrf: string;
  clientName: string;
  username?: string;
  message?: string;
  /** The account uses a one-time code and must enter it now. */
  codeRequired?: boolean;
}

export function signInPage(p: SignInPageInput): string {
  const described = p.message ? ' aria-describedby="form-error"' : '';
  return layout(
    'Sign in',
    `<h1>Sign in to Confide</h1>
<p class="note">${escapeHtml(p.clientName)} is asking to connect to your Confide account.</p>
${errorBox(p.message)}
<form method="post" action="${escapeHtml(p.action)}" autocomplete="on">
${hiddenFields(p.hidden)}
<input type="hidden" name="_step" value="signin">
<input type="hidden" name="_csrf" value="${escapeHtml(p.csrf)}">
<label for="username">Username</label>
<input type="text" id="username" name="username" autocomplete="username" autocapitalize="none" spellcheck="false" required value="${escapeHtml(p.username ?? '')}"${described}${p.codeRequired ? '' : ' autofocus'}>
<label for="password">Password</label>
<input type="password" id="password" name="password" autocomplete="current-password" required>
<label for="totp">One-time code${p.codeRequired ? '' : ' <span class="note">(if your account uses an authenticator app)</span>'}</label>
<input type="text" id="totp" name="totp" inputmode="numeric" autocomplete="one-time-code" pattern="[0-9 ]*" maxlength="8"${p.codeRequired ? ' required autofocus' : ''}>
<button type="submit">Sign in</button>
</form>`,
  );
}

export interface PasswordChangePageInput {
  action: string;
  hidden: Hidden;
  csrf: string;
  clientName: string;
  username: string;
  /** The shortest password the policy accepts. */
  minLength: number;
  message?: string;
}

/** A first sign-in with a generated (or reset) password: the account holder chooses their own. */
export function passwordChangePage(p: PasswordChangePageInput): string {
  const described = p.message ? ' aria-describedby="form-error new-password-hint"' : ' aria-describedby="new-password-hint"';
  return layout(
    'Choose a new password',
    `<h1>Choose a new password</h1>
<p>You are signed in as <strong>${escapeHtml(p.username)}</strong>. Your password was set for you and must be changed before ${escapeHtml(p.clientName)} can connect.</p>
${errorBox(p.message)}
<form method="post" action="${escapeHtml(p.action)}">
${hiddenFields(p.hidden)}
<input type="hidden" name="_step" value="password">
<input type="hidden" name="_csrf" value="${escapeHtml(p.csrf)}">
<input type="text" autocomplete="username" value="${escapeHtml(p.username)}" readonly hidden>
<label for="current-password">Current password</label>
<input type="password" id="current-password" name="current_password" autocomplete="current-password" required${p.message ? '' : ' autofocus'}>
<label for="new-password">New password</label>
<p class="note" id="new-password-hint">At least ${p.minLength} characters. A phrase of several words is easy to remember and hard to guess; it must not contain your username.</p>
<input type="password" id="new-password" name="new_password" autocomplete="new-password" minlength="${p.minLength}" required${described}${p.message ? ' autofocus' : ''}>
<label for="confirm-password">New password again</label>
<input type="password" id="confirm-password" name="confirm_password" autocomplete="new-password" minlength="${p.minLength}" required>
<button type="submit">Change password</button>
</form>`,
  );
}

export interface TotpEnrollPageInput {
  action: string;
  hidden: Hidden;
  csrf: string;
  clientName: string;
  username: string;
  /** The new TOTP secret (Base32); shown on this page only, never put in a URL. */
  secret: string;
  /** Its `otpauth://` URI. */
  uri: string;
  message?: string;
}

/** Groups of four characters, easier to copy by hand. */
export function groupSecret(secret: string): string {
  return (secret.match(/.{1,4}/g) ?? []).join(' ');
}

/**
 * Setting up an authenticator app: the key as text (no QR code, nothing loaded from elsewhere) and the
 * `otpauth://` link, then the first code. The key travels back in a hidden field so that a mistyped code shows
 * the same key again rather than a new one the app does not have.
 */
export function totpEnrollPage(p: TotpEnrollPageInput): string {
  const described = p.message ? ' aria-describedby="form-error"' : '';
  return layout(
    'Set up your authenticator app',
    `<h1>Set up your authenticator app</h1>
<p>You are signed in as <strong>${escapeHtml(p.username)}</strong>. Your account must use a one-time code from an authenticator app before ${escapeHtml(p.clientName)} can connect.</p>
${errorBox(p.message)}
<ol>
<li>In your authenticator app, add an account and choose to enter a key by hand (time-based).</li>
<li>Enter this key (the spaces do not matter):<br><code class="secret" id="totp-secret">${escapeHtml(groupSecret(p.secret))}</code></li>
<li>Type the 6-digit code the app now shows.</li>
</ol>
<details>
<summary>Set-up link for apps that accept one</summary>
<p class="uri" id="totp-uri">${escapeHtml(p.uri)}</p>
</details>
<p class="note">Reloading this page makes a new key, and the key shown before stops working.</p>
<form method="post" action="${escapeHtml(p.action)}" autocomplete="off">
${hiddenFields(p.hidden)}
<input type="hidden" name="_step" value="enrol">
<input type="hidden" name="_csrf" value="${escapeHtml(p.csrf)}">
<input type="hidden" name="_secret" value="${escapeHtml(p.secret)}">
<label for="totp">One-time code</label>
<input type="text" id="totp" name="totp" inputmode="numeric" autocomplete="one-time-code" pattern="[0-9 ]*" maxlength="8" required autofocus${described}>
<button type="submit">Confirm</button>
</form>`,
  );
}

export interface PatientChoice {
  id: string;
  label: string;
}

export interface PickerPageInput {
  action: string;
  hidden: Hidden;
  csrf: string;
  clientName: string;
  query: string;
  results: PatientChoice[] | undefined;
}

export function pickerPage(p: PickerPageInput): string {
  const results =
    p.results === undefined
      ? ''
      : p.results.length === 0
        ? '<p role="status">No patient found with that name.</p>'
        : `<h2>Patients</h2><div class="patients" role="list">${p.results
            .map(
              (r) => `<form method="post" action="${escapeHtml(p.action)}" role="listitem">
${hiddenFields(p.hidden)}
<input type="hidden" name="_step" value="patient">
<input type="hidden" name="_csrf" value="${escapeHtml(p.csrf)}">
<input type="hidden" name="_patient" value="${escapeHtml(r.id)}">
<button type="submit" class="secondary">${escapeHtml(r.label)}</button>
</form>`,
            )
            .join('\n')}</div>`;
  return layout(
    'Choose a patient',
    `<h1>Choose a patient</h1>
<p class="note">${escapeHtml(p.clientName)} works with one patient at a time.</p>
<form method="get" action="${escapeHtml(p.action)}" role="search">
${hiddenFields(p.hidden)}
<label for="q">Patient name</label>
<input type="search" id="q" name="_q" value="${escapeHtml(p.query)}" required autofocus>
<button type="submit">Search</button>
</form>
${results}`,
  );
}

export interface ConsentPageInput {
  action: string;
  hidden: Hidden;
  csrf: string;
  clientName: string;
  username: string;
  permissions: string[];
  patientLabel?: string;
}

export function consentPage(p: ConsentPageInput): string {
  return layout(
    'Allow access?',
    `<h1>Allow ${escapeHtml(p.clientName)} to use your Confide account?</h1>
<p>You are signed in as <strong>${escapeHtml(p.username)}</strong>.</p>
${p.patientLabel ? `<p>Patient: <strong>${escapeHtml(p.patientLabel)}</strong></p>` : ''}
<h2 id="asks">It will be able to</h2>
<ul aria-labelledby="asks">
${p.permissions.map((x) => `<li>${escapeHtml(x)}</li>`).join('\n')}
</ul>
<p class="note">It sees only what your own account may see. You can take this access back at any time.</p>
<form method="post" action="${escapeHtml(p.action)}">
${hiddenFields(p.hidden)}
<input type="hidden" name="_step" value="consent">
<input type="hidden" name="_csrf" value="${escapeHtml(p.csrf)}">
<div class="actions">
<button type="submit" name="_decision" value="allow">Allow</button>
<button type="submit" name="_decision" value="deny" class="secondary">Deny</button>
</div>
</form>`,
  );
}

export function errorPage(title: string, message: string): string {
  return layout(title, `<h1>${escapeHtml(title)}</h1>\n<p class="error" role="alert">${escapeHtml(message)}</p>`);
}
