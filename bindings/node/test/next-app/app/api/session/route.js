// A route handler on the Node.js runtime (the Edge runtime cannot load a
// native addon): getSession as iron-session's getIronSession is used.
import { cookies } from 'next/headers';
import { session, unavailable } from '../../../lib/session.js';

export const runtime = 'nodejs';
export const dynamic = 'force-dynamic';

export async function GET() {
  const s = await session(await cookies());
  if (s === null) return unavailable();
  s.visits = (s.visits ?? 0) + 1;
  await s.save();
  return Response.json({ visits: s.visits, from: s.from ?? null });
}

export async function DELETE() {
  const s = await session(await cookies());
  if (s === null) return unavailable();
  await s.destroy();
  return Response.json({ ok: true });
}
