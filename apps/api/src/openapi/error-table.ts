import { errorCodeStatuses } from "@todo/contract";

const START = "<!-- error-codes:start (generated from packages/contract/src/errors.ts by pnpm openapi:write) -->";
const END = "<!-- error-codes:end -->";

/** The README's error table, from the contract's code table; padded as the Markdown formatter (Biome) pads. */
export function renderErrorTable(): string {
  const rows = [
    ["status", "code", "meaning"],
    ...errorCodeStatuses().map(({ code, status, description }) => [String(status), `\`${code}\``, description]),
  ];
  const widths = [0, 1, 2].map((column) => Math.max(...rows.map((row) => row[column]?.length ?? 0)));
  const line = (cells: string[]) => `| ${cells.map((cell, i) => cell.padEnd(widths[i] ?? 0)).join(" | ")} |`;
  const [header = [], ...body] = rows;
  return [line(header), line(widths.map((width) => "-".repeat(width))), ...body.map(line)].join("\n");
}

/** `markdown` with the text between the error-table markers replaced by the generated table. */
export function withErrorTable(markdown: string): string {
  const start = markdown.indexOf(START);
  const end = markdown.indexOf(END);
  if (start === -1 || end < start) throw new Error(`the error-code markers are missing: ${START} … ${END}`);
  return `${markdown.slice(0, start + START.length)}\n${renderErrorTable()}\n${markdown.slice(end)}`;
}
