/**
 * The Content-Security-Policy of every page: scripts only from this origin's build and with this request's
 * nonce ('strict-dynamic' lets those load the chunks they need), nothing else inline, no plugins, no framing,
 * forms only to this origin. Next.js reads the nonce from the request's CSP header (set by the proxy) and puts
 * it on the scripts it renders; pages are rendered per request (the root layout reads the headers), so every
 * response carries a nonce of its own.
 */
export const NONCE_HEADER = "x-nonce";

export function newNonce(): string {
  const bytes = crypto.getRandomValues(new Uint8Array(18));
  return btoa(String.fromCharCode(...bytes));
}

/** `development`: `next dev` also needs eval (React's debugging) and its hot-reload socket. */
export function contentSecurityPolicy(nonce: string, development = false): string {
  return [
    "default-src 'self'",
    `script-src 'self' 'nonce-${nonce}' 'strict-dynamic'${development ? " 'unsafe-eval'" : ""}`,
    `style-src 'self' 'nonce-${nonce}'`,
    "img-src 'self' data:",
    "font-src 'self'",
    `connect-src 'self'${development ? " ws: wss:" : ""}`,
    "object-src 'none'",
    "base-uri 'none'",
    "form-action 'self'",
    "frame-ancestors 'none'",
  ].join("; ");
}
