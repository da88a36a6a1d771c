// A route handler on the Node.js runtime (the Edge runtime cannot load a
// native addon): getSession as iron-session's getIronSession is used.
import { cookies } from 'next/headers';
import { getSession } from 'cookieseal';

export const runtime = 'nodejs';
export const dynamic = 'force-dynamic';

const options = { keyring: process.env.COOKIESEAL_KEYRING_FILE, name: 'app', secure: false };

async function session() {
  try {
    return await getSession(await cookies(), options);
  } catch (e) {
    if (e.undecided) return null;  // the store or keyring file could not answer
    throw e;
  }
}

export async function GET() {
  const s = await session();
  if (s === null) return new Response('Service Unavailable', { status: 503 });
  s.visits = (s.visits ?? 0) + 1;
  await s.save();
  return Response.json({ visits: s.visits, from: s.from ?? null });
}

export async function DELETE() {
  const s = await session();
  if (s === null) return new Response('Service Unavailable', { status: 503 });
  await s.destroy();
  return Response.json({ ok: true });
}
