import { ERROR_CODES, type ErrorCode } from "@todo/contract";

const START = "<!-- error-codes:start (generated from packages/contract/src/errors.ts by pnpm openapi:write) -->";
const END = "<!-- error-codes:end -->";
const WIDTH = 120;

/** The page that carries the generated list, relative to the repository root. */
export const ERROR_CODES_PAGE = "docs/api.md";

/**
 * The error codes of docs/api.md, from the contract's code table: one list item per code (status, code, meaning),
 * wrapped at the formatter's line width so the page reads on any screen.
 */
export function renderErrorTable(): string {
  return (Object.keys(ERROR_CODES) as ErrorCode[])
    .map((code) => wrap(`- **${ERROR_CODES[code].status}** \`${code}\`: ${ERROR_CODES[code].description}`))
    .join("\n");
}

/** `markdown` with the text between the error-code markers replaced by the generated list. */
export function withErrorTable(markdown: string): string {
  const start = markdown.indexOf(START);
  const end = markdown.indexOf(END);
  if (start === -1 || end < start) throw new Error(`the error-code markers are missing: ${START} … ${END}`);
  return `${markdown.slice(0, start + START.length)}\n${renderErrorTable()}\n${markdown.slice(end)}`;
}

function wrap(item: string): string {
  const lines: string[] = [];
  let line = "";
  for (const word of item.split(" ")) {
    if (line !== "" && line.length + 1 + word.length > WIDTH) {
      lines.push(line);
      line = `  ${word}`;
    } else {
      line = line === "" ? word : `${line} ${word}`;
    }
  }
  return [...lines, line].join("\n");
}
