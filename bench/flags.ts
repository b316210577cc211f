/** The value of the flag `--name` as a positive integer; throws `--name must be a positive integer` otherwise. */
export function positiveInteger<Flags extends object>(flags: Flags, name: keyof Flags & string): number {
  const value = Number(flags[name]);
  if (!Number.isInteger(value) || value < 1) throw new Error(`--${name} must be a positive integer`);
  return value;
}
