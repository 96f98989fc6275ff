/** The HttpPost port: one POST with node:http(s), bounded, its status only (the body is drained). */
import { request as httpRequest } from 'node:http';
import { request as httpsRequest } from 'node:https';
import type { HttpPost } from '../core/ports.js';

export const httpPost: HttpPost = (url, body, headers, { signal, timeoutMs }) =>
  new Promise((resolve, reject) => {
    const u = new URL(url);
    const req = (u.protocol === 'https:' ? httpsRequest : httpRequest)(u, { method: 'POST', headers: { ...headers, 'content-length': String(Buffer.byteLength(body)) }, signal, timeout: timeoutMs }, (res) => {
      res.resume();
      res.on('end', () => resolve({ status: res.statusCode ?? 0 }));
      res.on('error', reject);
    });
    req.on('timeout', () => req.destroy(new Error(`no answer within ${timeoutMs} ms`)));
    req.on('error', reject);
    req.end(body);
  });
