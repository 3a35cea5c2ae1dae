// One generated copy of the API's types serves the dashboard and the TypeScript SDK.
export type { components, paths } from '../../../sdk/typescript/src/generated/schema';
