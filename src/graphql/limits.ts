// The limits alone, without graphql-js: the route's description states them, and the rules that
// enforce them (rules.ts) load with the executor on the first GraphQL request.

/**
 * Nesting allowed below the operation. The deepest useful query (a job's steps' site's latest
 * job's site…) stays well under it; GraphiQL's introspection query needs 7.
 */
export const MAX_DEPTH = 10;

/**
 * The most a query may cost. Each field costs 1 plus its selections; a list field multiplies
 * that by the page size asked for (`limit`), so cost tracks the rows a query can read: 100 sites
 * with their latest job and active blueprint cost about 700, and each list nested in a list
 * multiplies the cost again.
 */
export const MAX_COST = 5_000;
