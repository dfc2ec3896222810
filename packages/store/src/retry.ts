// SQLSTATEs after which a whole transaction can safely be tried again: serialization failure, deadlock,
// and a unique violation from two transactions creating the same row at once.
const RETRYABLE = new Set(['40001', '40P01', '23505']);

export async function withRetry<T>(fn: () => Promise<T>, attempts = 3): Promise<T> {
  for (let i = 1; ; i++) {
    try {
      return await fn();
    } catch (e) {
      const code = (e as { code?: unknown }).code;
      if (i >= attempts || typeof code !== 'string' || !RETRYABLE.has(code)) throw e;
    }
  }
}
