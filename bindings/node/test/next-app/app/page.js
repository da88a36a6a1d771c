// The visit counter in the browser: the page asks the route handler, which
// keeps the count in the sealed session cookie.
'use client';
import { useEffect, useState } from 'react';

export default function Home() {
  const [visits, setVisits] = useState(null);
  useEffect(() => {
    fetch('/api/session').then((r) => r.json()).then((s) => setVisits(s.visits));
  }, []);
  return <p id="visits">{visits === null ? 'loading' : `visits: ${visits}`}</p>;
}
