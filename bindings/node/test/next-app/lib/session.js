// The session options of this app, from its environment at run time: the
// keyring file, and for the interop test the shop's cookie (__Host-session,
// Secure) and store.
import { getSession } from 'cookieseal';

const env = process.env;
const options = {
  keyring: env.COOKIESEAL_KEYRING_FILE,
  name: env.COOKIESEAL_COOKIE_NAME ?? 'app',
  secure: env.COOKIESEAL_COOKIE_NAME !== undefined,  // the shop's __Host- cookie is Secure
  ...(env.COOKIESEAL_STORE ? { store: env.COOKIESEAL_STORE } : {}),
};

/** The request's session, or null when it is undecided (answer 503). */
export async function session(cookieStore) {
  try {
    return await getSession(cookieStore, options);
  } catch (e) {
    if (e.undecided) return null;  // the store or keyring file could not answer
    throw e;
  }
}

export const unavailable = () => new Response('Service Unavailable', { status: 503 });
