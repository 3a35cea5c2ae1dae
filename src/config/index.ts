export { ConfigError, loadConfig, loadDotEnv, type Config } from './config.js';
