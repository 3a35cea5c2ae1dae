// Platform side of the LLM: per-request cost rows, budgets and the usage API around the engine's client.
export { LlmRepository, type UsageTotals } from './llm.repository.js';
export { LlmService, type LlmAttribution, type MonthlyBudget } from './llm.service.js';
export { registerLlmRoutes } from './llm.routes.js';
