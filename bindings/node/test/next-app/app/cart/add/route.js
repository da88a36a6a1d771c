// The example shop's POST /cart/add (a form's item), answered 303 to "/".
import { cookies } from 'next/headers';
import { session, unavailable } from '../../../lib/session.js';

export const runtime = 'nodejs';
export const dynamic = 'force-dynamic';

export async function POST(request) {
  const s = await session(await cookies());
  if (s === null) return unavailable();
  const item = String((await request.formData()).get('item') || 'item').slice(0, 2000);
  const cart = Array.isArray(s.cart) ? s.cart : [];
  if (cart.length < 1000) cart.push(item);
  s.cart = cart;
  await s.save();
  return new Response(null, { status: 303, headers: { Location: '/' } });
}
