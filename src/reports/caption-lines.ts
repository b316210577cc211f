/**
 * Vega measures text by a rough 0.8 em a character when it has no canvas; DejaVu Sans averages about
 * 0.55 em in mixed text, so a little more than that keeps captions inside the width they were wrapped to.
 */
const EM_PER_CHARACTER = 0.6;

/** Breaks at spaces but not at no-break spaces, which callers use to keep a mark with its word. */
const BREAK = /[^\S\u00a0]+/;

function greedy(words: string[], maxChars: number): string[] {
  const lines: string[] = [];
  for (const word of words) {
    const last = lines.at(-1);
    if (last !== undefined && last.length + 1 + word.length <= maxChars) lines[lines.length - 1] = `${last} ${word}`;
    else lines.push(word);
  }
  return lines;
}

/**
 * Word-wraps a caption to `width` pixels in at most `maxLines` lines, cutting what does not fit with '…'.
 * Lines are balanced, 'Pullover' over '(pred. Coat)' rather than 'Pullover (pred.' over 'Coat)'.
 */
export function captionLines(text: string, width: number, fontSize: number, maxLines: number): string[] {
  const maxChars = Math.max(2, Math.floor(width / (fontSize * EM_PER_CHARACTER)));
  const words = text.split(BREAK).filter(Boolean);
  let lines = greedy(words, maxChars);
  for (let narrower = maxChars - 1; narrower > 0 && lines.length <= maxLines; narrower--) {
    const balanced = greedy(words, narrower);
    if (balanced.length > lines.length) break;
    lines = balanced;
  }
  const overflows = lines.length > maxLines;
  return lines.slice(0, maxLines).map((line, i) => {
    const cut = overflows && i === maxLines - 1;
    if (line.length <= maxChars && !cut) return line;
    return `${line.slice(0, Math.min(line.length, maxChars - 1)).trimEnd()}…`;
  });
}
