export { GRAPHIQL_PATH, GRAPHQL_PATH, registerGraphqlRoutes, type GraphqlRoutesDeps } from './graphql.routes.js';
export { MAX_COST, MAX_DEPTH } from './limits.js';
