export {
  describePageType,
  discoverPageTypes,
  type DiscoveredPageType,
  type PageKind,
  type PageTypeDescription,
  type ProposedField,
} from './discover.js';
export { labelOfName, namePageType, type PageTypeNaming } from './naming.js';
