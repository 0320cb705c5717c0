/** How a simulated terminal pushes: one POST, signed with Digest when the server asks and it has a login. */
import http from 'node:http';
import { DigestClient } from '../../core/digest.js';

/** POSTs a body, answering a Digest challenge once when it has a login; true on a 200. */
export async function postSigned(
  url: URL,
  body: Buffer,
  contentType: string,
  login?: { username: string; password: string },
): Promise<boolean> {
  const first = await post(url, body, contentType, null);
  if (first.status !== 401 || !login) return first.status === 200;
  const digest = new DigestClient(login.username, login.password);
  if (!digest.challenge(first.challenge)) return false;
  const second = await post(url, body, contentType, digest.authorization('POST', url.pathname));
  return second.status === 200;
}

function post(
  url: URL,
  body: Buffer,
  contentType: string,
  authorization: string | null,
): Promise<{ status: number; challenge: string | undefined }> {
  return new Promise((resolve) => {
    const headers: Record<string, string | number> = {
      'content-type': contentType,
      'content-length': body.length,
    };
    if (authorization) headers.authorization = authorization;
    const req = http.request(
      { host: url.hostname, port: url.port, path: url.pathname, method: 'POST', headers },
      (res) => {
        res.resume();
        res.on('end', () =>
          resolve({ status: res.statusCode ?? 0, challenge: res.headers['www-authenticate'] }),
        );
      },
    );
    req.setTimeout(5000, () => req.destroy());
    // A refused head closes the connection before the body is sent: the reply may still have come.
    req.on('error', () => resolve({ status: 0, challenge: undefined }));
    req.end(body);
  });
}
