/** Test support: the trailer a complete output ends with (events/trailer.ts), computed independently. */
import { createHash } from 'node:crypto';

/** body (complete lines, "\n"-terminated, header first) followed by its trailer line. */
export function withTrailer(body: string): string {
  const lines = body.split('\n').length - 1;
  const sha = createHash('sha256').update(body).digest('hex');
  return `${body}{"type":"trailer","count":${Math.max(0, lines - 1)},"sha256":"${sha}"}\n`;
}

/** The text without its last line when that line is a trailer. */
export function withoutTrailer(text: string): string {
  const end = text.endsWith('\n') ? text.length - 1 : text.length;
  const start = text.lastIndexOf('\n', end - 1) + 1;
  return text.slice(start, end).startsWith('{"type":"trailer"') ? text.slice(0, start) : text;
}
