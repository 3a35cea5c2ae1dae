/**
 * Service-backed tests run against real PostgreSQL and Redis when CI provides them. With
 * REQUIRE_SERVICES=1 a missing service is a failure, never a silent skip.
 */
export const servicesRequired = process.env.REQUIRE_SERVICES === '1';

export function serviceUrl(variable: 'TEST_DATABASE_URL' | 'TEST_REDIS_URL'): string | undefined {
  const value = process.env[variable];
  if (!value && servicesRequired) {
    throw new Error(`${variable} is not set but REQUIRE_SERVICES=1: this run must test against the real service`);
  }
  return value || undefined;
}
