/**
 * Module resolution hook for the Node 24 CI run: a bare `got` import resolves to the `got16`
 * alias (got 16) instead of got 14, whose own retry after a refused connection fails on Node 24
 * (see the README, "Supported versions"). Registered by `got16-alias.mjs`.
 */
export async function resolve(specifier, context, next) {
  if (specifier === 'got') return next('got16', context);
  return next(specifier, context);
}
