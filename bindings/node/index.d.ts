// Types of cookieseal for Node.js (the C ABI's Codec, SessionManager and a
// request's session, with Express, Fastify and Next.js adapters).

/** Session values: JSON kinds, and Buffers (bytes). */
/** A user object sealed by C++ (cookieseal/cereal.hpp): its type name and bytes (Python's and Go's Object). */
declare class SealedObject {
  constructor(typeName: string, data: Uint8Array);
  readonly typeName: string;
  readonly data: Buffer;
}
export { SealedObject as Object };

/** Any key round-trips, "$bytes" included (FORMAT.md section 6 escapes it on the way). */
export type Value = null | boolean | number | string | Buffer | SealedObject | Value[] | { [key: string]: Value };
export type Values = { [key: string]: Value };

/** An error of the library: `code` is the status's name, `status` its number. */
export interface CookiesealError extends Error {
  code: 'malformed' | 'unsupported_version' | 'unknown_key' | 'authentication_failed' | 'expired'
    | 'invalid_payload' | 'too_large' | 'store_unavailable' | 'revoked' | 'key_not_loaded'
    | 'ambiguous' | 'header_truncated' | 'invalid_argument' | 'out_of_memory' | 'not_found'
    | 'keyring_error' | 'internal_error' | 'config_error' | 'closed' | string;
  status: number;
  /** The server could not judge (store or keyring file): answer 503, keep the cookie. */
  undecided: boolean;
}

/** What a server shares. Durations are seconds; left out, the library's default holds. */
export interface CodecOptions {
  /** A keyring file, watched (hot reload). */
  keyring?: string;
  /** The keyring file's text (e.g. from an environment variable), read-only. */
  keyringText?: string | Buffer;
  /** A directory, or redis://host:port[/db] / unix:///socket: overflow and revocation. */
  store?: string;
  storeRevocations?: boolean;
  maxAge?: number;
  idleTimeout?: number;
  leeway?: number;
  /** Seconds between checks of the keyring file; 0: no watcher thread. */
  reloadInterval?: number;
  /** Hears why things fail (never a key or session data); default: process.emitWarning. */
  diagnostic?: (message: string) => void;
}

/** One kind of session cookie; left out, the library's default holds. */
export interface SessionOptions {
  name?: string;
  purpose?: string;
  path?: string;
  domain?: string;
  secure?: boolean;
  httpOnly?: boolean;
  /** false: no SameSite attribute. */
  sameSite?: 'Strict' | 'Lax' | 'None' | 'strict' | 'lax' | 'none' | false;
  partitioned?: boolean;
  browserSession?: boolean;
}

/** Codec and session options in one object, or an existing codec and session options. */
export type Options = (CodecOptions & SessionOptions) | (SessionOptions & { codec: Codec });

export interface SessionMeta {
  id: string;
  subject: string;
  created_at: string;
  issued_at: string | null;
  expires_at: string | null;
  key_id: string | null;
  key_replaced: boolean | null;
  overflow: boolean | null;
}

/** A session's own lifetime in seconds (null: the codec's). */
export interface SessionLifetime {
  max_age: number | null;
  idle_timeout: number | null;
  browser_session: boolean;
}

/**
 * What open() and openSync() give: values, constants, flashes and lifetime as
 * own properties; meta read when first asked for, a getter of its class (a
 * spread or Object.keys() leaves it out; JSON.stringify gives all five).
 */
export interface OpenedSession {
  values: Values;
  constants: Values;
  flashes: { [key: string]: Value[] };
  lifetime: SessionLifetime;
  meta: SessionMeta;
}

export interface SealInput {
  values?: Values;
  constants?: Values;
  flashes?: { [key: string]: Value[] };
  subject?: string;
}

export type HeaderPairs = Array<[string, string]>;

export class Codec {
  constructor(options: CodecOptions);
  sessionManager(options?: SessionOptions): SessionManager;
  revokeSubject(subject: string): Promise<void>;
  close(): void;
}

