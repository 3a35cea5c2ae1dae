/** A unique index refused a write (PostgreSQL and PGlite alike; drizzle may wrap the driver's error in `cause`). */
export function isUniqueViolation(error: unknown): boolean {
  const code = (error as { code?: string; cause?: { code?: string } }).code ?? (error as { cause?: { code?: string } }).cause?.code;
  return code === '23505';
}
