// The example shop's GET /api/state (examples/shop.cpp): what the session holds.
import { cookies } from 'next/headers';
import { session, unavailable } from '../../../lib/session.js';

export const runtime = 'nodejs';
export const dynamic = 'force-dynamic';

export async function GET() {
  const s = await session(await cookies());
  if (s === null) return unavailable();
  const rs = s.cookieseal;
  const items = (Array.isArray(s.cart) ? s.cart : []).filter((i) => typeof i === 'string');
  await s.save();  // a refused cookie is cleared
  return Response.json({
    user: rs.subject, visits: s.visits ?? 0, cart_items: items.length,
    cart_bytes: items.reduce((n, i) => n + Buffer.byteLength(i), 0), new: rs.isNew,
    refused: rs.refused ? rs.reason.code : '',
  });
}
