/**
 * A 4xx reply body in the shape of every error this API returns (fastify's own shape:
 * statusCode, error, message). Its own module: the authenticator, the route modules and the
 * server all answer with it, and none of them should depend on another for that.
 */
export function problem(statusCode: number, message: string) {
  const error =
    statusCode === 404
      ? 'Not Found'
      : statusCode === 401
        ? 'Unauthorized'
        : statusCode === 403
          ? 'Forbidden'
          : statusCode === 409
            ? 'Conflict'
            : statusCode === 429
              ? 'Too Many Requests'
              : statusCode === 413
                ? 'Payload Too Large'
                : 'Bad Request';
  return { statusCode, error, message };
}
