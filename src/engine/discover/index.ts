export { discoverPageTypes, type DiscoveredPageType, type PageKind, type ProposedField } from './discover.js';
