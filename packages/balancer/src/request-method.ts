/**
 * The method upper-cased, as the same (interned) string for the usual ones: no new string, and
 * the lookups that follow (metrics attributes, idempotency) compare pointers. A `switch`, not an
 * object lookup: clients such as got hand a fresh string each time, and a property lookup with
 * one has to intern it first.
 */
export function upperCaseMethod(method: string): string {
  switch (method) {
    case 'GET': case 'get': return 'GET';
    case 'POST': case 'post': return 'POST';
    case 'PUT': case 'put': return 'PUT';
    case 'DELETE': case 'delete': return 'DELETE';
    case 'HEAD': case 'head': return 'HEAD';
    case 'PATCH': case 'patch': return 'PATCH';
    case 'OPTIONS': case 'options': return 'OPTIONS';
    default: return method.toUpperCase();
  }
}