export class SessionManager {
  constructor(codec: Codec, options?: SessionOptions);
  readonly codec: Codec;
  /** A request's session from its Cookie header (lines as an array or joined by '\n'). */
  load(cookieHeader: string | string[] | undefined): Promise<RequestSession>;
  seal(session: SealInput): Promise<string>;
  open(cookie: string): Promise<OpenedSession>;
  sealSync(session: SealInput): string;
  openSync(cookie: string): OpenedSession;
  revokeSubject(subject: string): Promise<void>;
  close(): void;
}

export class RequestSession {
  readonly outcome: 'opened' | 'refused' | 'undecided';
  readonly opened: boolean;
  readonly refused: boolean;
  readonly undecided: boolean;
  readonly reason: CookiesealError | null;
  readonly isNew: boolean;
  readonly subject: string;
  readonly changed: boolean;
  readonly meta: SessionMeta;
  readonly constants: Values;
  readonly flashes: { [key: string]: Value[] };
  values: Values;
  get(key: string): Value | undefined;
  set(key: string, value: Value): void;
  delete(key: string): void;
  flash(key: string, message: Value): void;
  takeFlashes(key: string): Value[];
  login(subject: string): void;
  regenerate(): void;
  destroy(): void;
  save(): Promise<HeaderPairs>;
  close(): void;
}

/** Express: req.session (plain object), req.cookieseal, req.flash. */
export function express(options: Options): (req: any, res: any, next: (err?: any) => void) => void;

export interface ExpressHelpers {
  readonly request: RequestSession;
  readonly outcome: RequestSession['outcome'];
  readonly reason: CookiesealError | null;
  readonly subject: string;
  login(subject: string): void;
  regenerate(): void;
  destroy(): void;
  flash(key: string, message: Value): void;
  flashes(key: string): Value[];
  revokeSubject(subject: string): Promise<void>;
}

/** Fastify: request.session, as @fastify/secure-session's. */
export function fastify(instance: any, options: Options): Promise<void>;

export interface FastifySession {
  get(key: string): Value | undefined;
  set(key: string, value: Value | undefined): void;
  data(): Values;
  delete(): void;
  regenerate(ignoreFields?: string[]): void;
  login(subject: string): void;
  flash(key: string, message: Value): void;
  flashes(key: string): Value[];
  readonly changed: boolean;
  readonly deleted: boolean;
  readonly isNew: boolean;
  readonly subject: string;
  readonly request: RequestSession;
}

/** What next/headers' cookies() gives. */
export interface CookieStore {
  getAll(): Array<{ name: string; value: string }>;
  set(cookie: { name: string; value: string; [attribute: string]: unknown }): unknown;
}

export type NextSession<T extends Values = Values> = T & {
  save(): Promise<void>;
  destroy(): Promise<void>;
  login(subject: string): void;
  flash(key: string, message: Value): void;
  flashes(key: string): Value[];
  readonly cookieseal: RequestSession;
};

/** Next.js (Node.js runtime): the session of this request, as iron-session's getIronSession. */
export function getSession<T extends Values = Values>(cookies: CookieStore, options: Options): Promise<NextSession<T>>;

export const version: string;
export const abiVersion: number;

declare const cookieseal: {
  Codec: typeof Codec;
  SessionManager: typeof SessionManager;
  RequestSession: typeof RequestSession;
  express: typeof express;
  fastify: typeof fastify;
  getSession: typeof getSession;
  version: string;
  abiVersion: number;
};
export default cookieseal;

declare global {
  namespace Express {
    interface Request {
      session: (Values & { readonly isNew: boolean; readonly isChanged: boolean; readonly isPopulated: boolean }) | null;
      cookieseal: ExpressHelpers;
      flash(type?: string, message?: Value): any;
    }
  }
}

declare module 'fastify' {
  interface FastifyRequest {
    session: FastifySession;
  }
}
