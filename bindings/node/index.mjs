// The ES module entry point: the same objects as require('cookieseal').
import cookieseal from './lib/index.js';

export const { Codec, SessionManager, RequestSession, express, fastify, getSession, version, abiVersion, Object } = cookieseal;
export default cookieseal;
