import { dirname } from 'node:path';
import { fileURLToPath } from 'node:url';

export default {
  // The addon is a native module: Next.js must require it at run time, never bundle it.
  serverExternalPackages: ['cookieseal'],
  // This app, not the package around it (two lock files).
  turbopack: { root: dirname(fileURLToPath(import.meta.url)) },
};
