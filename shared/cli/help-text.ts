import { COMMON_EXIT_CODES, type CliCommand, type CliOption, type CliOptions } from './cli-command';

/**
 * `embassy --help` and `embassy COMMAND --help`, laid out for an 80-column terminal: every
 * line, wrapped prose included, is at most HELP_WIDTH characters.
 */
export const HELP_WIDTH = 80;

/** The left column of a two-column list never grows past this; longer entries wrap below. */
const MAX_LEFT = 26;

/**
 * Splits `text` at spaces into lines of at most `width` characters, the first indented by
 * `first`, the rest by `rest`. `keepGroups` keeps `[...]` and `(...)` groups of a synopsis on
 * one line where they fit.
 */
export function wrap(text: string, width: number, first = '', rest = first, keepGroups = false): string[] {
  const lines: string[] = [];
  let line = first;
  let empty = true;
  for (const word of keepGroups ? synopsisUnits(text) : text.split(/\s+/).filter(Boolean)) {
    if (!empty && line.length + 1 + word.length > width) {
      lines.push(line);
      line = rest;
      empty = true;
    }
    if (empty && line.length + word.length > width && word.includes(' ')) {
      // A group longer than a line: wrap its words instead.
      const inner = wrap(word, width, line, rest);
      lines.push(...inner.slice(0, -1));
      line = inner.at(-1) ?? rest;
      empty = false;
      continue;
    }
    line += empty ? word : ` ${word}`;
    empty = false;
  }
  lines.push(line);
  return lines;
}

/** The words of a synopsis, with each bracketed or parenthesised group as one unit. */
function synopsisUnits(text: string): string[] {
  const units: string[] = [];
  let depth = 0;
  let unit = '';
  for (const ch of text) {
    if (ch === '[' || ch === '(') depth++;
    if (ch === ']' || ch === ')') depth = Math.max(0, depth - 1);
    if (/\s/.test(ch) && depth === 0) {
      if (unit) units.push(unit);
      unit = '';
    } else unit += ch;
  }
  if (unit) units.push(unit);
  return units;
}

/** A two-column list (`  left  right`), the right column wrapped. */
export function columns(rows: readonly (readonly [string, string])[], width = HELP_WIDTH): string[] {
  const left = Math.min(MAX_LEFT, Math.max(0, ...rows.map(([l]) => l.length)));
  const pad = ' '.repeat(2 + left + 2);
  return rows.flatMap(([l, r]) => {
    if (l.length > left) return [`  ${l}`, ...wrap(r, width, pad)];
    return wrap(r, width, `  ${l.padEnd(left)}  `, pad);
  });
}

function optionName(name: string, option: CliOption): string {
  const flag = `${option.short ? `-${option.short}, ` : ''}--${name}`;
  return option.type === 'string' ? `${flag} ${option.arg ?? 'VALUE'}` : flag;
}

function optionHelp(option: CliOption): string {
  const more = [
    option.multiple ? 'repeatable' : '',
    typeof option.default === 'string' ? `default: ${option.default}` : '',
  ].filter(Boolean);
  return more.length ? `${option.help} (${more.join('; ')})` : option.help;
}

/** One row per option (`--name ARG`, help), for `columns`. */
export function optionRows(options: CliOptions): [string, string][] {
  return Object.entries(options).map(([name, o]) => [optionName(name, o), optionHelp(o)]);
}

/** `embassy COMMAND --help`: usage, what it does, options, notes, exit codes. */
export function commandHelp(command: CliCommand, width = HELP_WIDTH): string {
  const options: [string, string][] = [...optionRows(command.options), ['-h, --help', 'this text']];
  const exitCodes = command.exitCodes ?? COMMON_EXIT_CODES;
  return [
    ...wrap(command.usage, width, 'Usage: ', '    ', true),
    '',
    ...wrap(command.summary, width),
    '',
    'Options:',
    ...columns(options, width),
    ...(command.notes?.length ? ['', ...command.notes.flatMap((n) => wrap(n, width))] : []),
    '',
    'Exit codes:',
    ...columns(
      exitCodes.map(([code, meaning]) => [String(code), meaning]),
      width,
    ),
    '',
  ].join('\n');
}

/** One row per command (`embassy NAME`, summary), for `columns`. */
export function commandRows(commands: readonly CliCommand[]): [string, string][] {
  return commands.map((c) => [`embassy ${c.name}`, c.summary]);
}

/** One line per command (`embassy NAME  summary`), for the tool's and a group's overview. */
export function commandList(commands: readonly CliCommand[], width = HELP_WIDTH): string[] {
  return columns(commandRows(commands), width);
}
