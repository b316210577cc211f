/**
 * Fewer distinct characters than this is a word or a pattern, not a secret.
 * Not 8: sixteen random hex digits have fewer than 8 distinct about once in
 * 90 tries, fewer than 6 about once in 20,000.
 */
const MIN_DISTINCT_CHARACTERS = 6;
/** Runs a person types for a token that must be long: the alphabet, digits, keyboard rows. */
const SEQUENCES = ['0123456789abcdefghijklmnopqrstuvwxyz', 'qwertyuiopasdfghjklzxcvbnm', '1234567890'];

/**
 * Why an admin token is too weak to guard writes, or undefined when it will
 * do. A random token (`openssl rand -hex 24`, base64) always does; what is
 * refused is what a person types to get past a length check.
 */
export function tokenWeakness(token: string): string | undefined {
  if (token.trim() === '') return 'must not be blank';
  if (token.trim() !== token) return 'must not begin or end with whitespace';
  if (new Set(token).size < MIN_DISTINCT_CHARACTERS) return `must have at least ${MIN_DISTINCT_CHARACTERS} distinct characters`;
  if (isRepeated(token) || isSequence(token.toLowerCase())) return 'must not be a repeated pattern or a run of the alphabet, digits or keyboard';
  return undefined;
}

function isRepeated(token: string): boolean {
  for (let period = 1; period <= token.length / 2; period++) {
    if (token.slice(period) === token.slice(0, -period)) return true;
  }
  return false;
}

function isSequence(token: string): boolean {
  return SEQUENCES.some((sequence) => {
    const runs = sequence.repeat(Math.ceil(token.length / sequence.length) + 1);
    const reversed = [...runs].reverse().join('');
    return runs.includes(token) || reversed.includes(token);
  });
}
